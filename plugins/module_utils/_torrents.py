# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Torrent knowledge shared by modules: where a torrent comes from, one view of a torrents/info entry, grouped
writes (one call per setter and value, hashes=a|b|c), the add request and bounded polling.

Version differences live in _api; hashes and magnets in _infohash. Facts: docs/dev/webapi-facts.md#torrents and
#info-hashes-and-torrent-ids (state changes show after 1-1.5 s, as seen on 4.5.2, 5.1.0 and 5.3.0).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import _api
from ._errors import InvalidInput, QbtError
from ._fields import LINE_BREAKS, control_character
from ._infohash import TorrentError, TorrentHashes, TorrentIndex, from_magnet, from_torrent_file, magnet_to_send

# qBittorrent refuses bigger .torrent files by default (torrent_file_size_limit, 100 MiB).
MAX_TORRENT_BYTES = 100 * 1024 * 1024
# torrents/add takes at most 64 MiB per request; stay well below it.
MAX_ADD_BYTES = 48 * 1024 * 1024
POLL_INTERVAL = 0.25
_URL = re.compile(r"^https?://", re.IGNORECASE)

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
    result["state"] = _api.torrent_state(entry.get("state", "unknown"))
    result["has_metadata"] = has_metadata(entry)
    result["tags"] = split_tags(entry.get("tags"))
    if "tracker_urls" in entry:
        result["trackers"] = list(entry["tracker_urls"])
    return result


def split_tags(text: Any) -> list[str]:
    """torrents/info joins tags with ', '."""
    return sorted({tag.strip() for tag in (text or "").split(",") if tag.strip()})


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
    params = {"filter": _api.status_filter(client, "stopped"), "hashes": _api.join_hashes(hashes)}
    return {entry["hash"] for entry in client.get_json("torrents/info", params) or []}


# ----------------------------------------------------------------- grouped writes
def _post(endpoint: str, field: str, hash_field: str = "hashes") -> Callable:
    return lambda client, hashes, value: client.post(endpoint, {hash_field: _api.join_hashes(hashes), field: value})


def _toggle(endpoint: str) -> Callable:
    return lambda client, hashes, value: client.post(endpoint, {"hashes": _api.join_hashes(hashes)})


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
    "share_limits": lambda client, hashes, value: _api.set_share_limits(client, hashes, dict(value)),
    "set_tags": lambda client, hashes, value: _api.set_tags(client, hashes, list(value)),
    "change_tags": lambda client, hashes, value: _api.change_tags(client, hashes, list(value[0]), list(value[1])),
    "add_trackers": lambda client, hashes, value: _api.add_trackers(client, hashes, list(value)),
    "remove_trackers": lambda client, hashes, value: _api.remove_trackers(client, hashes, list(value)),
    "sequential_download": _toggle("torrents/toggleSequentialDownload"),
    "first_last_piece_priority": _toggle("torrents/toggleFirstLastPiecePrio"),
    "super_seeding": _post("torrents/setSuperSeeding", "value"),
    "force_start": _post("torrents/setForceStart", "value"),
    "stop": lambda client, hashes, value: _api.stop_torrents(client, hashes),
    "start": lambda client, hashes, value: _api.start_torrents(client, hashes),
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
            elif key in _api.SHARE_LIMIT_FIELDS:
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
            merged = {key: current[key] for key in _api.SHARE_LIMIT_FIELDS if key in current}
            self.add("share_limits", tuple(sorted({**merged, **limits}.items())), torrent_hash)

    def apply(self, client) -> None:
        order = list(SETTERS)
        for (setter, value), hashes in sorted(self.groups.items(), key=lambda item: order.index(item[0][0])):
            SETTERS[setter](client, hashes, value)


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
    if options.get("tags"):
        fields["tags"] = ",".join(options["tags"])
    download_path = options.get("download_path")
    if download_path is not None:
        fields["useDownloadPath"] = bool(download_path)
        if download_path:
            fields["downloadPath"] = download_path
    if options.get("auto_tmm") is None and (options.get("save_path") or download_path is not None):
        fields["autoTMM"] = False
    fields.update(_api.add_stopped_fields(client, stopped))
    fields.update(_api.skip_checking_fields(client, options.get("skip_checking")))
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


# ----------------------------------------------------------------- reading and waiting
def read_index(client, hashes: list[str] | None = None, trackers: Callable | None = None) -> TorrentIndex:
    """torrents/info as an index; a long list of ids is read unfiltered (it would not fit a URL)."""
    return TorrentIndex(_api.torrents_info(client, hashes if hashes is None or len(hashes) <= 100 else None, trackers))


def wait_until(client, targets: list[tuple[TorrentHashes, str, str]], timeout: float) -> TorrentIndex:
    """Poll until every (hashes, wait, label) target is ready; fail at once for a torrent that never will be, and
    after timeout seconds naming the torrents still waiting with their state and progress."""

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

    ids = [target[0].id for target in targets]
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
