# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qbt_torrent's work: the torrents a task declares (options, local checks, hashes), the plan of what differs
from the server's view of each, adding the new ones, and the read-back that proves the server kept it all.

The module keeps the flow (plugins/modules/qbt_torrent.py run()). Facts: docs/dev/webapi-facts.md#torrents
(torrents/add, torrents/info, the per-property endpoints); that torrents/add answers before the torrents
show in torrents/info was measured on 4.5.2 and 5.3 (docs/performance.md, "qbt_torrent's read-back").
"""

from __future__ import annotations

import re

from . import _api, _categories
from . import _torrents as T
from ._diff import differences
from ._errors import InvalidInput, QbtError
from ._fields import (
    category_name,
    minutes_limit,
    normalize_path,
    normalize_ratio,
    path,
    ratio_limit,
    speed_limit,
    tags,
    text,
)
from ._infohash import TorrentError, from_hash

PROPERTIES = {
    "save_path": {"type": "str"},
    "download_path": {"type": "str"},
    "category": {"type": "str"},
    "tags": {"type": "list", "elements": "str"},
    "name": {"type": "str"},
    "upload_limit": {"type": "int"},
    "download_limit": {"type": "int"},
    "ratio_limit": {"type": "float"},
    "seeding_time_limit": {"type": "int"},
    "inactive_seeding_time_limit": {"type": "int"},
    "share_limit_action": {
        "type": "str",
        "choices": ["Default", "Stop", "Remove", "RemoveWithContent", "EnableSuperSeeding"],
    },
    "auto_tmm": {"type": "bool"},
    "sequential_download": {"type": "bool"},
    "first_last_piece_priority": {"type": "bool"},
    "super_seeding": {"type": "bool"},
    "force_start": {"type": "bool"},
    "trackers": {"type": "list", "elements": "str"},
}
ADD_OPTIONS = {
    "skip_checking": {"type": "bool"},
    "content_layout": {"type": "str", "choices": ["Original", "Subfolder", "NoSubfolder"]},
    "add_to_top_of_queue": {"type": "bool"},
    "stop_condition": {"type": "str", "choices": ["None", "MetadataReceived", "FilesChecked"]},
}
ITEM_OPTIONS = {
    "source": {"type": "str"},
    "hash": {"type": "str"},
    "state": {"type": "str", "choices": ["present", "started", "stopped", "paused", "absent"], "default": "present"},
    "delete_files": {"type": "bool", "default": False},
    **PROPERTIES,
    "create_category": {"type": "bool", "default": False},
    "purge_tags": {"type": "bool", "default": False},
    "purge_trackers": {"type": "bool", "default": False},
    **ADD_OPTIONS,
    "wait": {"type": "str", "choices": ["none", "metadata", "checked", "completed"], "default": "none"},
}
# Options that need a qBittorrent version: the endpoint or FEATURES name of _versions.
GATES = {
    "download_path": "torrents/setDownloadPath",
    "tags": "torrents/addTags",
    "trackers": "torrents/removeTrackers",
    "ratio_limit": "torrents/setShareLimits",
    "seeding_time_limit": "torrents/setShareLimits",
    "inactive_seeding_time_limit": "torrent_inactive_seeding_time_limit",
    "share_limit_action": "torrent_share_limit_action",
    "content_layout": "add_content_layout",
    "stop_condition": "add_stop_condition",
    "add_to_top_of_queue": "add_to_top_of_queue",
}
NORMALIZERS = {
    "save_path": normalize_path,
    "download_path": normalize_path,
    "ratio_limit": normalize_ratio,
}
APPEAR_TIMEOUT = 15.0
# torrents/add only queues what it gets: a torrent shows in torrents/info once qBittorrent has handled libtorrent's
# add alert for it, a few milliseconds plus about 0.25 ms per torrent after the answer on 4.5.2 and 5.3 (measured
# in docs/performance.md, "qbt_torrent's read-back"). Reading sooner costs a second read; the first read waits
# a little longer than that, and the bound grows with the batch.
APPEAR_BASE_SECONDS = 0.01
APPEAR_SECONDS_PER_TORRENT = 0.00035
SETTLE_TIMEOUT = 30.0
_TRACKER_URL = re.compile(r"^(https?|udp|wss?)://[^\s|]+$", re.IGNORECASE)


class Item:
    """One declared torrent: its options, how to name them in messages, its source, hashes and server id."""

    def __init__(self, params, prefix):
        self.params = dict(params)
        self.prefix = prefix
        self.state = "stopped" if params["state"] == "paused" else params["state"]
        self.source = None
        self.hashes = None
        self.server_id = None

    @property
    def id(self):
        return self.server_id or self.hashes.id

    def option(self, name):
        return f"{self.prefix}{name}"

    @property
    def desired(self):
        return {key: self.params[key] for key in PROPERTIES if self.params[key] is not None}

    def label(self, view=None):
        name = (view or {}).get("name") or self.params["source"] or self.params["hash"]
        return f"{name} ({self.id})"


def declared_items(params):
    if params["torrents"] is None:
        if params["source"] is None and params["hash"] is None:
            raise InvalidInput("source, hash or torrents is required: name the torrent(s) of the task")
        return [Item(params, "")]
    stray = [key for key, spec in ITEM_OPTIONS.items() if params[key] != spec.get("default")]
    if stray:
        raise InvalidInput(f"{', '.join(stray)}: with torrents, give these options inside each item of the list")
    return [Item(item, f"torrents[{index}].") for index, item in enumerate(params["torrents"])]


def check_item(item):
    """Local checks of one item, before any request; normalises tags, trackers and limits in place."""
    p, opt = item.params, item.option
    if (p["source"] is None) == (p["hash"] is None):
        raise InvalidInput(f"{opt('source')}: give either source or hash for each torrent (exactly one)")
    if item.state == "absent":
        given = [key for key in [*PROPERTIES, *ADD_OPTIONS] if p[key] is not None]
        given += [key for key in ("create_category", "purge_tags", "purge_trackers") if p[key]]
        given += ["wait"] if p["wait"] != "none" else []
        if given:
            raise InvalidInput(f"{opt('state')}: absent removes the torrent, so {', '.join(given)} cannot be declared")
    elif p["delete_files"]:
        raise InvalidInput(f"{opt('delete_files')}: only applies with state: absent")
    p["save_path"] = path(opt("save_path"), p["save_path"])
    p["download_path"] = path(opt("download_path"), p["download_path"])
    if p["category"]:
        category_name(opt("category"), p["category"])
    if p["name"] is not None:
        text(opt("name"), p["name"], "torrent name")
    for key in ("tags", "trackers"):
        if p[f"purge_{key}"] and p[key] is None:
            raise InvalidInput(f"{opt('purge_' + key)}: needs {key}, the exact list to keep (an empty list for none)")
    if p["tags"] is not None:
        p["tags"] = tags(opt("tags"), p["tags"])
    if p["trackers"] is not None:
        p["trackers"] = list(dict.fromkeys(url.strip() for url in p["trackers"]))
        for url in p["trackers"]:
            if not _TRACKER_URL.match(url):
                raise InvalidInput(f"{opt('trackers')}: {url!r} is not a tracker URL (http, https, udp or ws)")
    for key in ("upload_limit", "download_limit"):
        if speed_limit(opt(key), p[key]) == -1:
            p[key] = 0  # qBittorrent reports unlimited as 0
    p["ratio_limit"] = ratio_limit(opt("ratio_limit"), p["ratio_limit"])
    for key in ("seeding_time_limit", "inactive_seeding_time_limit"):
        minutes_limit(opt(key), p[key])
    if p["auto_tmm"] and (p["save_path"] is not None or p["download_path"] is not None):
        raise InvalidInput(
            f"{opt('auto_tmm')}: with Automatic Torrent Management the category decides the paths, so save_path "
            "and download_path cannot be declared too"
        )
    if p["force_start"] and item.state == "stopped":
        raise InvalidInput(f"{opt('force_start')}: force start starts the torrent, so it contradicts state: stopped")


def identify(items, params, client=None):
    """Compute every item's hashes (reading files, downloading URLs with CLIENT) and refuse a torrent declared twice."""
    seen = {}
    for item in items:
        if item.params["hash"] is not None:
            try:
                item.hashes = from_hash(item.params["hash"])
            except TorrentError as exc:
                raise InvalidInput(f"{item.option('hash')}: {exc}") from exc
        else:
            option, text = item.option("source"), item.params["source"]
            item.source = T.resolve_source(option, text, client)
            item.hashes = item.source.hashes
        for key in item.hashes.keys():
            other = seen.setdefault(key, item)
            if other is not item:
                raise InvalidInput(
                    f"torrents: {other.prefix[:-1]} and {item.prefix[:-1]} are the same torrent ({item.hashes.id}); "
                    "declare each torrent once"
                )


