# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Adding torrents: where a torrent comes from (one magnet, URL or .torrent file, read or downloaded before any
request to qBittorrent), the torrents/add fields of each server version, the multipart requests, and the answer.

Facts: docs/dev/webapi-facts.md#torrents (src/webui/api/torrentscontroller.cpp, TorrentsController::addAction).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Mapping
from typing import Any

from ._errors import Conflict, InvalidInput, QbtError, UnexpectedResponse
from ._fields import LINE_BREAKS, control_character
from ._infohash import TorrentError, TorrentHashes, from_magnet, from_torrent_file, magnet_to_send
from ._torrents import uses_stopped_names

# qBittorrent refuses bigger .torrent files by default (torrent_file_size_limit, 100 MiB).
MAX_TORRENT_BYTES = 100 * 1024 * 1024


# torrents/add takes at most 64 MiB per request; stay well below it.
MAX_ADD_BYTES = 48 * 1024 * 1024


_URL = re.compile(r"^https?://", re.IGNORECASE)


class Source:
    """A declared torrent source: a magnet (added by URI) or .torrent bytes (uploaded), with its hashes.

    text is what the task declared (whitespace around a magnet or URL removed); for a magnet it is exactly what
    torrents/add gets, so it must be one line: add_requests() joins magnets with '\\n', and qBittorrent splits
    at every '\\n' (TorrentsController::addAction, src/webui/api/torrentscontroller.cpp).
    """

    def __init__(self, kind: str, text: str, hashes: TorrentHashes, data: bytes | None = None) -> None:
        if kind == "magnet" and control_character(text):
            raise ValueError("a magnet source must be a single line without control characters")
        self.kind = kind
        self.text = text
        self.hashes = hashes
        self.data = data


def resolve_source(option: str, text: str, client=None) -> Source:
    """Read a magnet, download an http(s) URL (with CLIENT's download()) or read a local .torrent file, and compute
    its hashes.

    Everything happens before the first request to qBittorrent, so a bad source leaves the server untouched.

    A source is exactly one magnet, URL or path: a line break or any other control character anywhere in it is
    refused (see _fields.CONTROL). Whitespace around a magnet or a URL is removed (qBittorrent trims each URL
    too); a path is used exactly as written, spaces included, since a file name may end with a space: a leading
    space makes it relative (refused), a trailing one is part of the name (pointed out when no such file exists).
    """
    text = "" if text is None else str(text)
    _refuse_control_characters(option, text)
    stripped = text.strip()
    try:
        if stripped.lower().startswith("magnet:"):
            hashes = from_magnet(stripped)
            return Source("magnet", magnet_to_send(stripped), hashes)
        if _URL.match(stripped):
            data = _download(option, stripped, client)
            return Source("url", stripped, from_torrent_file(data), data)
        path = os.path.expanduser(text[len("file://") :] if text.startswith("file://") else text)
        if not os.path.isabs(path):
            hint = " (it starts with whitespace: a path is used exactly as written)" if text != text.lstrip() else ""
            raise InvalidInput(
                f"{option}: {text!r} is not a magnet URI, an http(s) URL or an absolute path to a .torrent file on "
                f"the machine that runs the module{hint}"
            )
        data = _read(option, path)
        return Source("file", text, from_torrent_file(data), data)
    except TorrentError as exc:
        raise InvalidInput(f"{option}: {stripped[:200]}: {exc}") from exc


def _refuse_control_characters(option: str, text: str) -> None:
    """One source, one torrent: a line break would make qBittorrent add a second torrent nobody hashed or
    reported, and no other control character belongs in a magnet, a URL or a path a task declares."""
    bad = control_character(text)
    if bad:
        index, shown = bad
        kind = "a line break" if text[index] in LINE_BREAKS else "a control character"
        raise InvalidInput(
            f"{option}: a source is exactly one magnet URI, http(s) URL or path, but this one has {kind} ({shown}) "
            f"at character {index + 1}; remove it (to add several torrents, give each its own item in torrents)"
        )


# What a path can be besides a regular file, for messages.
_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


_READ_CHUNK = 1024 * 1024


