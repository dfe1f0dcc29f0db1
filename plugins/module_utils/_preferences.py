# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qbt_preferences' task: the declared preferences of both options, every problem of the task in one message,
the result (secrets masked, in the diff too), the writes in the order the server needs, and the read-back check.

The other files of the preferences: _preference_table.py (what the collection knows about each key: SCHEMA,
RULES), _preference_values.py (one value: its type, its rules, how two values compare), _preference_resolve.py
(the declared keys on one server's version) and _webui_change.py (a write that moves the WebUI or changes its
credentials).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from . import _engine, _platform
from . import _webui_change as webui
from ._diff import MASK, after_values, differences, mask_keys, masked_change
from ._errors import InvalidInput, QbtError
from ._preference_resolve import Resolution, partners, resolve
from ._preference_table import (
    PATH_VALUE_KEYS,
    READ_ONLY_KEYS,
    SCHEMA,
    SECRET_KEYS,
    SHARE_LIMITS,
    WEBUI_KEYS,
    WRITE_ONLY_KEYS,
)
from ._preference_values import coerce, kind_of, normalizer, path_platform_matters, show
from ._versions import has_feature, parse_version

# Also used by qbt_info (masked) and the reliability tests (resolve, coerce, the key sets).
__all__ = ["MASK", "SCHEMA", "SECRET_KEYS", "WRITE_ONLY_KEYS", "coerce", "masked", "resolve", "static_problems"]


# ----------------------------------------------------------------------------------------------- secrets
def masked(preferences: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """A copy with every non-empty secret replaced by a mask, and the set of secret values found."""
    return mask_keys(preferences, SECRET_KEYS)


def mask_value(key: str, value: Any) -> Any:
    """The value as it may be shown: secrets masked (an empty secret stays empty)."""
    if key in SECRET_KEYS and value not in (None, ""):
        return MASK
    return value


def leaf_texts(value: Any) -> list[str]:
    """Every string and number inside VALUE, to register a declared secret of any shape as no_log."""
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in leaf_texts(item)]
    if isinstance(value, (list, tuple, set)):
        return [text for item in value for text in leaf_texts(item)]
    return [str(value)]


def register_secrets(task, preferences: Mapping[str, Any]) -> None:
    """Mark the secret values of PREFERENCES (as the server returned them) as no_log for the task."""
    for secret in masked(preferences)[1]:
        task.no_log(secret)


# ----------------------------------------------------------------------------------------------- declared
def declared_preferences(task) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """The declared keys (both options merged), every secret value registered, the option each key was declared
    in, and every problem found without a request."""
    public = dict(task.params["preferences"] or {})
    secret = dict(task.params["secret_preferences"] or {})
    for values in (public, secret):
        for key in SECRET_KEYS.intersection(values):
            for text in leaf_texts(values[key]):
                task.no_log(text)
    options = {key: "preferences" for key in public}
    options.update({key: "secret_preferences" for key in secret if key not in public})
    problems = [
        f"secret_preferences.{key}: not a secret preference; declare it in preferences"
        for key in secret
        if key not in SECRET_KEYS
    ]
    problems += [f"{key}: declared in both preferences and secret_preferences" for key in secret if key in public]
    declared = dict(public, **secret)
    problems += static_problems(declared)
    return declared, options, problems


def fail_on(problems: list[str], options: Mapping[str, str]) -> None:
    """Raise every problem in one message, each named by its option path (preferences.dl_limit)."""
    if not problems:
        return
    named = []
    for problem in problems:
        key = problem.split(":", 1)[0]
        named.append(problem if "." in key else f"{options.get(key, 'preferences')}.{problem}")
    count = f"{len(named)} problems" if len(named) > 1 else "1 problem"
    raise InvalidInput(f"preferences: {count}: " + "; ".join(named) + ". Nothing was changed")


def static_problems(declared: Mapping[str, Any]) -> list[str]:
    """Problems found without asking the server: every one is reported before any request is sent."""
    problems = []
    for key, value in declared.items():
        if key == "web_ui_api_key":
            problems.append(
                "web_ui_api_key: the API key cannot be set as a preference; qBittorrent generates it. "
                "Use community.qbittorrent.qbt_api_key to create, rotate or delete it"
            )
            continue
        if key in READ_ONLY_KEYS:
            problems.append(f"{key}: this preference is read-only; qBittorrent ignores any value sent for it")
            continue
        pref = SCHEMA.get(key)
        if pref is None or key == "proxy_type":
            continue  # unknown to the table (the server decides), or a type that depends on the version
        try:
            coerce(key, value, pref.kind)
        except ValueError as exc:
            problems.append(str(exc))
    return problems


