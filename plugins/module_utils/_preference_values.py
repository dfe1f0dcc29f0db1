# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One preference value: its type, the rules the server keeps it by, and how two values compare.

A declared value is converted the way templated values arrive ('5', 'yes', a JSON object) to the type the
server uses for the key, then checked against the key's rule of _preference_table.RULES (ranges, choices,
paths, addresses), because qBittorrent clamps, reinterprets or drops what it cannot keep without an error.
Messages name the key and the value, never a secret.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Mapping
from typing import Any, Callable

from ansible.module_utils.parsing.convert_bool import boolean

from ._fields import normalize_path
from ._preference_table import (
    INT32,
    INT64,
    KIND_NAMES,
    LIST_SEPARATORS,
    PATH_KEYS,
    REQUIRED_KEYS,
    RULES,
    SCHEMA,
    SECRET_KEYS,
    Rule,
)

# Windows absolute paths: a drive letter, or a UNC share.
_WINDOWS_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\[^\\/]+[\\/][^\\/]+)")


def show(key: str, value: Any) -> str:
    """A value for a message, never a secret."""
    if key in SECRET_KEYS:
        return "(hidden)"
    return f"{value!r} ({_type_name(value)})"


# The JSON types a preference value comes in, most specific first (a bool is an int to Python): (Python types,
# the kind of the schema table, the words for a message).
_JSON_TYPES = (
    (bool, "bool", "a boolean"),
    (int, "int", "an integer"),
    (float, "float", "a number"),
    (str, "str", "a string"),
    (Mapping, "dict", "a mapping"),
    ((list, tuple), "list", "a list"),
)


def _json_type(value: Any) -> tuple[str, str] | None:
    """(kind, words) of VALUE's JSON type, None for anything else."""
    return next(((kind, words) for types, kind, words in _JSON_TYPES if isinstance(value, types)), None)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    found = _json_type(value)
    return found[1] if found else type(value).__name__


# ----------------------------------------------------------------------------------------------- types
def kind_of(key: str, current: Any = None, known: bool = False) -> str | None:
    """The type qBittorrent uses for KEY: from its current value when the server returned the key (KNOWN),
    else from the schema table; None when neither knows.

    JSON has no separate float type: qBittorrent writes max_ratio -1.0 as -1, so a float key of the table stays
    a float when the server's value looks like an int.
    """
    pref = SCHEMA.get(key)
    found = _json_type(current) if known and current is not None else None
    if found and found[0] != "list":
        return "float" if found[0] == "int" and pref is not None and pref.kind == "float" else found[0]
    return pref.kind if pref is not None else None


INT_TEXT = re.compile(r"^[+-]?\d+$")


class _Hint(ValueError):
    """What to do about a value of the wrong type; added to the 'expected ..., got ...' message."""


class _Invalid(ValueError):
    """A value of the right type that breaks a rule of the server; the message says it all."""


def coerce(key: str, value: Any, kind: str, platform: str | None = None) -> Any:
    """VALUE as the type KIND, the way templated values arrive ('5', 'yes', '1.5', a JSON object), checked
    against the key's rule. PLATFORM is the server's (app/buildInfo: linux, macos, windows; None when unknown).

    Raise ValueError with a message naming the key, the value (never a secret), the rule and the unit.
    """
    try:
        converted = _CONVERTERS[kind](key, value)
    except _Invalid as exc:
        raise ValueError(f"{key}: {exc}") from None
    except (TypeError, ValueError) as exc:
        hint = f": {exc}" if isinstance(exc, _Hint) else ""
        raise ValueError(f"{key}: expected {KIND_NAMES[kind]}, got {show(key, value)}{hint}") from None
    try:
        return _check_value(key, converted, kind, platform)
    except _Invalid as exc:
        raise ValueError(f"{key}: {exc}") from None


def _to_bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (str, int, float)):
        # Ansible's own rules: yes/no, on/off, true/false, 1/0, y/n, t/f (any case).
        try:
            return boolean(value.strip() if isinstance(value, str) else value, strict=True)
        except TypeError:
            raise _Hint("use true/false, yes/no, on/off or 1/0") from None
    raise TypeError()