def gate(client, items):
    """Version checks of what the task declares: fail, or drop the option with a warning."""
    for option, what in GATES.items():
        users = [item for item in items if item.state != "absent" and item.params[option] is not None]
        if users and not client.require(what, setting=f"{option} of a torrent"):
            for item in users:
                item.params[option] = None


def plan(item, current, stopped=None):
    """{key: (before, after)} for what differs between the item and the torrent's view."""
    desired = item.desired
    simple = {key: value for key, value in desired.items() if key not in ("tags", "trackers")}
    changes = differences(current, simple, NORMALIZERS)
    for key in ("tags", "trackers"):
        if key in desired:
            have = current.get(key, [])
            keep = [] if item.params[f"purge_{key}"] else have
            after = keep + [value for value in desired[key] if value not in keep]
            if sorted(after) != sorted(have):
                changes[key] = (have, sorted(after) if key == "tags" else after)
    moving = "save_path" in changes or "download_path" in changes
    if moving and "auto_tmm" not in desired and current.get("auto_tmm"):
        changes["auto_tmm"] = (True, False)  # setLocation turns it off anyway; setDownloadPath needs it off
    if item.state in ("started", "stopped"):
        have = T.run_state(current.get("state", ""), stopped, current.get("hash", ""))
        if have != item.state:
            changes["state"] = (have, item.state)
        if item.state == "stopped" and changes.get("force_start", (None, True))[1] is False:
            del changes["force_start"]  # stopping turns force start off
    return changes


