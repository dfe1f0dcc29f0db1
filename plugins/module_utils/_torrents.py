# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Torrents on the server: the calls whose name or fields changed between versions, one view of a torrents/info
entry and bounded polling.

Grouped writes live in _torrent_writes, adding in _torrent_add, trackers in _trackers, hashes and magnets in
_infohash. Facts: docs/dev/webapi-facts.md#torrents and #info-hashes-and-torrent-ids (state changes show after
1-1.5 s, as seen on 4.5.2, 5.1.0 and 5.3.0).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import _hash_chunks as H
from ._errors import QbtError
from ._fields import normalize_tags
from ._infohash import TorrentHashes, TorrentIndex
from ._trackers import read_tracker_urls

POLL_INTERVAL = 0.25

STOPPED_STATES = frozenset({"stoppedUP", "stoppedDL"})
# States that say nothing about whether the torrent is stopped: qBittorrent shows them before 'stopped'.
UNCLEAR_STATES = frozenset({"missingFiles", "error", "moving", "checkingResumeData", "unknown"})
CHECKING_STATES = frozenset({"checkingUP", "checkingDL", "checkingResumeData", "moving"})
FAILED_STATES = frozenset({"missingFiles", "error"})

# view key -> torrents/info field
INFO_FIELDS = {
    "hash": "hash",
    "infohash_v1": "infohash_v1",
    "infohash_v2": "infohash_v2",
    "name": "name",
    "progress": "progress",
    "size": "size",
    "category": "category",
    "save_path": "save_path",
    "download_path": "download_path",
    "upload_limit": "up_limit",
    "download_limit": "dl_limit",
    "ratio_limit": "ratio_limit",
    "seeding_time_limit": "seeding_time_limit",
    "inactive_seeding_time_limit": "inactive_seeding_time_limit",
    "share_limit_action": "share_limit_action",
    "share_limits_mode": "share_limits_mode",
    "auto_tmm": "auto_tmm",
    "sequential_download": "seq_dl",
    "first_last_piece_priority": "f_l_piece_prio",
    "super_seeding": "super_seeding",
    "force_start": "force_start",
}


# ------------------------------------------------------------------- calls whose name or fields changed
# 5.0 renamed paused/resumed to stopped/running in states and filters (WebAPI 2.11.0).
_FILTER_NAMES_5X = {"paused": "stopped", "resumed": "running"}


_FILTER_NAMES_4X = {value: key for key, value in _FILTER_NAMES_5X.items()}


def uses_stopped_names(client) -> bool:
    """True on qBittorrent 5.0+, where torrents are 'stopped' and 'running' rather than 'paused' and 'resumed'."""
    return client.supports("torrent_stopped_names")


def status_filter(client, name: str) -> str:
    """The torrents/info filter value this server understands ('paused' on 5.x means 'stopped', and back).

    An unknown filter value would silently list every torrent, so the translation matters.
    """
    table = _FILTER_NAMES_5X if uses_stopped_names(client) else _FILTER_NAMES_4X
    return table.get(name, name)


def stop_torrents(client, hashes: Iterable[str]) -> None:
    """torrents/stop on 5.0+, torrents/pause before (the old name answers 404 on 5.x)."""
    endpoint = "torrents/stop" if uses_stopped_names(client) else "torrents/pause"
    H.post(client, endpoint, hashes)


def start_torrents(client, hashes: Iterable[str]) -> None:
    """torrents/start on 5.0+, torrents/resume before."""
    endpoint = "torrents/start" if uses_stopped_names(client) else "torrents/resume"
    H.post(client, endpoint, hashes)


# ----------------------------------------------------------------- torrents (qbt_torrent)
# 4.x names the stopped states paused*; results always use the 5.x names.
_STOPPED_STATES = {"pausedUP": "stoppedUP", "pausedDL": "stoppedDL"}


# torrents/setShareLimits requires every share-limit field the server reports in torrents/info:
# inactiveSeedingTimeLimit from 4.6, shareLimitAction from 5.2, shareLimitsMode from 5.3 (400 without them).
SHARE_LIMIT_FIELDS = {
    "ratio_limit": "ratioLimit",
    "seeding_time_limit": "seedingTimeLimit",
    "inactive_seeding_time_limit": "inactiveSeedingTimeLimit",
    "share_limit_action": "shareLimitAction",
    "share_limits_mode": "shareLimitsMode",
}


