# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WebUI API calls whose name, parameters or answer changed between qBittorrent releases.

Modules call these instead of the raw endpoints, so no module ever looks at a version for them.
Facts: docs/dev/webapi-facts.md#categories and #torrents (qBittorrent's src/webui/api/torrentscontroller.cpp).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._client import Client
from ._errors import Conflict, UnexpectedResponse
from ._versions import has_feature

# 5.0 renamed paused/resumed to stopped/running in states and filters (WebAPI 2.11.0).
_FILTER_NAMES_5X = {"paused": "stopped", "resumed": "running"}
_FILTER_NAMES_4X = {value: key for key, value in _FILTER_NAMES_5X.items()}


def uses_stopped_names(client: Client) -> bool:
    """True on qBittorrent 5.0+, where torrents are 'stopped' and 'running' rather than 'paused' and 'resumed'."""
    return has_feature("torrent_stopped_names", client.webapi_version)


def status_filter(client: Client, name: str) -> str:
    """The torrents/info filter value this server understands ('paused' on 5.x means 'stopped', and back).

    An unknown filter value would silently list every torrent, so the translation matters.
    """
    table = _FILTER_NAMES_5X if uses_stopped_names(client) else _FILTER_NAMES_4X
    return table.get(name, name)


def join_hashes(hashes: Iterable[str]) -> str:
    return "|".join(hashes)


def stop_torrents(client: Client, hashes: Iterable[str]) -> None:
    """torrents/stop on 5.0+, torrents/pause before (the old name answers 404 on 5.x)."""
    endpoint = "torrents/stop" if uses_stopped_names(client) else "torrents/pause"
    client.post(endpoint, {"hashes": join_hashes(hashes)})


def start_torrents(client: Client, hashes: Iterable[str]) -> None:
    """torrents/start on 5.0+, torrents/resume before."""
    endpoint = "torrents/start" if uses_stopped_names(client) else "torrents/resume"
    client.post(endpoint, {"hashes": join_hashes(hashes)})


def add_stopped_fields(client: Client, stopped: bool | None) -> dict[str, Any]:
    """The torrents/add field that adds a torrent stopped: 'stopped' on 5.0+, 'paused' before.

    5.x ignores 'paused' and would start the torrent, so sending the right name matters.
    """
    if stopped is None:
        return {}
    return {"stopped" if uses_stopped_names(client) else "paused": stopped}


def add_torrents(client: Client, fields: Mapping[str, Any], files: Any = None) -> dict[str, Any]:
    """POST torrents/add; return {'added': bool, 'pending': bool, 'ids': [...], 'answer': text}.

    Up to 5.1 the answer is text: 'Ok.' when something was added, 'Fails.' when nothing was (a duplicate).
    From 5.2 it is JSON with counts and ids (202 while URL downloads are pending), and 409 when nothing was added.
    """
    try:
        response = client.post("torrents/add", fields, files=files)
    except Conflict as exc:
        return {"added": False, "pending": False, "ids": [], "answer": exc.body}
    text = (response.text or "").strip()
    if text in ("Ok.", "Fails."):
        return {"added": text == "Ok.", "pending": False, "ids": [], "answer": text}
    answer = client.decode_json(response, "torrents/add")
    if not isinstance(answer, dict):
        raise UnexpectedResponse(f"torrents/add answered {text[:200]!r}, which is neither Ok./Fails. nor JSON")
    return {
        "added": answer.get("success_count", 0) > 0,
        "pending": answer.get("pending_count", 0) > 0,
        "ids": list(answer.get("added_torrent_ids") or []),
        "answer": text,
    }


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
    client: Client, hashes: list[str] | None = None, trackers: Callable[[Mapping[str, Any]], bool] | None = None
) -> list[dict[str, Any]]:
    """torrents/info (all torrents, or only these ids); entries for which trackers(entry) is true get
    'tracker_urls', their tracker URLs without the DHT/PeX/LSD pseudo entries.

    5.1+ lists the trackers in the same read (includeTrackers); older servers need one torrents/trackers read
    per torrent, skipped for torrents whose trackers_count is 0.
    """
    if hashes is not None and not hashes:
        return []
    params: dict[str, Any] = {"hashes": join_hashes(hashes)} if hashes else {}
    if trackers and has_feature("info_include_trackers", client.webapi_version):
        params["includeTrackers"] = True
    entries = client.get_json("torrents/info", params or None) or []
    for entry in entries if trackers else []:
        if not trackers(entry):
            continue
        listed = entry.get("trackers")
        if listed is None and entry.get("trackers_count", 1):
            listed = client.get_json("torrents/trackers", {"hash": entry["hash"]})
        entry["tracker_urls"] = [item["url"] for item in listed or [] if not item["url"].startswith("** [")]
    return entries


def skip_checking_fields(client: Client, skip: bool | None) -> dict[str, Any]:
    """The torrents/add field that skips the hash check: seedMode on 5.3+ (which ignores skip_checking)."""
    if skip is None:
        return {}
    return {"seedMode" if has_feature("add_seed_mode", client.webapi_version) else "skip_checking": skip}


def set_share_limits(client: Client, hashes: list[str], limits: Mapping[str, Any]) -> None:
    """POST torrents/setShareLimits with every field in limits (keys of SHARE_LIMIT_FIELDS whose value is set).

    The caller passes the torrent's current values for the limits it does not change, so the version-dependent
    required fields are always complete and unchanged limits keep their values.
    """
    fields: dict[str, Any] = {"hashes": join_hashes(hashes)}
    for key, name in SHARE_LIMIT_FIELDS.items():
        if limits.get(key) is not None:
            fields[name] = limits[key]
    client.post("torrents/setShareLimits", fields)


def _per_hash_calls(client: Client, hashes: list[str]) -> list[str]:
    """5.2+ takes a |-list of hashes in addTrackers/removeTrackers; before, one call per torrent."""
    if has_feature("trackers_many_hashes", client.webapi_version):
        return [join_hashes(hashes)]
    return list(hashes)


def add_trackers(client: Client, hashes: list[str], urls: list[str]) -> None:
    """POST torrents/addTrackers (urls newline-separated, all in one tier)."""
    for target in _per_hash_calls(client, hashes):
        client.post("torrents/addTrackers", {"hash": target, "urls": "\n".join(urls)})


def remove_trackers(client: Client, hashes: list[str], urls: list[str]) -> None:
    """POST torrents/removeTrackers (urls |-separated)."""
    for target in _per_hash_calls(client, hashes):
        client.post("torrents/removeTrackers", {"hash": target, "urls": "|".join(urls)})


def change_tags(client: Client, hashes: list[str], add: list[str], remove: list[str]) -> None:
    """addTags/removeTags; removeTags is never sent without tags, because then it removes every tag."""
    if add:
        client.post("torrents/addTags", {"hashes": join_hashes(hashes), "tags": ",".join(add)})
    if remove:
        client.post("torrents/removeTags", {"hashes": join_hashes(hashes), "tags": ",".join(remove)})


def delete_torrents(client: Client, hashes: list[str], delete_files: bool) -> None:
    """POST torrents/delete; deleteFiles is required on every version."""
    client.post("torrents/delete", {"hashes": join_hashes(hashes), "deleteFiles": delete_files})


def set_tags(client: Client, hashes: list[str], tags: list[str]) -> None:
    """Exactly these tags: torrents/setTags on 5.1+; before, the caller uses change_tags with what differs."""
    client.post("torrents/setTags", {"hashes": join_hashes(hashes), "tags": ",".join(tags)})
