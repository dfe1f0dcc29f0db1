# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a qbt_torrent task declares: its options (the torrent parameters shared with RSS rules come from
_torrent_fields), one Item per torrent with its checks, hashes and server id, and the version gates.

Every check runs before the first request, and every problem of every item is named in one message.
"""

from __future__ import annotations

from . import _torrent_add as A
from ._engine import specs
from ._errors import InvalidInput
from ._fields import Problems, text
from ._infohash import TorrentError, TorrentHashes, from_hash
from ._torrent_fields import CONTENT_LAYOUTS, parameters
from ._trackers import tracker_urls
from ._versions import FEATURES

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
FIELDS = parameters()
PROPERTIES = {
    **specs(FIELDS),
    "name": {"type": "str"},
    "auto_tmm": {"type": "bool"},
    "sequential_download": {"type": "bool"},
    "first_last_piece_priority": {"type": "bool"},
    "super_seeding": {"type": "bool"},
    "force_start": {"type": "bool"},
    "trackers": {"type": "list", "elements": "str"},
}
ADD_OPTIONS = {
    "skip_checking": {"type": "bool"},
    "content_layout": {"type": "str", "choices": CONTENT_LAYOUTS},
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
NORMALIZERS = {name: field.normalize for name, field in FIELDS.items() if field.normalize and name != "tags"}


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


def declared_items(params, client):
    """Every declared torrent, checked and identified (files read, URLs downloaded), before any request."""
    if params["torrents"] is None:
        if params["source"] is None and params["hash"] is None:
            raise InvalidInput("source, hash or torrents is required: name the torrent(s) of the task")
        items = [Item(params, "")]
    else:
        stray = [key for key, spec in ITEM_OPTIONS.items() if params[key] != spec.get("default")]
        if stray:
            raise InvalidInput(f"{', '.join(stray)}: with torrents, give these options inside each item of the list")
        items = [Item(item, f"torrents[{index}].") for index, item in enumerate(params["torrents"])]
    problems = Problems()
    for item in items:
        check_item(item, problems)
    problems.raise_any()
    identify(items, client)
    return items


def check_item(item, problems):
    """Local checks of one item; normalises paths, tags, trackers and limits in place."""
    p, opt = item.params, item.option
    if (p["source"] is None) == (p["hash"] is None):
        problems.add(f"{opt('source')}: give either source or hash for each torrent (exactly one)")
    if item.state == "absent":
        given = [key for key in [*PROPERTIES, *ADD_OPTIONS] if p[key] is not None]
        given += [key for key in ("create_category", "purge_tags", "purge_trackers") if p[key]]
        given += ["wait"] if p["wait"] != "none" else []
        if given:
            problems.add(f"{opt('state')}: absent removes the torrent, so {', '.join(given)} cannot be declared")
    elif p["delete_files"]:
        problems.add(f"{opt('delete_files')}: only applies with state: absent")
    for key, field in FIELDS.items():
        if p[key] is not None and field.check:
            p[key] = problems.check(field.check, opt(key), p[key])
    for key in ("upload_limit", "download_limit"):
        if p[key] == -1:
            p[key] = 0  # qBittorrent reports unlimited as 0
    if p["name"] is not None:
        problems.check(text, opt("name"), p["name"], "torrent name")
    for key in ("tags", "trackers"):
        if p[f"purge_{key}"] and p[key] is None:
            problems.add(f"{opt('purge_' + key)}: needs {key}, the exact list to keep (an empty list for none)")
    if p["trackers"] is not None:
        p["trackers"] = problems.check(tracker_urls, opt("trackers"), p["trackers"])
    if p["auto_tmm"] and (p["save_path"] is not None or p["download_path"] is not None):
        problems.add(
            f"{opt('auto_tmm')}: with Automatic Torrent Management the category decides the paths, so save_path "
            "and download_path cannot be declared too"
        )
    if p["force_start"] and item.state == "stopped":
        problems.add(f"{opt('force_start')}: force start starts the torrent, so it contradicts state: stopped")


def identify(items, client=None):
    """Compute every item's hashes (reading files, downloading URLs with CLIENT) and refuse a torrent declared twice."""
    seen = {}
    for item in items:
        if item.params["hash"] is not None:
            try:
                item.hashes = from_hash(item.params["hash"])
            except TorrentError as exc:
                raise InvalidInput(f"{item.option('hash')}: {exc}") from exc
        else:
            option, text_ = item.option("source"), item.params["source"]
            item.source = A.resolve_source(option, text_, client)
            item.hashes = item.source.hashes
        for key in item.hashes.keys():
            other = seen.setdefault(key, item)
            if other is not item:
                raise InvalidInput(
                    f"torrents: {other.prefix[:-1]} and {item.prefix[:-1]} are the same torrent ({item.hashes.id}); "
                    "declare each torrent once"
                )


def gate(client, items):
    """Version checks of what the task declares: fail, or drop the option with a warning. Returns the items this
    server can hold (see as_the_server_sees)."""
    for option, what in GATES.items():
        users = [item for item in items if item.state != "absent" and item.params[option] is not None]
        if users and not client.require(what, setting=f"{option} of a torrent"):
            for item in users:
                item.params[option] = None
    return as_the_server_sees(client, items)


def as_the_server_sees(client, items):
    """The items as a server without BitTorrent v2 (before 4.4, feature v2_torrents) knows them.

    A v2-only torrent to add is refused before any write (it would answer 415 or "Fails."), or left out with a
    warning (fail_on_unimplemented_endpoint: false); it cannot be on such a server, so the result shows it absent.
    A hybrid torrent is the v1 torrent the server sees: found, named and reported by its v1 hash, which is its id
    there (docs/dev/webapi-facts.md#info-hashes-and-torrent-ids).
    """
    if not any(item.hashes.v2 for item in items) or client.supports("v2_torrents"):
        return items
    v2_only = [item for item in items if item.hashes.v1 is None and item.source is not None and item.state != "absent"]
    if v2_only:
        named = " and ".join(f"{item.option('source')} {item.params['source'][:200]!r}" for item in v2_only)
        what = "a v2-only torrent" if len(v2_only) == 1 else "v2-only torrents"
        if not client.require("v2_torrents", setting=f"{named} ({what})"):
            items = [item for item in items if item not in v2_only]
    for item in items:
        if item.hashes.v1 and item.hashes.v2:
            item.hashes = TorrentHashes(v1=item.hashes.v1, name=item.hashes.name)
    return items


def not_found_hint(client, item):
    """Why a torrent declared by a v2 hash is not found on a server without v2, or ''."""
    if item.hashes.v1 is not None or client.supports("v2_torrents"):
        return ""
    minimum, release = FEATURES["v2_torrents"]
    return (
        f" (qBittorrent before {release}, WebAPI {minimum}, has no BitTorrent v2 and knows a hybrid torrent by its v1"
        " hash only: give that one)"
    )
