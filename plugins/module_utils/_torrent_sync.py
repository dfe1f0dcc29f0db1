# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Torrents as a resource of the converge engine (qbt_torrent): the plan of what differs between the declared
torrents (_torrent_items) and the server's view of each, adding the new ones, grouped writes, and the read-back
that proves the server kept it all.

Facts: docs/dev/webapi-facts.md#torrents (torrents/add, torrents/info, the per-property endpoints); that
torrents/add answers before the torrents show in torrents/info was measured on 4.5.2 and 5.3 (docs/performance.md,
"qbt_torrent's read-back").
"""

from __future__ import annotations

from . import _categories
from . import _torrent_add as A
from . import _torrents as T
from ._diff import Diff, differences
from ._engine import Resource, refuse_foreign_paths
from ._errors import InvalidInput, QbtError
from ._infohash import TorrentIndex, entry_keys, from_hash
from ._torrent_items import NORMALIZERS, declared_items, gate, not_found_hint
from ._torrent_writes import Writes

APPEAR_TIMEOUT = 15.0
# torrents/add only queues what it gets: a torrent shows in torrents/info once qBittorrent has handled libtorrent's
# add alert for it, a few milliseconds plus about 0.25 ms per torrent after the answer on 4.5.2 and 5.3 (measured
# in docs/performance.md, "qbt_torrent's read-back"). Reading sooner costs a second read; the first read waits
# a little longer than that, and the bound grows with the batch.
APPEAR_BASE_SECONDS = 0.01
APPEAR_SECONDS_PER_TORRENT = 0.00035
SETTLE_TIMEOUT = 30.0


class TorrentPlan:
    """What the declared torrents need: torrents to add, grouped writes, removals, categories to create."""

    def __init__(self) -> None:
        self.diff = Diff()
        self.writes = Writes()
        self.adds: list = []
        self.removes: dict[bool, list[str]] = {}
        self.planned: dict[int, dict] = {}
        self.new_categories: list[str] = []
        self.deleted_data: list[dict] = []  # the torrents whose data a removal deletes

    def __bool__(self) -> bool:
        return bool(self.adds or self.removes or self.writes or self.new_categories)

    @property
    def removed(self) -> list[str]:
        return [torrent for hashes in self.removes.values() for torrent in hashes]


class Torrents(Resource):
    """The declared torrents of a task, identified by hash (not by a name), one or many."""

    list_option = "torrents"
    noun = "torrent"

    def __init__(self, task) -> None:
        super().__init__(task)
        # every declared torrent, for the result; self.items: those this server can hold (see gate)
        self.declared = declared_items(task.params, self.client)
        self.items = gate(self.client, self.declared)
        refuse_foreign_paths(
            self.client,
            [(item.option(key), item.params[key]) for item in self.items for key in ("save_path", "download_path")],
        )
        keys = set().union(*(item.hashes.keys() for item in self.items if item.params["trackers"] is not None))
        self.trackers = (lambda entry: bool(keys & entry_keys(entry))) if keys else None
        self.stopped: set[str] = set()
        self.views: dict = {}
        self.first = None

    def read(self):
        current, self.stopped = views_of(self.client, self.items, read_declared(self.client, self.items, self.trackers))
        return current

    def plan(self, current, desired, purge):
        owners = {}
        for item in self.items:
            other = owners.setdefault(item.server_id, item) if item.server_id else item
            if other is not item:
                raise InvalidInput(
                    f"torrents: {other.prefix[:-1]} and {item.prefix[:-1]} name the same torrent {item.server_id} "
                    "(by different hashes of it); declare each torrent once"
                )
        result = TorrentPlan()
        result.new_categories = missing_categories(self.client, self.items, current)
        for item in self.items:
            view = current.get(id(item))
            if item.state == "absent":
                if view is not None:
                    delete_files = item.params["delete_files"]
                    result.removes.setdefault(delete_files, []).append(view["hash"])
                    shown = {"name": view["name"], "save_path": view.get("save_path")}
                    if delete_files:
                        # said before it happens (the diff and check mode), from the read the plan made anyway
                        shown.update(delete_files=True, size=view.get("size"))
                        result.deleted_data.append({"hash": view["hash"], **shown})
                    result.diff.removed(view["hash"], shown)
            elif view is None and item.source is None:
                raise InvalidInput(
                    f"{item.option('hash')}: no torrent on the server matches {item.params['hash']}"
                    f"{not_found_hint(self.client, item)}; give source to add it"
                )
            elif view is None:
                result.adds.append(item)
                result.diff.created(item.hashes.id, item.desired)
            else:
                refuse_what_cannot_be_kept(self.client, item, view)
                result.planned[id(item)] = changes = plan(item, view, self.stopped)
                result.writes.queue(changes, view, item.params["purge_tags"], self.client)
                result.diff.changed(changes, item=view["hash"])
        return result

    def predicted(self, current, plan, desired):
        self.views = predicted(self.items, current, plan.planned)
        return self.views

    def shown(self, views):
        return shown(self.declared, views)

    def summary(self, plan):
        return {
            "added": [item.hashes.id for item in plan.adds],
            "removed": plan.removed,
            "deleted_data": plan.deleted_data,
        }

    def apply(self, plan, current, desired):
        for name in plan.new_categories:
            _categories.create(self.client, name)
        added = add(self.client, plan.adds, current, plan.writes, self.trackers) if plan.adds else None
        # The read that saw the new torrents appear is the read-back when nothing was written after it.
        self.first = added if not plan.writes and not plan.removes else None
        plan.writes.apply(self.client)
        for delete_files, hashes in plan.removes.items():
            T.delete_torrents(self.client, hashes, delete_files)

    def read_back(self, plan, current, desired):
        self.views = verify(self.client, self.items, self.trackers, plan.removed, self.first)
        return self.views

    def wait(self, result, timeout):
        """Wait until the torrents that declare wait are ready (bounded), and show them as they are then."""
        waiting = [item for item in self.items if item.state != "absent" and item.params["wait"] != "none"]
        if waiting and not self.task.check_mode:
            targets = [(item.hashes, item.params["wait"], item.label(self.views.get(id(item)))) for item in waiting]
            index = T.wait_until(self.client, targets, timeout, [item.id for item in waiting])
            for item in waiting:
                self.views[id(item)].update(T.view(index.find(item.hashes)))
            result["torrents"] = self.shown(self.views)
        if len(self.declared) == 1 and not self.declared[0].prefix:
            result["torrent"] = result["torrents"][0]
        return result


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


def refuse_what_cannot_be_kept(client, item, view):
    """Refuse, before any write, a first/last piece priority that a server before 4.3.0 cannot keep: a complete
    torrent always reads false there (_versions.FEATURES first_last_piece_when_complete)."""
    if (
        item.params["first_last_piece_priority"]
        and not view.get("first_last_piece_priority")
        and view.get("progress", 0) >= 1
    ):
        setting = f"{item.option('first_last_piece_priority')}: true on the complete torrent {item.label(view)}"
        if not client.require("first_last_piece_when_complete", setting=setting):
            item.params["first_last_piece_priority"] = None  # fail_on_unimplemented_endpoint: false


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


def read_declared(client, items, trackers):
    """The declared torrents as an index, read by id in chunks (torrents/info?hashes=), not the whole server.

    torrents/info?hashes= matches a torrent's id only (TorrentFilter::matchHash, src/base/torrentfilter.cpp), and a
    hybrid torrent's id is its truncated v2 hash (InfoHash::toTorrentID, src/base/bittorrent/infohash.cpp). So a
    torrent declared by a v1 hash alone and not found by it may be a hybrid torrent the server knows by its v2
    hash: it is looked for among the torrents that have a v2 hash (T.v2_torrents), not in a read of all of them.
    A torrent declared by a .torrent file is known whole: without a v2 hash it is no hybrid, and needs no such read.
    """
    keys = [key for item in items for key in sorted(item.hashes.keys()) if len(key) == 40]
    entries = T.torrents_info(client, keys, trackers)
    index = TorrentIndex(entries)
    if any(not item.hashes.complete and item.hashes.v2 is None and index.find(item.hashes) is None for item in items):
        known = {entry["hash"] for entry in entries}
        entries += [entry for entry in T.v2_torrents(client, trackers) if entry["hash"] not in known]
        index = TorrentIndex(entries)
    return index


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
    unclear = [e["hash"] for e in found.values() if T.torrent_state(e.get("state", "")) in T.UNCLEAR_STATES]
    stopped = set()
    if unclear and any(item.state in ("started", "stopped") for item in items):
        stopped = T.stopped_ids(client, unclear)
    return {key: T.view(entry) for key, entry in found.items()}, stopped


def add(client, adds, current, writes, trackers):
    """Add the new torrents (one request per set of add options), then queue what torrents/add did not set."""
    torrents = []
    for item in adds:
        stopped = {"started": False, "stopped": True}.get(item.state)
        torrents.append((item.source, A.add_fields(client, item.params, stopped)))
    refused, accepted = [], False
    for fields, files in A.add_requests(torrents):
        answer = A.add_torrents(client, fields, files=files or None)
        accepted = accepted or answer["added"] or answer["pending"]
        if not (answer["added"] or answer["pending"]):
            # "Fails." (409 from 5.2) also answers a duplicate: another run may have added the same torrents
            # meanwhile, so what the server holds afterwards decides, not this answer.
            refused += [part[1][0] for part in files] + fields.get("urls", "").split("\n")
    ids = [key for item in adds for key in item.hashes.lookup]

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


MOVES = frozenset({"save_path", "download_path"})


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
            view = views.get(id(item))
            changes = plan(item, view, stopped) if view is not None else {"present": (False, True)}
            if not changes and view.get("state") == "moving" and MOVES.intersection(item.desired):
                # the new path can show before the data is there (seen on 4.2.5): wait for the move itself
                changes = {"state": ("moving", "moved")}
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
            if "first_last_piece_priority" in changes and not client.supports("first_last_piece_when_complete"):
                kept += " (qBittorrent before 4.3.0 cannot keep first_last_piece_priority once the data is complete)"
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


def shown(items, views):
    """The result's torrents: each declared torrent's view, or its hashes with present: false."""
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
    return torrents
