# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WebUI API calls whose name, parameters or answer changed between qBittorrent releases.

Modules call these instead of the raw endpoints, so no module ever looks at a version for them.
Facts: shared/reference/qbittorrent-webapi.md sections 4 (categories) and 6 (torrents).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._client import Client
from ._errors import Conflict, NotFound, UnexpectedResponse
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


def categories(client: Client) -> dict[str, dict[str, Any]]:
    """The server's categories as {name: {'name', 'save_path', 'download_path'}}, one shape for every version.

    download_path is None when the category follows the global setting, False when explicitly disabled, and
    a path when enabled. 4.4.0 wrote save_path instead of savePath; 5.2+ adds share limits, kept as they are.
    """
    raw = client.get_json("torrents/categories") or {}
    result = {}
    for name, entry in raw.items():
        entry = dict(entry)
        save_path = entry.pop("savePath", entry.pop("save_path", ""))
        entry.pop("name", None)
        result[name] = {
            "name": name,
            "save_path": save_path,
            "download_path": entry.pop("download_path", None),
            **entry,
        }
    return result


def edit_category(client: Client, fields: Mapping[str, Any]) -> bool:
    """POST torrents/editCategory; True when the server changed something.

    Up to 5.1 the server answers 409 both for "nothing changed" and for "no such category"; 5.2+ answers 200
    for no change and 404 for a missing category. Both are told apart here, with one read where needed.
    """
    try:
        client.post("torrents/editCategory", fields)
    except Conflict as exc:
        if has_feature("editcategory_unchanged_ok", client.webapi_version):
            raise
        if fields["category"] in categories(client):
            return False
        raise NotFound(f"the category {fields['category']!r} does not exist", 404, exc.endpoint, exc.body) from exc
    return True
