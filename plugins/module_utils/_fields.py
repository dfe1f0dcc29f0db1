# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The field kinds: one validator and one normaliser for each kind of value a task sends to qBittorrent.

Every module takes names, paths, URLs, tag lists and numbers through these functions, so a rule fixed here is
fixed for every module. A validator is ``check(option, value) -> value``: it raises InvalidInput naming the
option, the value and what to do, and returns the value in the form that is sent. A normaliser is
``normalize(value) -> value``, applied to both the declared and the server's value before they are compared.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from ._errors import InvalidInput

_WINDOWS_ABSOLUTE = re.compile(r"^([A-Za-z]:[\\/]|\\\\)")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Line and paragraph separators are not control characters for Unicode (Zl, Zp), but Qt's and Python's line
# splitting break on them like on '\n', and qBittorrent splits lists on line breaks.
# Every control character (Unicode category Cc: C0, DEL, C1 with NEL) and the line and paragraph separators,
# which are not Cc but break lines for Qt and Python alike; qBittorrent splits list fields on line breaks.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What str.splitlines() breaks at: the characters of CONTROL that are line breaks.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", "\f": "\\f"}


# --------------------------------------------------------------------------------------------- characters
def control_character(text: str) -> tuple[int, str] | None:
    """(index, how to show it) of the first character of CONTROL in text, or None: '\\n', '\\r', 'U+2028'..."""
    found = CONTROL.search(text)
    if not found:
        return None
    char = found.group()
    return found.start(), _ESCAPES.get(char, f"U+{ord(char):04X}")


def no_control(option: str, text: str, what: str) -> str:
    """Refuse control characters: qBittorrent splits list fields (removeCategories, tags, hashes, urls) on
    line breaks and commas, so a name with a newline would name other items when it is removed."""
    found = control_character(text)
    if found is not None:
        raise InvalidInput(
            f"{option}: the {what} {text!r} contains the control character {found[1]}; qBittorrent would read it as "
            "a separator (a newline in a removal names other items), so remove it"
        )
    return text


# --------------------------------------------------------------------------------------------- names
def text(option: str, value: Any, what: str, strip_note: bool = False) -> str:
    """Any name sent to the server: a non-empty string without control characters.

    With strip_note, leading or trailing spaces are refused too (qBittorrent up to 5.0 trims RSS names and paths,
    so the item would never be found again under the declared name).
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{option}: a {what} cannot be empty")
    no_control(option, value, what)
    if strip_note and value != value.strip():
        raise InvalidInput(
            f"{option}: the {what} {value!r} starts or ends with spaces, which qBittorrent 5.0 and older strip; "
            "remove them"
        )
    return value


def category_name(option: str, name: Any) -> str:
    """qBittorrent's rule (Session::isValidCategoryName): not empty, no backslash, '/' only between parts."""
    text(option, name, "category name")
    problem = None
    if "\\" in name:
        problem = "contains a backslash"
    elif name.startswith("/") or name.endswith("/"):
        problem = "starts or ends with '/'"
    elif "//" in name:
        problem = "contains '//'"
    if problem:
        raise InvalidInput(
            f"{option}: the category name {name!r} {problem}. Use '/' only between the parts of a subcategory, "
            "as in movies/hd"
        )
    return name


def tag(option: str, value: Any) -> str:
    """qBittorrent trims tags and refuses empty ones and ones with a comma, the list separator
    (src/base/tag.cpp, Tag::isValid)."""
    raw = str(value) if value is not None else ""
    # before trimming: a control character is refused wherever it stands, not trimmed away at the ends
    no_control(option, raw, "tag")
    name = raw.strip()
    if not name:
        raise InvalidInput(f"{option}: a tag cannot be empty or only spaces")
    if "," in name:
        raise InvalidInput(f"{option}: the tag {name!r} contains a comma, which qBittorrent uses to separate tags")
    return name


def tags(option: str, values: Iterable[Any] | None) -> list[str] | None:
    """A tag list as qBittorrent keeps it: each tag checked and trimmed, unique, sorted."""
    if values is None:
        return None
    return sorted({tag(f"{option}[{index}]", value) for index, value in enumerate(values)})