def torrent_state(state: str) -> str:
    """A torrents/info state in 5.x words: pausedUP/pausedDL (4.x) become stoppedUP/stoppedDL."""
    return _STOPPED_STATES.get(state, state)


def torrents_info(
    client,
    hashes: list[str] | None = None,
    trackers: Callable[[Mapping[str, Any]], bool] | None = None,
    messages: Callable[[Mapping[str, Any]], bool] | None = None,
) -> list[dict[str, Any]]:
    """torrents/info (all torrents, or only these ids); entries for which trackers(entry) is true get
    'tracker_urls', their tracker URLs without the DHT/PeX/LSD pseudo entries, and 'tracker_entries'.

    5.1+ lists the trackers in the same read (includeTrackers). A read of every torrent on 4.3 to 4.5 is one
    sync/maindata read, which lists every torrent's tracker URLs too; then only the entries for which
    messages(entry) is true, with their URLs known, are read again for the trackers' messages. Other servers
    need one torrents/trackers read per torrent, skipped for torrents whose trackers_count is 0.
    """
    if hashes is not None and not hashes:
        return []
    if trackers and hashes is None and maindata_lists_trackers(client):
        entries, urls = _maindata(client)
        read_tracker_urls(client, entries, trackers, urls, messages)
        return entries
    params: dict[str, Any] = {}
    if trackers and client.supports("info_include_trackers"):
        params["includeTrackers"] = True
    if hashes:
        entries = H.get_json(client, "torrents/info", hashes, params)
    else:
        entries = client.get_json("torrents/info", params or None)
    if trackers:
        read_tracker_urls(client, entries, trackers)
    return entries


def maindata_lists_trackers(client) -> bool:
    """Whether a read of every torrent with its trackers is one sync/maindata read (4.3 to 4.5)."""
    return (
        not client.supports("info_include_trackers")
        and client.supports("maindata_trackers")
        and not client.supports("maindata_snapshot")
    )


