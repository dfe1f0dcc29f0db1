# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The declared preferences resolved against one server's app/preferences: renamed keys, the type and spelling
of each value on this version (proxy_type), the share limits' value and switch made to agree, and the keys a
write must carry together.

Facts: docs/dev/webapi-facts.md and qBittorrent's src/webui/api/appcontroller.cpp (setPreferencesAction).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Callable

from ._preference_table import (
    PROXY_AUTH_INTS,
    PROXY_INT_TO_NAME,
    PROXY_NAME_TO_INT,
    PROXY_NAMES,
    RENAMED,
    SCHEDULE_PAIRS,
    SHARE_LIMITS,
    WRITE_ONLY_KEYS,
)
from ._preference_values import INT_TEXT, coerce, kind_of, normalizer, show


class Resolution:
    """The declared preferences resolved against one server's current preferences.

    desired: {server key: value of the server's type}; names: {server key: declared key}; translated: what was
    renamed or re-encoded for this version; unknown: declared keys this server does not have; problems: every
    value that cannot be used; implied: keys added because a declared key needs them.
    """

    def __init__(self) -> None:
        self.desired: dict[str, Any] = {}
        self.names: dict[str, str] = {}
        self.translated: list[str] = []
        self.unknown: list[str] = []
        self.problems: list[str] = []
        self.implied: set[str] = set()

    def normalizers(self) -> dict[str, Callable[[Any], Any]]:
        return {key: normalizer(key, kind_of(key, None)) for key in self.desired}


def resolve(declared: Mapping[str, Any], current: Mapping[str, Any], platform: str | None = None) -> Resolution:
    """Translate, type, check and complete the declared preferences for a server whose app/preferences is
    CURRENT, running on PLATFORM (app/buildInfo; None when unknown)."""
    res = Resolution()
    for key, value in declared.items():
        target = key
        if key not in current and key not in WRITE_ONLY_KEYS:
            partner = RENAMED.get(key)
            if partner is None or partner not in current:
                res.unknown.append(key)
                continue
            target = partner
            res.translated.append(f"{key} -> {partner}")
        if target in res.names:
            res.problems.append(
                f"{key}: {res.names[target]} and {key} are the same preference on this server ({target}); "
                "declare only one"
            )
            continue
        res.names[target] = key
        if target == "proxy_type":
            continue  # needs proxy_auth_enabled; done below
        kind = kind_of(target, current.get(target), known=target in current) or "str"
        try:
            res.desired[target] = coerce(target, value, kind, platform)
        except ValueError as exc:
            res.problems.append(str(exc).replace(f"{target}:", f"{key}:", 1) if target != key else str(exc))
    if "proxy_type" in res.names:
        _resolve_proxy_type(res, declared[res.names["proxy_type"]], current)
    elif "proxy_auth_enabled" in res.desired and isinstance(current.get("proxy_type"), int):
        # Up to 4.5 proxy_auth_enabled alone is ignored: authentication is part of proxy_type.
        _resolve_proxy_type(res, current["proxy_type"], current, implied=True)
    _complete_share_limits(res, current)
    return res


def _proxy_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and INT_TEXT.match(value.strip()):
        return int(value.strip())
    return None