def missing_categories(client, items, current):
    """Categories to create; a missing category without create_category fails the task (nothing written yet).

    A category that a torrent on the server carries exists (qBittorrent takes a removed category off its
    torrents), so the categories are read only when a declared one is carried by none of the declared torrents.
    """
    wanted = {}
    for item in items:
        if item.state != "absent" and item.params["category"]:
            wanted.setdefault(item.params["category"], item)
    carried = {view.get("category") for view in current.values()}
    existing = _categories.read(client) if set(wanted).difference(carried) else {}
    missing = [name for name in wanted if name not in existing and name not in carried]
    for name in missing:
        if not wanted[name].params["create_category"]:
            raise InvalidInput(
                f"{wanted[name].option('category')}: the category {name!r} does not exist; create it with "
                "qbt_category first, or set create_category: true"
            )
    return missing


def views_of(client, items, index):
    """({id(item): view}, ids of stopped torrents) for the items found in index, marking their server ids.

    The stopped flag is read (one filtered read) only for torrents whose state hides it, and only when a run
    state is declared.
    """
    found = {}
    for item in items:
        entry = index.find(item.hashes)
        if entry is not None:
            found[id(item)] = entry
            item.server_id = entry["hash"]
    unclear = [e["hash"] for e in found.values() if _api.torrent_state(e.get("state", "")) in T.UNCLEAR_STATES]
    stopped = set()
    if unclear and any(item.state in ("started", "stopped") for item in items):
        stopped = T.stopped_ids(client, unclear)
    return {key: T.view(entry) for key, entry in found.items()}, stopped