def _to_int(key: str, value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError()
    if isinstance(value, int):
        return value
    if isinstance(value, str) and INT_TEXT.match(value.strip()):
        return int(value.strip())
    number = _to_float(key, value)
    if not number.is_integer():
        raise _Hint("it has a fraction")
    return int(number)


def _to_float(key: str, value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError()
    try:
        if isinstance(value, (int, float)):
            number = float(value)
        elif isinstance(value, str):
            number = float(value.strip())
        else:
            raise TypeError()
    except OverflowError:  # float() of an int past 1e308
        raise _Hint("it is too large") from None
    if not math.isfinite(number):
        raise _Hint("it is not a finite number")
    return number


def _to_str(key: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise _Hint("quote it if a string is meant")
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)) and key in LIST_SEPARATORS:
        items = [_to_str(key, item) for item in value]
        return LIST_SEPARATORS[key].join(items)
    raise TypeError()


def _to_dict(key: str, value: Any) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _Hint("the string is not a JSON object") from None
    if not isinstance(value, Mapping):
        raise TypeError()
    if key != "scan_dirs":
        return dict(value)
    result = {}
    for folder, target in value.items():
        if not isinstance(folder, str) or not folder:
            raise _Invalid("each watched folder must be a non-empty path")
        if isinstance(target, str) and target.strip() in ("0", "1"):
            target = int(target.strip())
        if isinstance(target, bool) or not (target in (0, 1) or (isinstance(target, str) and target)):
            raise _Invalid(
                f"the target of {folder!r} must be 0 (the watched folder), 1 (the default save path) or a path"
            )
        result[folder] = target
    return result


_CONVERTERS: dict[str, Callable[[str, Any], Any]] = {
    "bool": _to_bool,
    "int": _to_int,
    "float": _to_float,
    "str": _to_str,
    "dict": _to_dict,
}


def _shown(key: str, value: Any) -> str:
    return "(hidden)" if key in SECRET_KEYS else repr(value)


def _meanings(mapping: Mapping[Any, str]) -> str:
    return ", ".join(f"{value} ({meaning})" for value, meaning in mapping.items())


def describe(key: str, kind: str | None = None) -> str:
    """The rule of KEY in words (for messages and the reference)."""
    rule = RULES.get(key)
    kind = kind or (SCHEMA[key].kind if key in SCHEMA else None)
    if rule is not None and rule.choices:
        return "one of " + _meanings(rule.choices)
    if rule is not None and rule.form:
        return _FORMS[rule.form]
    if key in PATH_KEYS:
        text = "an absolute path (POSIX, or Windows on a Windows server)"
        return text if key in REQUIRED_KEYS else text + ", or empty for none"
    if kind in ("int", "float"):
        low, high = (rule.low, rule.high) if rule is not None and rule.low is not None else INT32
        text = f"{low}..{high}"
        if rule is not None and rule.unit:
            text += f" {rule.unit}"
        if rule is not None and rule.step > 1:
            text += f", a multiple of {rule.step}"
        if rule is not None and rule.special:
            text += "; " + _meanings(rule.special)
        return text
    return ""


_FORMS = {
    "ip": "an IP address, or empty for none",
    "bind": "an IP address, or * (or empty) for every address",
    "subnets": "IP addresses or subnets (CIDR)",
    "ip_ranges": "IP addresses (qBittorrent 5.3 and later also take subnets and first - last ranges)",
}


def _check_value(key: str, value: Any, kind: str, platform: str | None = None) -> Any:
    """The rules a value must follow for the server to keep it as sent; the value as the server spells it."""
    rule = RULES.get(key) or Rule()
    if rule.choices:
        for choice in rule.choices:
            if choice == value or (isinstance(value, str) and str(choice).lower() == value.strip().lower()):
                return choice
        raise _Invalid(f"{_shown(key, value)} is not {describe(key)}")
    if kind in ("int", "float") and not isinstance(value, bool):
        low, high = (rule.low, rule.high) if rule.low is not None else INT64 if kind == "float" else INT32
        if rule.special and value in rule.special:
            return value
        if rule.step > 1 and (value < 0 or value % rule.step):
            raise _Invalid(
                f"{value} cannot be kept: qBittorrent keeps it in whole KiB/s, so declare a multiple of {rule.step} "
                f"{rule.unit} from 0 (no limit) to {rule.high}"
            )
        if not low <= value <= high:
            if rule.low is None:
                raise _Invalid(f"{value} is outside {low}..{high}, the range of the C++ int qBittorrent keeps it in")
            raise _Invalid(f"{value} is outside {describe(key, kind)}")
        return value
    if key in PATH_KEYS and isinstance(value, str):
        return _check_path(key, value, platform)
    if key == "scan_dirs" and isinstance(value, Mapping):
        return {
            _check_path(key, folder, platform, "watched folder"): (
                _check_path(key, target, platform, f"target of {folder!r}") if isinstance(target, str) else target
            )
            for folder, target in value.items()
        }
    if rule.form and isinstance(value, str):
        return _check_address(key, value, rule.form)
    return value


def path_platform_matters(value: Any) -> bool:
    """Whether VALUE (a declared path, or scan_dirs) holds a path whose meaning depends on the server's platform."""
    if isinstance(value, Mapping):
        return any(path_platform_matters(item) for pair in value.items() for item in pair)
    return isinstance(value, str) and bool(_WINDOWS_PATH.match(value))


def _check_path(key: str, path: str, platform: str | None, what: str = "path") -> str:
    if not path.strip():
        if key in REQUIRED_KEYS or key == "scan_dirs":
            raise _Invalid(f"the {what} is empty; declare an absolute path")
        return path
    windows = bool(_WINDOWS_PATH.match(path))
    if path.startswith("/"):
        return normalize_path(path)
    if windows:
        if platform is None or platform == "windows":
            return path
        raise _Invalid(
            f"the {what} {_shown(key, path)} is a Windows path, but the server runs on {platform}; declare an "
            "absolute POSIX path"
        )
    raise _Invalid(
        f"the {what} {_shown(key, path)} is not absolute: qBittorrent would resolve it against a folder of its "
        "own; declare an absolute path (POSIX, or Windows on a Windows server)"
    )


def _address(text: str) -> Any:
    return ipaddress.ip_address(text)


def _check_address(key: str, value: str, form: str) -> str:
    text = value.strip()
    if form in ("ip", "bind"):
        if not text or (form == "bind" and text == "*"):
            return text
        try:
            address = _address(text)
        except ValueError:
            raise _Invalid(f"{_shown(key, value)} is not {_FORMS[form]}") from None
        return str(address) if form == "ip" else text
    # The whitelist also takes commas (setPreferencesAction splits it on both).
    separators = "[,\n]" if key == "bypass_auth_subnet_whitelist" else re.escape(LIST_SEPARATORS.get(key, "\n"))
    bad = []
    for item in filter(None, (item.strip() for item in re.split(separators, value))):
        try:
            if form == "ip_ranges" and "-" in item:
                first, last = (part.strip() for part in item.split("-", 1))
                if _address(first).version != _address(last).version:
                    raise ValueError()
            elif "/" in item:
                ipaddress.ip_network(item, strict=False)
            else:
                _address(item)
        except ValueError:
            bad.append(item)
    if bad:
        raise _Invalid(f"{', '.join(_shown(key, item) for item in bad)}: expected {_FORMS[form]}")
    return value


# ----------------------------------------------------------------------------------------------- comparison
def _lines(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return sorted({line.strip() for line in value.splitlines() if line.strip()})


def _subnets(value: Any) -> Any:
    # The server accepts commas or newlines and writes single addresses as /32 (or /128).
    if not isinstance(value, str):
        return value
    result = set()
    for item in re.split(r"[,\n]", value):
        item = item.strip()
        if item and "/" not in item:
            item += "/128" if ":" in item else "/32"
        if item:
            result.add(item)
    return sorted(result)


def _number(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return round(float(value), 6)
    return value


def _scan_dirs(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    return {normalize_path(folder): normalize_path(target) for folder, target in value.items()}


def normalizer(key: str, kind: str | None) -> Callable[[Any], Any]:
    """How two values of KEY are compared: the way the server rewrites what it keeps."""
    if key in PATH_KEYS:
        return normalize_path
    if key == "banned_IPs":
        return _lines  # sorted, without duplicates
    if key == "bypass_auth_subnet_whitelist":
        return _subnets
    if key == "scan_dirs":
        return _scan_dirs
    if kind == "float":
        return _number
    return _identity


def _identity(value: Any) -> Any:
    return value