def normalize_tags(values: Any) -> Any:
    """Tags the way qBittorrent stores them: trimmed, without empty ones, unique, sorted."""
    if values is None:
        return None
    if isinstance(values, str):
        values = values.split(",")
    return sorted({str(value).strip() for value in values if str(value).strip()})


# --------------------------------------------------------------------------------------------- paths
def is_windows_path(value: str) -> bool:
    return bool(_WINDOWS_ABSOLUTE.match(value))


def path(option: str, value: Any) -> Any:
    """An absolute path on the qBittorrent server, normalised as qBittorrent stores it.

    A relative path would resolve against the server's working directory (setLocation moves data there), which is
    never what a playbook means. POSIX paths are cleaned as qBittorrent's Path class does (QDir::cleanPath in
    src/base/path.cpp): '..', '.', '//' and a trailing '/' go, so the value sent is the value the server keeps.
    Windows paths (C:\\dl, \\\\server\\share) are accepted for Windows servers and sent as given.
    """
    if value in (None, ""):
        return value
    if not isinstance(value, str) or not (value.startswith("/") or is_windows_path(value)):
        raise InvalidInput(
            f"{option}: {value!r} is not an absolute path. Give the full path on the qBittorrent server, "
            "such as /downloads/movies (or C:\\Downloads on Windows)"
        )
    no_control(option, value, "path")
    return value if is_windows_path(value) else normalize_path(value)


def normalize_path(value: Any) -> Any:
    """A path the way qBittorrent stores it (QDir::cleanPath): no '//', no '.', '..' resolved, no trailing '/'.

    Backslashes count as '/' so that Windows paths compare equal whichever separator the server shows; '' and
    None stay as they are.
    """
    if not isinstance(value, str) or not value:
        return value
    if is_windows_path(value):
        return value.replace("\\", "/").rstrip("/") or value[:1]
    rooted = value.startswith("/")
    parts: list[str] = []
    for part in value.split("/"):
        if part in ("", "."):
            continue
        if part == ".." and parts and parts[-1] != "..":
            parts.pop()
        elif part == ".." and rooted:
            continue
        else:
            parts.append(part)
    joined = "/".join(parts)
    return ("/" + joined) if rooted else (joined or ".")


# --------------------------------------------------------------------------------------------- URLs
def url(option: str, value: Any, what: str = "URL") -> str:
    """A URL the server fetches or stores (feed, tracker): one line, with a scheme, no outer spaces."""
    text(option, value, what, strip_note=True)
    if not _URL_SCHEME.match(value):
        raise InvalidInput(f"{option}: {value!r} is not a {what}: it needs a scheme such as https://")
    return value


# --------------------------------------------------------------------------------------------- numbers
def number(
    option: str,
    value: Any,
    minimum: float | None = None,
    maximum: float | None = None,
    special: dict[Any, str] | None = None,
    unit: str = "",
) -> Any:
    """A number within [minimum, maximum], or one of the special values (-1 for unlimited, say)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInput(f"{option}: {value!r} is not a number")
    special = special or {}
    if value in special:
        return value
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        allowed = [f"{key} ({meaning})" for key, meaning in special.items()]
        span = f"{minimum if minimum is not None else '...'} to {maximum if maximum is not None else '...'}"
        allowed.append(f"{span}{' ' + unit if unit else ''}")
        raise InvalidInput(f"{option}: {value!r} is out of range; give {' or '.join(allowed)}")
    return value


# qBittorrent's share limits (src/base/bittorrent/torrent.h: MAX_RATIO, MAX_SEEDING_TIME, MAX_INACTIVE_SEEDING_TIME;
# -2 follows the global setting, -1 means no limit).
SHARE_LIMIT_SPECIAL = {-2: "the global limit", -1: "no limit"}
MAX_RATIO = 9998
MAX_SEEDING_MINUTES = 525600


def ratio_limit(option: str, value: Any) -> Any:
    value = number(option, value, 0, MAX_RATIO, SHARE_LIMIT_SPECIAL)
    return None if value is None else round(float(value), 6)


def minutes_limit(option: str, value: Any) -> Any:
    return number(option, value, 0, MAX_SEEDING_MINUTES, SHARE_LIMIT_SPECIAL, "minutes")


def normalize_ratio(value: Any) -> Any:
    return round(float(value), 6) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def speed_limit(option: str, value: Any) -> Any:
    """Bytes per second; -1 and 0 both mean unlimited, and qBittorrent reports unlimited as 0 for torrents."""
    return number(option, value, 0, 2**31 - 1, {-1: "no limit"}, "bytes per second")


# --------------------------------------------------------------------------------------------- problems
class Problems:
    """Collects every problem of a task's input, so one message names them all before anything is sent."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def check(self, function: Callable[..., Any], *args: Any, default: Any = None) -> Any:
        """function(*args), or DEFAULT with its problem recorded when it refuses the input."""
        try:
            return function(*args)
        except InvalidInput as exc:
            self.add(str(exc))
            return default

    def add(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)

    def raise_any(self) -> None:
        if len(self.messages) == 1:
            raise InvalidInput(self.messages[0])
        if self.messages:
            numbered = "; ".join(f"({index}) {message}" for index, message in enumerate(self.messages, 1))
            raise InvalidInput(f"{len(self.messages)} problems, nothing was sent: {numbered}")