def add(client, adds, current, writes, trackers):
    """Add the new torrents (one request per set of add options), then queue what torrents/add did not set."""
    torrents = []
    for item in adds:
        stopped = {"started": False, "stopped": True}.get(item.state)
        torrents.append((item.source, T.add_fields(client, item.params, stopped)))
    refused, accepted = [], False
    for fields, files in T.add_requests(torrents):
        answer = _api.add_torrents(client, fields, files=files or None)
        accepted = accepted or answer["added"] or answer["pending"]
        if not (answer["added"] or answer["pending"]):
            # "Fails." (409 from 5.2) also answers a duplicate: another run may have added the same torrents
            # meanwhile, so what the server holds afterwards decides, not this answer.
            refused += [part[1][0] for part in files] + fields.get("urls", "").split("\n")
    ids = [item.hashes.id for item in adds]

    def all_there(index):
        return all(index.find(item.hashes) for item in adds)

    expected = APPEAR_BASE_SECONDS + APPEAR_SECONDS_PER_TORRENT * len(adds)
    # A batch of many thousands gets the time it needs; when every add was refused, a torrent that is there was
    # there already (a duplicate), so one read decides.
    timeout = APPEAR_TIMEOUT + expected if accepted else expected
    index, found = T.poll(lambda: T.read_index(client, ids, trackers), all_there, timeout, expected)
    if not found:
        missing = [item.params["source"] for item in adds if not index.find(item.hashes)]
        how = (
            f"it refused {', '.join(name for name in refused if name)[:300]}" if refused else f"within {timeout:.0f} s"
        )
        raise QbtError(f"qBittorrent did not add {', '.join(missing)[:300]}: {how}")
    views, stopped = views_of(client, adds, index)
    current.update(views)
    for item in adds:
        writes.queue(plan(item, views[id(item)], stopped), views[id(item)], item.params["purge_tags"], client)
    return index


def verify(client, items, trackers, removed, first=None):
    """Read back until every declared value is kept (bounded); fail naming what the server did not keep.

    Data that qBittorrent is still moving after the bound only gets a warning: a big move takes its time.
    """
    wanted = [item for item in items if item.state != "absent"]
    ids = [item.id for item in wanted] + removed
    last = {}

    def kept(index):
        views, stopped = views_of(client, wanted, index)
        left = {}
        for item in wanted:
            changes = plan(item, views[id(item)], stopped) if id(item) in views else {"present": (False, True)}
            if changes:
                left[id(item)] = changes
        last.update(views=views, left=left, still=[h for h in removed if index.find(from_hash(h))])
        return not left and not last["still"]

    def read():
        nonlocal first
        index, first = first, None
        if index is not None and not removed and all(index.find(item.hashes) for item in wanted):
            return index
        return T.read_index(client, ids, trackers)

    T.poll(read, kept, SETTLE_TIMEOUT)
    views, problems = last["views"], [f"{torrent}: still there after removing it" for torrent in last["still"]]
    for item in wanted:
        changes = last["left"].get(id(item))
        if changes and views.get(id(item), {}).get("state") == "moving":
            client.warn(f"{item.label(views[id(item)])}: qBittorrent is still moving the data")
        elif changes:
            kept = ", ".join(f"{key} is {have!r}, not {want!r}" for key, (have, want) in changes.items())
            problems.append(f"{item.label(views.get(id(item)))}: {kept}")
    if problems:
        raise QbtError(
            f"qBittorrent did not keep what the task declared within {SETTLE_TIMEOUT:g} s: {'; '.join(problems)}"[:2000]
        )
    return views


def predicted(items, current, planned):
    """The views a run would leave: current ones with the planned values, and new torrents as declared."""
    views = {}
    for item in items:
        if item.state == "absent":
            continue
        if id(item) in current:
            view = dict(current[id(item)])
        else:
            hashes = item.hashes
            view = {"hash": hashes.id, "infohash_v1": hashes.v1 or "", "infohash_v2": hashes.v2 or ""}
            view.update({"name": hashes.name or hashes.id, "state": None, "progress": 0, "tags": []}, **item.desired)
        view.update({key: after for key, (_before, after) in planned.get(id(item), {}).items() if key != "state"})
        views[id(item)] = view
    return views


def finish(result, items, views):
    torrents = []
    for item in items:
        view = views.get(id(item))
        if view is None:
            hashes = item.hashes
            torrents.append(
                {"present": False, "hash": item.id, "infohash_v1": hashes.v1 or "", "infohash_v2": hashes.v2 or ""}
            )
        else:
            torrents.append({"present": True, **{k: v for k, v in view.items() if k != "share_limits_mode"}})
    result["torrents"] = torrents
    if len(items) == 1 and not items[0].prefix:
        result["torrent"] = torrents[0]