def _resolve_proxy_type(res: Resolution, value: Any, current: Mapping[str, Any], implied: bool = False) -> None:
    """proxy_type as this server spells it: an int up to 4.5 (authentication is part of the type), a name from
    4.6 (with proxy_auth_enabled apart). Declared as either, it is translated both ways."""
    declared_auth = res.desired.get("proxy_auth_enabled")
    auth = declared_auth
    number = _proxy_int(value)
    name = None
    if number is None:
        text = value.strip().lower() if isinstance(value, str) else None
        if text in ("http_pw", "socks5_pw"):
            if auth is False:
                res.problems.append(
                    f"proxy_type: {value!r} is a proxy with authentication, but proxy_auth_enabled is false"
                )
                return
            name, auth = text[:-3], True
        elif text in PROXY_NAME_TO_INT:
            name = text
        else:
            res.problems.append(
                f"proxy_type: expected one of {', '.join(PROXY_NAMES)} (or 0 to 5), got {show('proxy_type', value)}"
            )
            return
    elif number not in PROXY_INT_TO_NAME:
        res.problems.append(f"proxy_type: {number} is not a proxy type (0 to 5, or one of {', '.join(PROXY_NAMES)})")
        return
    server_value = current.get("proxy_type")
    if isinstance(server_value, int) and not isinstance(server_value, bool):
        if number is None:
            plain, with_auth = PROXY_NAME_TO_INT[name]
            if auth is None:
                auth = bool(current.get("proxy_auth_enabled"))
            number = with_auth if auth else plain
        elif auth is not None:
            number = ({1: 3, 2: 4} if auth else {3: 1, 4: 2}).get(number, number)
        if declared_auth and number not in PROXY_AUTH_INTS:
            res.problems.append(
                f"proxy_auth_enabled: up to qBittorrent 4.5 only HTTP and SOCKS5 proxies have authentication, and "
                f"the proxy type is {PROXY_INT_TO_NAME[number]} ({number})"
            )
            return
        result: Any = number
    else:
        if number is not None:
            name = PROXY_INT_TO_NAME[number].lower()
            if number in PROXY_AUTH_INTS:
                if auth is False:
                    res.problems.append(
                        f"proxy_type: {number} is a proxy with authentication, but proxy_auth_enabled is false"
                    )
                    return
                auth = True
        result = PROXY_INT_TO_NAME[PROXY_NAME_TO_INT[name][0]]
        if auth and declared_auth is None:
            res.desired["proxy_auth_enabled"] = True
            res.implied.add("proxy_auth_enabled")
    if result != value:
        res.translated.append(f"proxy_type: {json.dumps(value)} -> {json.dumps(result)}")
    if implied:
        res.implied.add("proxy_type")
    res.desired["proxy_type"] = result


def _complete_share_limits(res: Resolution, current: Mapping[str, Any]) -> None:
    """Make each share limit's value and switch agree, since the server keeps -1 while a limit is off."""
    desired = res.desired
    for value_key, switch_key in SHARE_LIMITS:
        value, switch = desired.get(value_key), desired.get(switch_key)
        if value is None and switch is None:
            continue
        if value is not None and value < 0 and value != -1:
            res.problems.append(f"{value_key}: {value} is not a limit; use -1 for no limit")
            continue
        if value is not None and switch is not None:
            if switch != (value >= 0):
                res.problems.append(
                    f"{value_key}: {value} does not agree with {switch_key}: {switch}; qBittorrent keeps -1 exactly "
                    f"when the limit is off, so declare {value_key}: -1 with {switch_key}: false, or a limit with true"
                )
        elif value is not None:
            if switch_key in current:
                desired[switch_key] = value >= 0
                res.implied.add(switch_key)
        elif switch is False:
            if value_key in current:
                desired[value_key] = -1
                res.implied.add(value_key)
        elif not current.get(switch_key):
            res.problems.append(
                f"{switch_key}: true needs {value_key} as well: while the limit is off qBittorrent keeps no value "
                "for it (it reports -1)"
            )


def partners(payload: Mapping[str, Any], desired: Mapping[str, Any], current: Mapping[str, Any], coupled: bool) -> dict:
    """Keys the server needs in the same write as the ones in PAYLOAD: the other half of a scheduler time, and,
    when COUPLED (up to qBittorrent 5.1), the other half of a share limit. Values from DESIRED, else CURRENT.
    """
    pairs = list(SCHEDULE_PAIRS) + (list(SHARE_LIMITS) if coupled else [])
    extra = {}
    for pair in pairs:
        if any(key in payload for key in pair):
            for key in pair:
                if key not in payload and (key in desired or key in current):
                    extra[key] = desired[key] if key in desired else current[key]
    return extra