def _maindata(client) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Every torrent from sync/maindata (rid 0: everything), as torrents/info lists it, and {hash: tracker URLs}.

    maindata keys the torrents by hash without a hash field, and lists the trackers as {URL: [hashes]}
    (SyncController::maindataAction, src/webui/api/synccontroller.cpp at release-4.5.2).
    """
    data = client.get_json("sync/maindata", {"rid": 0}) or {}
    entries = [dict(fields, hash=torrent_hash) for torrent_hash, fields in (data.get("torrents") or {}).items()]
    urls: dict[str, list[str]] = {}
    for url, torrent_hashes in (data.get("trackers") or {}).items():
        for torrent_hash in torrent_hashes:
            urls.setdefault(torrent_hash, []).append(url)
    for listed in urls.values():
        listed.sort()  # maindata's map has no order; torrents/trackers lists by tier
    return entries, urls


V2_FIRST_PAGE = 64


def v2_torrents(client, trackers: Callable[[Mapping[str, Any]], bool] | None = None) -> list[dict[str, Any]]:
    """The torrents that have a v2 hash (v2 and hybrid ones), without reading the others.

    torrents/info sorted by infohash_v2, descending, lists them first (an empty hash sorts lowest; the sort and
    limit/offset are applied in TorrentsController::infoAction, src/webui/api/torrentscontroller.cpp), so pages
    (doubling in size) are read until one holds a torrent without a v2 hash: a server of v1 torrents costs one
    short page. 4.5 restarts at offset 0 past the end of the list, hence the check for entries already seen.
    Before 4.4 there is no v2 torrent (and no infohash_v2 to sort by).
    """
    if not client.supports("info_hash_v2"):
        return []
    params: dict[str, Any] = {"sort": "infohash_v2", "reverse": "true"}
    if trackers and client.supports("info_include_trackers"):
        params["includeTrackers"] = True
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    limit = V2_FIRST_PAGE
    while True:
        page = client.get_json("torrents/info", {**params, "limit": limit, "offset": len(found)}) or []
        fresh = [entry for entry in page if entry.get("infohash_v2") and entry["hash"] not in seen]
        found += fresh
        seen.update(entry["hash"] for entry in fresh)
        if len(fresh) < len(page) or len(page) < limit:
            break
        limit *= 2
    if trackers:
        read_tracker_urls(client, found, trackers)
    return found


def set_share_limits(client, hashes: list[str], limits: Mapping[str, Any]) -> None:
    """POST torrents/setShareLimits with every field in limits (keys of SHARE_LIMIT_FIELDS whose value is set).

    The caller passes the torrent's current values for the limits it does not change, so the version-dependent
    required fields are always complete and unchanged limits keep their values.
    """
    fields: dict[str, Any] = {}
    for key, name in SHARE_LIMIT_FIELDS.items():
        if limits.get(key) is not None:
            fields[name] = limits[key]
    H.post(client, "torrents/setShareLimits", hashes, fields)


def change_tags(client, hashes: list[str], add: list[str], remove: list[str]) -> None:
    """addTags/removeTags; removeTags is never sent without tags, because then it removes every tag."""
    if add:
        H.post(client, "torrents/addTags", hashes, {"tags": ",".join(add)})
    if remove:
        H.post(client, "torrents/removeTags", hashes, {"tags": ",".join(remove)})


def delete_torrents(client, hashes: list[str], delete_files: bool) -> None:
    """POST torrents/delete; deleteFiles is required on every version."""
    H.post(client, "torrents/delete", hashes, {"deleteFiles": delete_files})


def set_tags(client, hashes: list[str], tags: list[str]) -> None:
    """Exactly these tags: torrents/setTags on 5.1+; before, the caller uses change_tags with what differs."""
    H.post(client, "torrents/setTags", hashes, {"tags": ",".join(tags)})


# ------------------------------------------------------------------- one view of a torrent
def has_metadata(entry: Mapping[str, Any]) -> bool:
    """5.x says has_metadata; 4.x reports total_size -1 for a magnet whose metadata has not arrived."""
    if "has_metadata" in entry:
        return bool(entry["has_metadata"])
    return entry.get("total_size", -1) >= 0


def view(entry: Mapping[str, Any]) -> dict[str, Any]:
    """One torrent as modules return and compare it: the collection's names, 5.x state names, tags as a list.

    Fields the server does not report (share_limit_action before 5.2, ...) are left out rather than guessed.
    """
    result = {key: entry[field] for key, field in INFO_FIELDS.items() if field in entry}
    if "infohash_v1" not in entry and "hash" in entry:
        # Before 4.4 (libtorrent 1.2) every torrent is a v1 torrent whose id is its SHA-1 info hash (libtorrent's
        # info_hash: TorrentHandleImpl::hash, src/base/bittorrent/torrenthandleimpl.cpp at release-4.2.5);
        # infohash_v1/v2 are reported from 4.4.0 (serialize, src/webui/api/serialize/serialize_torrent.cpp).
        result.update(infohash_v1=entry["hash"], infohash_v2="")
    # Before 4.4 the save path ends with '/' (normalizePath in src/base/bittorrent/session.cpp at release-4.2.5) and
    # unlimited is -1 (libtorrent's own upload_limit(): TorrentHandleImpl::uploadLimit, torrenthandleimpl.cpp);
    # results say it the way later versions do, as compared (both observed on 4.2.5).
    save_path = result.get("save_path")
    if isinstance(save_path, str) and len(save_path) > 1 and save_path.endswith("/"):
        result["save_path"] = save_path.rstrip("/") or "/"
    for key in ("upload_limit", "download_limit"):
        if isinstance(result.get(key), int) and result[key] < 0:
            result[key] = 0
    result["state"] = torrent_state(entry.get("state", "unknown"))
    result["has_metadata"] = has_metadata(entry)
    result["tags"] = entry_tags(entry)
    if "tracker_urls" in entry:
        result["trackers"] = list(entry["tracker_urls"])
    return result


def entry_tags(entry: Mapping[str, Any]) -> list[str]:
    """A torrents/info entry's tags as a sorted list (torrents/info joins them with ', ')."""
    return normalize_tags(entry.get("tags") or "")


def run_state(state: str, stopped_ids: Iterable[str] | None = None, torrent_id: str = "") -> str:
    """'stopped' or 'started'; for states that hide it (missingFiles, moving...) stopped_ids decides."""
    if state in STOPPED_STATES:
        return "stopped"
    if state in UNCLEAR_STATES and stopped_ids is not None:
        return "stopped" if torrent_id in stopped_ids else "started"
    return "started"


def stopped_ids(client, hashes: list[str]) -> set[str]:
    """The ids among hashes that qBittorrent has stopped, whatever state it shows (one filtered read)."""
    if not hashes:
        return set()
    params = {"filter": status_filter(client, "stopped")}
    return {entry["hash"] for entry in H.get_json(client, "torrents/info", hashes, params)}