# O_NONBLOCK: opening a FIFO for reading waits for a writer, forever; with it the open returns at once (and
# fstat then refuses the FIFO). It changes nothing for a regular file. O_NOCTTY: a terminal swapped in never
# becomes the process's controlling terminal.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def _read(option: str, path: str) -> bytes:
    """The bytes of a regular file, at most MAX_TORRENT_BYTES of them.

    A device (/dev/zero, /dev/urandom) has size 0 and never ends, a FIFO blocks until someone writes: only a
    regular file (after following symbolic links) is read. It is checked before opening and again on the opened
    descriptor (the path may be swapped in between), and read with a hard bound (the file may grow meanwhile).
    """
    where = f"{option}: cannot read the .torrent file {path!r}"
    try:
        found = os.stat(path)
    except OSError as exc:
        raise InvalidInput(f"{where}: {_stat_problem(path, exc)}") from exc
    _require_regular(where, found.st_mode)
    if found.st_size > MAX_TORRENT_BYTES:
        raise InvalidInput(f"{where}: it is bigger than {MAX_TORRENT_BYTES} bytes, too big for a .torrent")
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise InvalidInput(f"{where}: {_stat_problem(path, exc)}") from exc
    try:
        _require_regular(where, os.fstat(descriptor).st_mode)
        chunks, size = [], 0
        while True:
            # one byte more than the limit at most: enough to know the file is too big
            chunk = os.read(descriptor, min(_READ_CHUNK, MAX_TORRENT_BYTES + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_TORRENT_BYTES:
                raise InvalidInput(f"{where}: it grew beyond {MAX_TORRENT_BYTES} bytes while being read")
    except OSError as exc:
        raise InvalidInput(f"{where}: {exc.strerror or exc}") from exc
    finally:
        os.close(descriptor)


def _require_regular(where: str, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
    raise InvalidInput(f"{where}: it is {kind}, not a regular file; give the path of a .torrent file")


def _stat_problem(path: str, exc: OSError) -> str:
    """Why the path cannot be opened, in words."""
    if exc.errno == errno.ENOENT:
        if os.path.lexists(path):
            return "it is a symbolic link to a file that does not exist"
        if path != path.rstrip():
            return "it does not exist (the path ends with whitespace, which is part of the file name)"
        return "it does not exist"
    if exc.errno == errno.EACCES:
        return "it is unreadable: permission denied for the user that runs the module"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is not a directory"
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return str(exc.strerror or exc)


def _download(option: str, url: str, client) -> bytes:
    # The client sends the task's TLS, proxy and time settings, and no WebUI credential, to the other host.
    if client is None:
        raise InvalidInput(f"{option}: an http(s) URL needs a connection to download it with")
    try:
        return client.download(url, MAX_TORRENT_BYTES)
    except QbtError as exc:
        raise InvalidInput(f"{option}: {exc}") from exc


# ----------------------------------------------------------------- adding
# torrents/add fields of the module options that have one; the rest is set after adding.
ADD_FIELDS = {
    "save_path": "savepath",
    "category": "category",
    "name": "rename",
    "upload_limit": "upLimit",
    "download_limit": "dlLimit",
    "ratio_limit": "ratioLimit",
    "seeding_time_limit": "seedingTimeLimit",
    "inactive_seeding_time_limit": "inactiveSeedingTimeLimit",
    "share_limit_action": "shareLimitAction",
    "auto_tmm": "autoTMM",
    "sequential_download": "sequentialDownload",
    "first_last_piece_priority": "firstLastPiecePrio",
    "content_layout": "contentLayout",
    "add_to_top_of_queue": "addToTopOfQueue",
    "stop_condition": "stopCondition",
}


def add_fields(client, options: Mapping[str, Any], stopped: bool | None) -> dict[str, Any]:
    """The torrents/add fields for declared options (module option names); stopped None leaves the run state to
    the server's default. Declaring a path without auto_tmm adds the torrent in manual mode."""
    fields = {field: options[key] for key, field in ADD_FIELDS.items() if options.get(key) is not None}
    if not client.supports("add_share_limits"):
        # Ignored before 4.3.4: not sent, so torrents that differ only there share one request; the plan against
        # the added torrent sets them (torrents/setShareLimits) like any other difference.
        for key in ("ratio_limit", "seeding_time_limit"):
            fields.pop(ADD_FIELDS[key], None)
    if options.get("tags") and client.supports("add_tags"):
        # Before 4.3.2 torrents/add ignores tags; the plan against the added torrent adds them (torrents/addTags).
        fields["tags"] = ",".join(options["tags"])
    download_path = options.get("download_path")
    if download_path is not None:
        fields["useDownloadPath"] = bool(download_path)
        if download_path:
            fields["downloadPath"] = download_path
    if options.get("auto_tmm") is None and (options.get("save_path") or download_path is not None):
        fields["autoTMM"] = False
    fields.update(add_stopped_fields(client, stopped))
    fields.update(skip_checking_fields(client, options.get("skip_checking")))
    return fields


def add_requests(torrents: list[tuple[Source, dict[str, Any]]]) -> list[tuple[dict[str, Any], list]]:
    """torrents/add requests for [(source, fields)]: one per set of identical fields (they apply to the whole
    request), .torrent bytes as uniquely named multipart files, magnets newline-joined in urls, split to stay
    under the server's request size limit. Returns [(fields, files)]."""
    groups: dict[tuple, list[Source]] = {}
    for source, fields in torrents:
        groups.setdefault(tuple(sorted(fields.items())), []).append(source)
    requests_out = []
    for key, sources in groups.items():
        magnets = [source.text for source in sources if source.kind == "magnet"]
        files: list = []
        size = 0
        for source in sources:
            if source.kind == "magnet":
                continue
            if files and size + len(source.data) > MAX_ADD_BYTES:
                requests_out.append((dict(key), files))
                files, size = [], 0
            files.append(("torrents", (f"{source.hashes.id}.torrent", source.data, "application/x-bittorrent")))
            size += len(source.data)
        fields = dict(key)
        if magnets:
            fields["urls"] = "\n".join(magnets)
        if files or magnets:
            requests_out.append((fields, files))
    return requests_out


def add_stopped_fields(client, stopped: bool | None) -> dict[str, Any]:
    """The torrents/add field that adds a torrent stopped: 'stopped' on 5.0+, 'paused' before.

    5.x ignores 'paused' and would start the torrent, so sending the right name matters.
    """
    if stopped is None:
        return {}
    return {"stopped" if uses_stopped_names(client) else "paused": stopped}


def add_torrents(client, fields: Mapping[str, Any], files: Any = None) -> dict[str, Any]:
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


def skip_checking_fields(client, skip: bool | None) -> dict[str, Any]:
    """The torrents/add field that skips the hash check: seedMode on 5.3+ (which ignores skip_checking)."""
    if skip is None:
        return {}
    return {"seedMode" if client.supports("add_seed_mode") else "skip_checking": skip}
