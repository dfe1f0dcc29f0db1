# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Trackers of torrents: the tracker URL rule, reading a torrent's tracker URLs on every version, and adding and
removing them with the fewest requests the version allows.

Facts: docs/dev/webapi-facts.md#trackers (src/webui/api/torrentscontroller.cpp: trackersAction,
addTrackersAction, removeTrackersAction; includeTrackers in infoAction from 5.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import _hash_chunks as H
from ._errors import InvalidInput

_TRACKER_URL = re.compile(r"^(https?|udp|wss?)://[^\s|]+$", re.IGNORECASE)
# torrents/trackers lists the DHT, PeX and LSD pseudo trackers as '** [DHT] **' and the like.
_PSEUDO = "** ["


def tracker_urls(option: str, urls: Iterable[str]) -> list[str]:
    """Declared tracker URLs, trimmed and unique in order; each one line of http, https, udp or ws."""
    result = list(dict.fromkeys(url.strip() for url in urls))
    for url in result:
        if not _TRACKER_URL.match(url):
            raise InvalidInput(f"{option}: {url!r} is not a tracker URL (http, https, udp or ws)")
    return result


def read_tracker_urls(client, entries: Iterable[dict[str, Any]], wanted: Callable[[Mapping[str, Any]], bool]) -> None:
    """Give each entry for which wanted(entry) is true its 'tracker_urls', without the pseudo trackers.

    5.1+ listed them in the torrents/info read (includeTrackers); older servers need one torrents/trackers read
    per torrent, skipped for torrents whose trackers_count is 0.
    """
    for entry in entries:
        if not wanted(entry):
            continue
        listed = entry.get("trackers")
        if listed is None and entry.get("trackers_count", 1):
            listed = client.get_json("torrents/trackers", {"hash": entry["hash"]})
        entry["tracker_urls"] = [item["url"] for item in listed or [] if not item["url"].startswith(_PSEUDO)]


def _per_hash_calls(client, hashes: list[str]) -> list[str]:
    """5.2+ takes a |-list of hashes in addTrackers/removeTrackers (in body-sized chunks); before, one call per
    torrent."""
    if client.supports("trackers_many_hashes"):
        return [H.join(run) for run in H.chunks(hashes, H.BODY_BYTES)]
    return list(hashes)


def add_trackers(client, hashes: list[str], urls: list[str]) -> None:
    """POST torrents/addTrackers (urls newline-separated, all in one tier)."""
    for target in _per_hash_calls(client, hashes):
        client.post("torrents/addTrackers", {"hash": target, "urls": "\n".join(urls)})


def remove_trackers(client, hashes: list[str], urls: list[str]) -> None:
    """POST torrents/removeTrackers (urls |-separated)."""
    for target in _per_hash_calls(client, hashes):
        client.post("torrents/removeTrackers", {"hash": target, "urls": "|".join(urls)})
