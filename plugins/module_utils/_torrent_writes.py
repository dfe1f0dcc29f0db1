# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Grouped writes to torrents: one call per setter and value for every torrent that needs it (hashes=a|b|c, split
by _hash_chunks), in the order that keeps each call's effect (qbt_torrent and qbt_torrent_policy)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import _hash_chunks as H
from . import _trackers
from ._torrents import SHARE_LIMIT_FIELDS, change_tags, set_share_limits, set_tags, start_torrents, stop_torrents


def _post(endpoint: str, field: str, hash_field: str = "hashes") -> Callable:
    return lambda client, hashes, value: H.post(client, endpoint, hashes, {field: value}, hash_field)


def _toggle(endpoint: str) -> Callable:
    return lambda client, hashes, value: H.post(client, endpoint, hashes)


def _rename(client, hashes, value) -> None:
    for torrent_hash in hashes:  # torrents/rename takes a single hash
        client.post("torrents/rename", {"hash": torrent_hash, "name": value})


# In the order they are applied: category before auto_tmm (which then moves data to the category's path),
# paths after auto_tmm (setLocation turns it off), force_start before stop/start (setForceStart starts a torrent).
SETTERS: dict[str, Callable] = {
    "category": _post("torrents/setCategory", "category"),
    "auto_tmm": _post("torrents/setAutoManagement", "enable"),
    "save_path": _post("torrents/setLocation", "location"),
    "download_path": _post("torrents/setDownloadPath", "path", hash_field="id"),
    "name": _rename,
    "upload_limit": _post("torrents/setUploadLimit", "limit"),
    "download_limit": _post("torrents/setDownloadLimit", "limit"),
    "share_limits": lambda client, hashes, value: set_share_limits(client, hashes, dict(value)),
    "set_tags": lambda client, hashes, value: set_tags(client, hashes, list(value)),
    "change_tags": lambda client, hashes, value: change_tags(client, hashes, list(value[0]), list(value[1])),
    "add_trackers": lambda client, hashes, value: _trackers.add_trackers(client, hashes, list(value)),
    "remove_trackers": lambda client, hashes, value: _trackers.remove_trackers(client, hashes, list(value)),
    "edit_tracker": lambda client, hashes, value: _trackers.edit_tracker(client, hashes, *value),
    "sequential_download": _toggle("torrents/toggleSequentialDownload"),
    "first_last_piece_priority": _toggle("torrents/toggleFirstLastPiecePrio"),
    "super_seeding": _post("torrents/setSuperSeeding", "value"),
    "force_start": _post("torrents/setForceStart", "value"),
    "stop": lambda client, hashes, value: stop_torrents(client, hashes),
    "start": lambda client, hashes, value: start_torrents(client, hashes),
}


TOGGLES = ("sequential_download", "first_last_piece_priority")


def _added_removed(before: list, after: list) -> tuple[tuple, tuple]:
    return tuple(x for x in after if x not in before), tuple(x for x in before if x not in after)


class Writes:
    """Setter calls grouped by (setter, value): each is sent once, for every torrent that needs it."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, Any], list[str]] = {}

    def __bool__(self) -> bool:
        return bool(self.groups)

    def add(self, setter: str, value: Any, torrent_hash: str) -> None:
        if setter not in SETTERS:
            raise KeyError(setter)
        hashes = self.groups.setdefault((setter, value), [])
        if torrent_hash not in hashes:
            hashes.append(torrent_hash)

    def queue(
        self, changes: Mapping[str, tuple[Any, Any]], current: Mapping[str, Any], exact_tags: bool, client
    ) -> None:
        """Queue the calls that turn current (a view) into the 'after' values of changes {key: (before, after)}.

        Share limits are sent together, completed with the torrent's current values; exact tag sets use setTags
        where the server has it; a start is left out when force start (which starts the torrent) is set.
        """
        torrent_hash = current["hash"]
        limits = {}
        for key, (before, after) in changes.items():
            if key in SETTERS:
                self.add(key, None if key in TOGGLES else after, torrent_hash)
            elif key in SHARE_LIMIT_FIELDS:
                limits[key] = after
            elif key == "tags" and exact_tags and client.supports("torrents/setTags"):
                self.add("set_tags", tuple(after), torrent_hash)
            elif key == "tags":
                added, removed = _added_removed(before, after)
                self.add("change_tags", (added, removed), torrent_hash)
            elif key == "trackers":
                added, removed = _added_removed(before, after)
                for setter, urls in (("add_trackers", added), ("remove_trackers", removed)):
                    if urls:
                        self.add(setter, urls, torrent_hash)
            elif key == "state" and not (after == "started" and changes.get("force_start", (0, 0))[1] is True):
                self.add("stop" if after == "stopped" else "start", None, torrent_hash)
        if limits:
            merged = {key: current[key] for key in SHARE_LIMIT_FIELDS if key in current}
            self.add("share_limits", tuple(sorted({**merged, **limits}.items())), torrent_hash)

    def apply(self, client) -> None:
        order = list(SETTERS)
        for (setter, value), hashes in sorted(self.groups.items(), key=lambda item: order.index(item[0][0])):
            SETTERS[setter](client, hashes, value)