# ----------------------------------------------------------------------------------------------- the server
def resolve_on_server(task, declared, current, problems, options) -> Resolution:
    """The declared keys resolved against CURRENT (the server's app/preferences); fail with every problem."""
    judged = {problem.split(":", 1)[0] for problem in problems}
    rest = {key: value for key, value in declared.items() if key not in judged}
    res = resolve(rest, current, server_platform(task, rest))
    problems = problems + res.problems + check_unknown(task, res, current)
    if not problems:
        problems = check_credentials(task, res.desired)
    fail_on(problems, options)
    return res


def server_platform(task, declared: Mapping[str, Any]) -> str | None:
    """The server's platform (linux, macos, windows) when a declared path needs it, else None (unknown)."""
    if not any(path_platform_matters(value) for key, value in declared.items() if key in PATH_VALUE_KEYS):
        return None
    return _platform.server_platform(task.client)


def check_unknown(task, res: Resolution, current: Mapping[str, Any]) -> list[str]:
    """Fail, warn about or skip the declared keys this server does not have."""
    mode = task.params["unknown_keys"]
    if not res.unknown or mode == "ignore":
        return []
    client = task.client
    messages = [unknown_key_message(key, current, client.app_version, client.webapi_version) for key in res.unknown]
    if mode == "fail":
        return [m + ". Set unknown_keys: warn or ignore to skip keys a server does not have" for m in messages]
    for message in messages:
        task.warn(f"preferences: {message}; skipped (unknown_keys: warn)")
    return []


def closest_keys(key: str, known: list[str] | set[str] | frozenset, count: int = 3) -> list[str]:
    """The known keys that look most like KEY (a typo's likely intent)."""
    return difflib.get_close_matches(key, sorted(known), n=count, cutoff=0.6)


def unknown_key_message(key: str, server_keys: Any, app_version: str, webapi_version: Any) -> str:
    """Why KEY is not on this server: the server's version, the release that has it, and the closest keys."""
    message = f"{key}: qBittorrent {app_version} (WebAPI {webapi_version}) has no such preference"
    pref = SCHEMA.get(key)
    try:
        version = parse_version(app_version)
    except ValueError:
        version = None
    if pref is not None and version is not None:
        base = parse_version(version.base_version)
        if base < parse_version(pref.since):
            message += f"; it first appears in qBittorrent {pref.since}"
        elif pref.until and base >= parse_version(pref.until):
            message += f"; it was removed in qBittorrent {pref.until}"
    close = closest_keys(key, server_keys)
    if close:
        message += f". Closest known: {', '.join(close)}"
    return message


def check_credentials(task, desired: Mapping[str, Any]) -> list[str]:
    """qBittorrent 5.2+ refuses short credentials with HTTP 400 after applying the keys before them."""
    if not {"web_ui_username", "web_ui_password"}.intersection(desired):
        return []
    if not has_feature("webui_credential_rules", task.client.webapi_version):
        return []
    problems = []
    username = desired.get("web_ui_username")
    if username is not None and (len(username) < 3 or ":" in username):
        problems.append("web_ui_username: qBittorrent 5.2 and later need at least 3 characters and no ':'")
    password = desired.get("web_ui_password")
    if password is not None and len(password) < 6:
        problems.append("web_ui_password: qBittorrent 5.2 and later need at least 6 characters")
    return problems


# ----------------------------------------------------------------------------------------------- result
def diff_of(changes: Mapping[str, tuple[Any, Any]]) -> dict[str, dict[str, Any]]:
    """Before and after of every change. A changed secret shows as a changed mask, never its value: masked alike
    on both sides it would look unchanged (web_ui_password: "********" -> "******** (changed)")."""
    before, after = {}, {}
    for key, (old, new) in changes.items():
        if key in SECRET_KEYS:
            before[key], after[key] = masked_change(old, new, before_known=key not in WRITE_ONLY_KEYS)
        else:
            before[key], after[key] = old, new
    return {"before": before, "after": after}