# ----------------------------------------------------------------- reading and waiting
def read_index(client, hashes: list[str] | None = None, trackers: Callable | None = None) -> TorrentIndex:
    """torrents/info as an index: of every torrent, or of these ids (read in chunks that fit a URL)."""
    return TorrentIndex(torrents_info(client, hashes, trackers))


def wait_until(
    client, targets: list[tuple[TorrentHashes, str, str]], timeout: float, ids: list[str] | None = None
) -> TorrentIndex:
    """Poll until every (hashes, wait, label) target is ready; fail at once for a torrent that never will be, and
    after timeout seconds naming the torrents still waiting with their state and progress. IDS: the server's ids
    of the targets (default: the ids their hashes imply)."""

    def done(index: TorrentIndex) -> bool:
        outcome = True
        for hashes, wait, label in targets:
            entry = index.find(hashes) or {}
            ok = ready(entry, wait) if entry else False
            if ok is None:
                raise QbtError(
                    f"{label}: waiting for {wait}, but the torrent is in state {entry.get('state')} (its files are "
                    "missing or in error; check save_path)"
                )
            outcome = outcome and ok
        return outcome

    ids = ids or [key for target in targets for key in target[0].lookup]
    index, ok = poll(lambda: read_index(client, ids), done, timeout)
    if not ok:
        late = []
        for hashes, wait, label in targets:
            entry = index.find(hashes) or {}
            if not (entry and ready(entry, wait)):
                late.append(f"{label} ({entry.get('state', 'gone')}, progress {entry.get('progress', 0)})")
        raise QbtError(f"timed out after {timeout:g} s (wait_timeout) waiting for: {', '.join(late)[:1500]}")
    return index


def ready(entry: Mapping[str, Any], wait: str) -> bool | None:
    """True when the torrent reached `wait`, False when not yet, None when it never will (missing files, error)."""
    state = entry.get("state", "")
    if wait == "none":
        return True
    if wait == "metadata":
        return has_metadata(entry)
    if state in FAILED_STATES:
        return None
    if not has_metadata(entry) or state in CHECKING_STATES:
        return False
    return wait == "checked" or entry.get("progress", 0) >= 1


def poll(
    read: Callable[[], Any], done: Callable[[Any], bool], timeout: float, first_read_after: float = 0.0
) -> tuple[Any, bool]:
    """Call read() until done(result) or timeout seconds passed; returns (last result, done).

    first_read_after: seconds the server is expected to need; the first read waits that long (within the timeout).
    """
    deadline = time.monotonic() + timeout
    time.sleep(min(first_read_after, timeout))
    while True:
        result = read()
        if done(result):
            return result, True
        if time.monotonic() >= deadline:
            return result, False
        time.sleep(POLL_INTERVAL)


# What qbt_info's torrent_fields can ask for: the view's keys and the raw entry.
VIEW_FIELDS = (*INFO_FIELDS, "state", "has_metadata", "tags", "raw")


def read_views(client, filters: Mapping[str, Any] | None, fields: list[str] | None = None) -> list[dict[str, Any]]:
    """qbt_info's torrents: each in qbt_torrent's view (its names, 5.x states, sorted tags), the server's entry
    under 'raw'; FILTERS are qbt_info's torrent_filters, FIELDS its torrent_fields (None: every field).

    With FIELDS, each server entry is dropped as soon as its view is built, so the result (which Ansible copies
    more than once on its way to the controller) holds only the fields asked for."""
    filters = filters or {}
    params = {"category": filters.get("category"), "tag": filters.get("tag")}
    if filters.get("status"):
        params["filter"] = status_filter(client, filters["status"])
    if filters.get("hashes"):
        entries = H.get_json(client, "torrents/info", filters["hashes"], params)
    else:
        entries = client.get_json("torrents/info", params) or []
    if filters.get("tag") and not client.supports("info_tag_filter"):
        # ignored by the server before 4.4.0 (_versions.FEATURES info_tag_filter): filtered here instead
        entries = [entry for entry in entries if filters["tag"] in normalize_tags(entry.get("tags") or "")]
    if fields is None:
        return [dict(view(entry), raw=entry) for entry in entries]
    result = []
    entries.reverse()
    while entries:
        entry = entries.pop()
        full = dict(view(entry), raw=entry)
        result.append({key: full[key] for key in fields if key in full})
    return result
