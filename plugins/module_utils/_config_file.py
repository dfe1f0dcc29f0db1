# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of qbt_config_file: which keys of qBittorrent.conf differ from the declaration, and how to write them.

Keys are named as QSettings names them, group then key with '/' (Preferences, WebUI/Port); the file writes the '/'
inside a key as '\\' (see _qsettings). The WebUI keys are those of src/base/preferences.cpp (Preferences::
getWebUIUsername, getWebUIPassword, getWebUIAddress, getWebUIPort). Up to 5.2 they are "Preferences/WebUI/...";
5.3 reads "WebUI/..." and moves the old keys there once (src/app/upgrade.cpp, migrateWebUISettings, run by
upgrade() for a profile whose Meta/MigrationVersion is below 11, which a new file's missing key counts as).
"""

from __future__ import annotations

import re
from typing import Any

from ansible_collections.community.qbittorrent.plugins.module_utils._diff import MASK, Diff, masked_change
from ansible_collections.community.qbittorrent.plugins.module_utils._password_hash import (
    md5_ha1,
    pbkdf2,
    verify_md5,
    verify_pbkdf2,
)
from ansible_collections.community.qbittorrent.plugins.module_utils._qsettings import QSettingsFile, escape_key

PREFERENCES = "Preferences"
USERNAME, ADDRESS, PORT = "Username", "Address", "Port"
PASSWORD_KEYS = {"pbkdf2": "Password_PBKDF2", "md5": "Password_ha1"}
WEBUI_MIGRATION = 11  # upgrade.cpp: the Meta/MigrationVersion from which the WebUI keys are in [WebUI]
# keys whose values are shown masked in the diff even when the task does not say secret: true
SECRET_NAME = re.compile(r"password|passwd|apikey|api_key|passkey|secret|token|cookie", re.IGNORECASE)


class ConfigError(ValueError):
    """A declaration that cannot be written; the message names the option and what to do."""


def setting_text(value: Any, where: str) -> str:
    """A declared value as the string QSettings would store: booleans as true/false, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise ConfigError(
        f"{where}: the value {value!r} is a {type(value).__name__}; give a string, a number or a boolean (lists "
        "and mappings have no single form in qBittorrent.conf)"
    )


def key_name(key: str) -> str:
    """'WebUI\\Port' (as the file shows it) or 'WebUI/Port' (as QSettings names it) -> 'WebUI/Port'."""
    return key.strip().replace("\\", "/")


def web_ui_group(conf: QSettingsFile, choice: str) -> tuple[str, str]:
    """(group, key prefix) of the WebUI keys: [WebUI] once qBittorrent 5.3 has migrated the profile, else
    [Preferences] WebUI\\..., which every version reads or migrates."""
    if choice == "auto":
        version = conf.get("Meta", "MigrationVersion")
        migrated = isinstance(version, str) and version.strip().isdigit() and int(version) >= WEBUI_MIGRATION
        choice = "webui" if migrated else "preferences"
    return ("WebUI", "") if choice == "webui" else (PREFERENCES, "WebUI/")


def declared(params: dict[str, Any], conf: QSettingsFile) -> list[dict[str, Any]]:
    """The declaration as a list of {group, key, value (None: absent), secret, option}; conflicts refused."""
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    webui, prefix = web_ui_group(conf, params["web_ui_keys"])

    def add(group: str, key: str, value: str | None, secret: bool, option: str) -> None:
        if not key or key.startswith("/") or key.endswith("/") or "//" in key:
            raise ConfigError(f"{option}: the key {key!r} is not a key name (like WebUI\\Port)")
        previous = wanted.get((group, key))
        if previous is not None:
            raise ConfigError(
                f"{option} and {previous['option']} both declare [{group}] {escape_key(key)}; declare it once"
            )
        wanted[(group, key)] = {"group": group, "key": key, "value": value, "secret": secret, "option": option}

    if params.get("web_ui_username") is not None:
        if not params["web_ui_username"]:
            raise ConfigError("web_ui_username: qBittorrent refuses an empty user name; give one")
        add(webui, prefix + USERNAME, params["web_ui_username"], False, "web_ui_username")
    if params.get("web_ui_address") is not None:
        add(webui, prefix + ADDRESS, params["web_ui_address"], False, "web_ui_address")
    if params.get("web_ui_port") is not None:
        if not 1 <= params["web_ui_port"] <= 65535:
            raise ConfigError(f"web_ui_port: {params['web_ui_port']} is not a TCP port (1-65535)")
        add(webui, prefix + PORT, str(params["web_ui_port"]), False, "web_ui_port")
    if params.get("web_ui_password") is not None:
        if params["web_ui_password"] == "":
            raise ConfigError("web_ui_password: an empty password cannot log in; give one")
        add(webui, prefix + PASSWORD_KEYS[params["password_format"]], None, True, "web_ui_password")
    for index, item in enumerate(params.get("settings") or []):
        where = f"settings[{index}]"
        group = item["section"].strip()
        if group.startswith("[") and group.endswith("]"):
            group = group[1:-1]
        key = key_name(item["key"])
        if group == PREFERENCES and key.startswith("WebUI/") and webui != PREFERENCES:
            group, key = webui, key[len("WebUI/") :]  # where 5.3 moved it (migrateWebUISettings)
        present = item["state"] == "present"
        if present and item.get("value") is None:
            raise ConfigError(f"{where}: [{group}] {item['key']} has no value; give value, or state: absent")
        value = setting_text(item["value"], where) if present else None
        add(
            "" if group == "General" else group,
            key,
            value,
            bool(item["secret"]) or bool(SECRET_NAME.search(key)),
            where,
        )
    return list(wanted.values())


def plan(conf: QSettingsFile, wanted: list[dict[str, Any]], params: dict[str, Any]) -> tuple[list[str], Diff]:
    """Apply the declaration to CONF (in memory); returns the changed keys ('[Group] Key') and the diff."""
    changed, diff = [], Diff()
    for item in wanted:
        group, key, option = item["group"], item["key"], item["option"]
        label = f"[{group or 'General'}] {escape_key(key)}"
        current = conf.get(group, key)
        if option == "web_ui_password":
            password, fmt = params["web_ui_password"], params["password_format"]
            stored = current if isinstance(current, str) else None
            good = stored is not None and (verify_pbkdf2 if fmt == "pbkdf2" else verify_md5)(stored, password)
            if good:
                continue
            secret = pbkdf2(password) if fmt == "pbkdf2" else md5_ha1(password)
            conf.set_bytearray(group, key, secret)
            before, after = masked_change(stored, MASK)
        elif item["value"] is None:
            if current is None:
                continue
            conf.remove(group, key)
            before, after = (MASK if item["secret"] else current), None
        else:
            if current == item["value"]:
                continue
            conf.set(group, key, item["value"])
            if item["secret"]:
                before, after = masked_change(current, item["value"])
            else:
                before, after = current, item["value"]
        changed.append(label)
        diff.changed({escape_key(key): (before, after)}, item=group or "General")
    return changed, diff


def verify(conf: QSettingsFile, wanted: list[dict[str, Any]], params: dict[str, Any]) -> list[str]:
    """The declared keys that CONF (as re-read from disk) does not hold as declared."""
    wrong = []
    for item in wanted:
        current = conf.get(item["group"], item["key"])
        if item["option"] == "web_ui_password":
            check = verify_pbkdf2 if params["password_format"] == "pbkdf2" else verify_md5
            ok = isinstance(current, str) and check(current, params["web_ui_password"])
        else:
            ok = current == item["value"]
        if not ok:
            wrong.append(f"[{item['group'] or 'General'}] {escape_key(item['key'])}")
    return wrong