def reported(res: Resolution, declared, values: Mapping[str, Any]) -> dict[str, Any]:
    """The declared keys (by their declared names) with VALUES, secrets masked."""
    report = {}
    for key, name in res.names.items():
        if key in WRITE_ONLY_KEYS:
            report[name] = MASK
        elif key in values:
            report[name] = mask_value(key, values[key])
    return report


# ----------------------------------------------------------------------------------------------- writes
def split_writes(client, res: Resolution, current, wanted) -> tuple[dict[str, Any], dict[str, Any]]:
    """The keys of the first write (with the keys the server needs in the same write) and the WebUI keys, which
    are written last in a write of their own."""
    general = {key: value for key, value in wanted.items() if key not in WEBUI_KEYS}
    final = {key: value for key, value in wanted.items() if key in WEBUI_KEYS}
    if general:
        coupled = any(key in general for pair in SHARE_LIMITS for key in pair) and not has_feature(
            "share_limits_uncoupled", client.webapi_version
        )
        general.update(partners(general, res.desired, current, coupled))
    return general, final


def verify(after, payload, res: Resolution, options, what="qBittorrent") -> None:
    """Fail naming every written key whose value the server did not keep: it was written, so changed is true."""
    normalizers = res.normalizers()
    missing = []
    for key, value in payload.items():
        if key in WRITE_ONLY_KEYS:
            continue
        name = res.names.get(key, key)
        label = f"{options.get(name, 'preferences')}.{name}" + ("" if name == key else f" ({key} on this server)")
        if key not in after:
            missing.append(f"{label}: {show(key, value)} was sent, and the key is no longer reported")
            continue
        normalize = normalizers.get(key) or normalizer(key, kind_of(key, after[key], known=True))
        if normalize(after[key]) != normalize(value):
            missing.append(f"{label}: {show(key, value)} was sent, the server kept {show(key, after[key])}")
    if missing:
        error = QbtError(
            f"{what} changed or dropped written preferences (it ignores or rewrites values it cannot use without an "
            "error); they were written, so the task changed the server: " + "; ".join(missing)
        )
        error.changed = True
        raise error


# ----------------------------------------------------------------------------------------------- the resource
class Preferences(_engine.Setting):
    """The declared preferences on the converge engine. Planning needs the server's keys (renamed keys, unknown
    keys, a WebUI password that only a login can compare), so the declared keys are resolved there; the writes
    (the WebUI keys last, in a write of their own) and their verification are _webui_change's."""

    list_option = "preferences"

    def desired(self, single=None, item_options=None):
        self.declared, self.options, self.problems = declared_preferences(self.task)
        if all(key in SCHEMA for key in self.declared):
            fail_on(self.problems, self.options)  # before any request: no declared key needs the server's keys
        return self.declared

    def read(self):
        current = self.client.get_json("app/preferences")
        register_secrets(self.task, current)
        return current

    def plan(self, current, desired, purge=False):
        """{server key: (current, declared)} of the keys that differ, web_ui_password when a login says so."""
        self.res = resolve_on_server(self.task, desired, current, self.problems, self.options)
        wanted = dict(self.res.desired)
        password = wanted.pop("web_ui_password", None)
        changes = differences(current, wanted, self.res.normalizers())
        if wanted.get("use_https") and current.get("use_https") and "use_https" not in changes:
            webui.check_https_active(self.task, current)
        if password is not None and webui.password_differs(self.task, current, password):
            changes["web_ui_password"] = (None, password)  # write-only: the server never returns the old one
        return changes

    def shown(self, state):
        return reported(self.res, self.declared, state)

    def summary(self, plan):
        return {"changed_keys": sorted(plan), "translated": self.res.translated, "unknown_keys": self.res.unknown}

    def diff(self, plan, current, desired):
        return diff_of(plan)

    def apply(self, plan, current, desired):
        general, final = split_writes(self.client, self.res, current, after_values(plan))
        self.web_ui = {}

        def check(after, payload, what="qBittorrent"):
            verify(after, payload, self.res, self.options, what)

        self.after = webui.apply(self.task, current, general, final, self.web_ui, check)

    def read_back(self, plan, current, desired):
        """What webui.apply read and verified; the prediction when the moved WebUI could not be reached."""
        if self.after is None:
            return self.predicted(current, plan, desired)
        register_secrets(self.task, self.after)
        return self.after

    def applied(self):
        return self.web_ui
