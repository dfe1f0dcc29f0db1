# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The match of a torrent policy (qbt_torrent_policy): its options, their checks, and the test of one torrent.

A match is a set of criteria that must all hold; a list criterion holds when any of its values does. Criteria
that torrents/info answers are tested first, so that what costs a request per torrent on older servers (the
tracker list, the private flag) is read only for torrents the other criteria already selected.

Facts: torrents/info fields (src/webui/api/serialize/serialize_torrent.cpp, serialize); trackers and their msg
(TorrentsController::trackersAction, and infoAction with includeTrackers from 5.1); private in torrents/info
from 5.0 and is_private in torrents/properties from 4.5.1 (see _versions.FEATURES).
"""

from __future__ import annotations

import fnmatch
import re
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from . import _fields
from ._fields import Problems
from ._torrents import torrent_state
from ._trackers import per_url

# The torrent states of torrents/info in qBittorrent 5 words (4.x pausedUP/pausedDL read as stoppedUP/stoppedDL).
STATES = [
    "error", "missingFiles", "uploading", "stoppedUP", "queuedUP", "stalledUP", "checkingUP", "forcedUP",
    "allocating", "downloading", "metaDL", "forcedMetaDL", "stoppedDL", "queuedDL", "stalledDL", "checkingDL",
    "forcedDL", "checkingResumeData", "moving", "unknown",
]  # fmt: skip
_LIST = {"type": "list", "elements": "str"}
MATCH_OPTIONS = {
    "all": {"type": "bool", "default": False},
    "tracker_hosts": _LIST,
    "tracker_url": {"type": "str"},
    "tracker_message": {"type": "str"},
    "categories": _LIST,
    "tags_any": _LIST,
    "tags_all": _LIST,
    "tags_none": _LIST,
    "private": {"type": "bool"},
    "name": {"type": "str"},
    "save_path_prefix": {"type": "str"},
    "states": {"type": "list", "elements": "str", "choices": STATES},
    "min_size": {"type": "int"},
    "max_size": {"type": "int"},
    "min_ratio": {"type": "float"},
    "max_ratio": {"type": "float"},
    "min_seeding_time": {"type": "int"},
    "max_seeding_time": {"type": "int"},
    "added_before": {"type": "str"},
    "added_after": {"type": "str"},
}
TRACKER_CRITERIA = ("tracker_hosts", "tracker_url", "tracker_message")
# Criteria a server's version may lack: (FEATURES name, the criterion in a person's words).
GATES = {
    "private": ("properties_is_private", "matching on private"),
    "min_seeding_time": ("info_seeding_time", "matching on seeding time"),
    "max_seeding_time": ("info_seeding_time", "matching on seeding time"),
}
_RELATIVE = re.compile(r"^(\d+)\s*([dhm])$")
_UNITS = {"d": 86400, "h": 3600, "m": 60}


def regex(option: str, value: str) -> re.Pattern:
    """A Python regular expression, compiled; a bad one is refused naming the option and what is wrong."""
    try:
        return re.compile(value)
    except re.error as exc:
        raise _fields.InvalidInput(f"{option}: {value!r} is not a valid regular expression ({exc})") from exc


def moment(option: str, value: str, now: float) -> float:
    """Seconds since the epoch of an ISO 8601 date or date and time (UTC unless it says), a number of seconds
    since the epoch, or an age: '14d', '12h', '30m' (that long before the task runs)."""
    text = value.strip()
    relative = _RELATIVE.match(text)
    if relative:
        return now - int(relative.group(1)) * _UNITS[relative.group(2)]
    if text.isdigit():
        return float(text)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise _fields.InvalidInput(
            f"{option}: {value!r} is not a date; give an ISO 8601 date such as 2024-01-31 or 2024-01-31T12:00:00Z, "
            "seconds since the epoch, or an age such as 14d, 12h or 30m"
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


@per_url
def tracker_host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class Match:
    """The compiled match of one policy: test(entry, lazy) says whether a torrents/info entry matches."""

    def __init__(self, option: str, params: Mapping[str, Any] | None, problems: Problems, now: float | None = None):
        params = dict(params or {})
        self.option = option
        self.every = bool(params.pop("all", False))
        given = {key: value for key, value in params.items() if value is not None}
        if not given and not self.every:
            problems.add(
                f"{option}: the match is empty, which would select every torrent on the server; give criteria, "
                "or set all: true to mean every torrent"
            )
        elif given and self.every:
            problems.add(f"{option}.all: all: true selects every torrent, so {', '.join(given)} cannot be given too")
        self.given = given
        self.needs_trackers = any(key in given for key in TRACKER_CRITERIA)
        self.needs_tracker_messages = "tracker_message" in given
        self.needs_private = "private" in given
        # (criterion, test of an entry, 'info' or what must be read first: 'trackers' (their URLs),
        # 'tracker_messages', 'private')
        self.tests: list[tuple[str, Callable[[Mapping[str, Any]], bool], str]] = []
        self._tests_of: dict[frozenset[str], list[Callable[[Mapping[str, Any]], bool]]] = {}
        now = time.time() if now is None else now
        for key, value in given.items():
            problems.check(self._compile, key, value, now)

    def _compile(self, key: str, value: Any, now: float) -> None:
        opt = f"{self.option}.{key}"
        add = self.tests.append
        if key == "tracker_hosts":
            globs = [_fields.text(f"{opt}[{i}]", glob, "host pattern").lower() for i, glob in enumerate(value)]
            host_matches = per_url(lambda url: any(fnmatch.fnmatchcase(tracker_host(url), g) for g in globs))
            add((key, lambda e: any(host_matches(url) for url in _urls(e)), "trackers"))
        elif key == "tracker_url":
            search = regex(opt, value).search
            url_matches = per_url(lambda url: bool(search(url)))
            add((key, lambda e: any(url_matches(url) for url in _urls(e)), "trackers"))
        elif key == "tracker_message":
            pattern = regex(opt, value)
            add(
                (
                    key,
                    lambda e: any(pattern.search(t.get("msg") or "") for t in e.get("tracker_entries", [])),
                    "tracker_messages",
                )
            )
        elif key == "categories":
            names = {name if name == "" else _fields.category_name(f"{opt}[{i}]", name) for i, name in enumerate(value)}
            add((key, lambda e: (e.get("category") or "") in names, "info"))
        elif key in ("tags_any", "tags_all", "tags_none"):
            wanted = set(_fields.tags(opt, value) or [])
            if not wanted:
                raise _fields.InvalidInput(f"{opt}: give at least one tag")
            have = _tags
            test = {
                "tags_any": lambda e: bool(wanted & have(e)),
                "tags_all": lambda e: wanted <= have(e),
                "tags_none": lambda e: not wanted & have(e),
            }[key]
            add((key, test, "info"))
        elif key == "private":
            add((key, lambda e: e.get("private") is value, "private"))
        elif key == "name":
            pattern = regex(opt, value)
            add((key, lambda e: bool(pattern.search(e.get("name") or "")), "info"))
        elif key == "save_path_prefix":
            prefix = _fields.normalize_path(_fields.path(opt, value))
            add((key, lambda e: _under(_fields.normalize_path(e.get("save_path") or ""), prefix), "info"))
        elif key == "states":
            states = set(value)
            add((key, lambda e: torrent_state(e.get("state", "")) in states, "info"))
        else:
            self._bound(key, value, opt, now)

    def _bound(self, key: str, value: Any, opt: str, now: float) -> None:
        if key in ("added_before", "added_after"):
            limit = moment(opt, value, now)
            before = key == "added_before"
            self.tests.append((key, lambda e: (e.get("added_on", 0) < limit) == before, "info"))
            return
        field, scale = {"size": ("size", 1), "ratio": ("ratio", 1), "seeding_time": ("seeding_time", 60)}[key[4:]]
        _fields.number(opt, value, 0)
        lowest = key.startswith("min_")
        limit = value * scale
        if lowest:
            self.tests.append((key, lambda e: e.get(field, 0) >= limit, "info"))
        else:
            self.tests.append((key, lambda e: e.get(field, 0) <= limit, "info"))

    def decided_by(self, read: frozenset[str]) -> bool:
        """Whether what READ holds is all that the criteria of this match test."""
        return all(needs in read for _key, _test, needs in self.tests)

    def test(self, entry: Mapping[str, Any], read: frozenset[str] = frozenset({"info"})) -> bool:
        """Whether every criterion whose data is in READ holds ('info', 'trackers', 'tracker_messages', 'private')."""
        tests = self._tests_of.get(read)
        if tests is None:  # once per kind of read: this runs for every torrent on the server
            tests = self._tests_of[read] = [test for _key, test, needs in self.tests if needs in read]
        for test in tests:
            if not test(entry):
                return False
        return True


def _urls(entry: Mapping[str, Any]) -> list[str]:
    return entry.get("tracker_urls") or []


def _tags(entry: Mapping[str, Any]) -> set[str]:
    return set(_fields.normalize_tags(entry.get("tags") or ""))


def _under(path: str, prefix: str) -> bool:
    """A path inside prefix, or prefix itself ('/data/tv' is under '/data/tv' and '/data', not '/data/t')."""
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")