# --------------------------------------------------------------------------------------------- tracker secrets
# A tracker URL often carries a credential: a passkey as a path segment (/0123abcd.../announce) or a query value
# (?passkey=...), or a user and password. Outputs show such a URL with those parts masked, unless the task sets
# reveal_tracker_secrets: true. The rule: any userinfo, and every path segment or query value made of 16 or more
# letters and digits.
TRACKER_MASK = "********"
_SECRET_PART = re.compile(r"^[A-Za-z0-9]{16,}$")
_URL_IN_TEXT = re.compile(r"(?:magnet:\?|\b[A-Za-z][A-Za-z0-9+.-]*://)[^\s'\"<>\],}]+")


def mask_tracker_url(value: str) -> str:
    """The URL with its userinfo and every path segment or query value of 16+ letters and digits masked."""
    if value.startswith("magnet:?"):
        return _mask_magnet(value)
    scheme, sep, rest = value.partition("://")
    if not sep:
        return value
    authority, slash, tail = rest.partition("/")
    if not slash:
        authority, query_mark, tail = rest.partition("?")
        tail = ("?" + tail) if query_mark else ""
        slash = ""
    if "@" in authority:
        authority = TRACKER_MASK + "@" + authority.rpartition("@")[2]
    path, hash_mark, fragment = tail.partition("#")
    path, query_mark, query = path.partition("?")
    path = "/".join(TRACKER_MASK if _SECRET_PART.match(part) else part for part in path.split("/"))
    if query_mark:
        query = "&".join(_mask_query_item(item) for item in query.split("&"))
    return f"{scheme}://{authority}{slash}{path}{query_mark}{query}{hash_mark}{fragment}"


def _mask_query_item(item: str) -> str:
    key, equals, text_ = item.partition("=")
    if not equals:
        return TRACKER_MASK if _SECRET_PART.match(key) else item
    return f"{key}={TRACKER_MASK}" if _SECRET_PART.match(text_) else item


def _mask_magnet(value: str) -> str:
    """A magnet's tracker parameters (tr=, percent-encoded URLs) masked; its info hashes are not secrets."""
    from urllib.parse import quote, unquote  # pylint: disable=import-outside-toplevel

    parts = value[len("magnet:?") :].split("&")
    for index, part in enumerate(parts):
        key, equals, text_ = part.partition("=")
        if equals and (key == "tr" or key.startswith("tr.")):
            parts[index] = f"{key}={quote(mask_tracker_url(unquote(text_)), safe='*')}"
    return "magnet:?" + "&".join(parts)


def mask_tracker_secrets(value: Any) -> Any:
    """VALUE (a string, or lists and dicts of them) with every URL and magnet in it masked by mask_tracker_url."""
    if isinstance(value, str):
        if "://" not in value and "magnet:?" not in value:
            return value
        return _URL_IN_TEXT.sub(lambda found: mask_tracker_url(found.group()), value)
    if isinstance(value, dict):
        return {key: mask_tracker_secrets(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_tracker_secrets(item) for item in value)
    return value
