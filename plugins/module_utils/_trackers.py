# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Trackers of torrents: the tracker URL rule, reading a torrent's tracker URLs on every version, and adding and
removing them with the fewest requests the version allows.

Facts: docs/dev/webapi-facts.md#trackers (src/webui/api/torrentscontroller.cpp: trackersAction,
addTrackersAction, removeTrackersAction; includeTrackers in infoAction from 5.1).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import _hash_chunks as H
from ._errors import InvalidInput
from ._fields import mask_tracker_url

_TRACKER_URL = re.compile(r"^(https?|udp|wss?)://[^\s|]+$", re.IGNORECASE)
# torrents/trackers lists the DHT, PeX and LSD pseudo trackers as '** [DHT] **' and the like.
_PSEUDO = "** ["


def per_url(function: Callable[[str], Any]) -> Callable[[str], Any]:
    """FUNCTION of a tracker URL, remembered per URL for the task: thousands of torrents share a few tracker URLs."""
    return functools.lru_cache(maxsize=None)(function)


def tracker_urls(option: str, urls: Iterable[str]) -> list[str]:
    """Declared tracker URLs, trimmed and unique in order; each one line of http, https, udp or ws."""
    result = list(dict.fromkeys(url.strip() for url in urls))
    for url in result:
        if not _TRACKER_URL.match(url):
            raise InvalidInput(f"{option}: {url!r} is not a tracker URL (http, https, udp or ws)")
    return result


def read_tracker_urls(
    client,
    entries: Iterable[dict[str, Any]],
    wanted: Callable[[Mapping[str, Any]], bool],
    urls: Mapping[str, list[str]] | None = None,
    messages: Callable[[Mapping[str, Any]], bool] | None = None,
) -> None:
    """Give each entry for which wanted(entry) is true its 'tracker_urls', without the pseudo trackers, and
    'tracker_entries', the server's entries of them (url, tier, status, msg).

    5.1+ listed them in the torrents/info read (includeTrackers). URLS, {hash: tracker URLs} from sync/maindata
    (4.3 to 4.5), gives every entry its URLs but no tier, status or message: an entry for which messages(entry) is
    true once its URLs are known is read again. Otherwise one torrents/trackers read per torrent, skipped for
    torrents whose trackers_count is 0.
    """
    for entry in entries:
        listed = entry.get("trackers")
        if listed is None and urls is not None:
            entry["tracker_entries"] = [{"url": url} for url in urls.get(entry["hash"], [])]
            entry["tracker_urls"] = [item["url"] for item in entry["tracker_entries"]]
            if not (messages and entry["tracker_urls"] and messages(entry)):
                continue
        elif not wanted(entry):
            continue
        if listed is None and entry.get("trackers_count", 1):
            listed = client.get_json("torrents/trackers", {"hash": entry["hash"]})
        entry["tracker_entries"] = [item for item in listed or [] if not item["url"].startswith(_PSEUDO)]
        entry["tracker_urls"] = [item["url"] for item in entry["tracker_entries"]]


def read_in_tier_order(client, entry: dict[str, Any]) -> bool:
    """Read a torrent's trackers again, in the server's tier order, when only sync/maindata listed them (4.3 to
    4.5: URLs without tier, in no order); True when it did. For outputs that show a torrent's tracker list."""
    if all("tier" in item for item in entry.get("tracker_entries") or []):
        return False
    read_tracker_urls(client, [entry], lambda _entry: True)
    return True


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


def edit_tracker(client, hashes: list[str], original: str, new: str) -> None:
    """POST torrents/editTracker for each torrent (it takes one hash on every version); the tracker keeps its tier.

    The edited URL is 'url' from WebAPI 2.13.0 and 'origUrl' before (feature edit_tracker_url). The server answers
    409 when the new URL is already a tracker of the torrent or the old one is not (editTrackerAction).
    """
    field = "url" if client.supports("edit_tracker_url") else "origUrl"
    for torrent_hash in hashes:
        client.post("torrents/editTracker", {"hash": torrent_hash, field: original, "newUrl": new})


class Replacement:
    """One trackers.replace rule, its NUMBER in the list: substitute(url) is the URL it makes of URL."""

    def __init__(self, number: int, pattern: re.Pattern, replacement: str) -> None:
        self.number, self.pattern, self.replacement = number, pattern, replacement
        self.substitute = per_url(lambda url: pattern.sub(replacement, url))


class TrackerEdits:
    """A torrent's trackers as tracker edits (qbt_torrent_policy) change them: each entry remembers the URL it
    had on the server, so the edits become editTracker calls (the tracker keeps its tier), removals and additions."""

    def __init__(self, entries) -> None:
        self.entries = [{"original": item["url"], "url": item["url"]} for item in entries or []]
        self.originals = [item["url"] for item in entries or []]

    def apply(self, option: str, replace, remove, add) -> bool:
        """Replace (Replacement rules), then remove (compiled regexes), then add (URLs); OPTION names the policy in
        messages. True when anything changed."""
        if not (replace or remove or add):
            return False
        changed = False
        for rule in replace:
            number = rule.number
            for item in list(self.entries):
                try:
                    new = rule.substitute(item["url"])
                except (re.error, IndexError) as exc:
                    raise InvalidInput(
                        f"{option}.trackers.replace[{number}].replacement: {rule.replacement!r} does not fit the "
                        f"regex ({exc})"
                    ) from exc
                if new == item["url"]:
                    continue
                tracker_urls(f"{option}.trackers.replace[{number}]", [new])
                changed = True
                if any(other["url"] == new for other in self.entries if other is not item):
                    self.entries.remove(item)  # the URL is there already (editTracker would answer 409)
                else:
                    item["url"] = new
        for pattern in remove:
            kept = [item for item in self.entries if not (pattern and pattern.search(item["url"]))]
            changed = changed or len(kept) != len(self.entries)
            self.entries = kept
        for url in add:
            if all(item["url"] != url for item in self.entries):
                self.entries.append({"original": None, "url": url})
                changed = True
        return changed

    def operations(self) -> tuple[list[tuple[str, str]], list[str], list[str]]:
        """(editTracker pairs, URLs to remove, URLs to add) that turn the server's list into this one."""
        kept = {item["original"] for item in self.entries}
        edits = [
            (item["original"], item["url"])
            for item in self.entries
            if item["original"] and item["url"] != item["original"]
        ]
        removes = [url for url in self.originals if url not in kept]
        adds = [item["url"] for item in self.entries if item["original"] is None and item["url"] not in self.originals]
        return edits, removes, adds

    def before(self) -> list[str]:
        return list(self.originals)

    def after(self) -> list[str]:
        return [item["url"] for item in self.entries]


# The fields of a torrent that hold tracker URLs: the current tracker and the magnet's tr= parameters.
_URL_FIELDS = ("tracker", "magnet_uri")


def mask_torrent_urls(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """qbt_info's torrents (_torrents.read_views) with the passkeys of their tracker URLs masked, in place
    (_fields.mask_tracker_url).

    Only the fields that hold tracker URLs are looked at, so that a read of every torrent of a big server costs
    one check per torrent, not a walk over all its fields."""
    for torrent in views:
        for entry in (torrent, torrent.get("raw") or {}):
            for key in _URL_FIELDS:
                if entry.get(key):
                    entry[key] = mask_tracker_url(entry[key])
        if torrent.get("trackers"):
            torrent["trackers"] = [mask_tracker_url(url) for url in torrent["trackers"]]
    return views
