# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cookies: the jar qBittorrent sends from when it downloads .torrent files and RSS feeds (qbt_cookie, qbt_info).

Server facts (src/webui/api/appcontroller.cpp, AppController::cookiesAction and setCookiesAction, at release-5.1.0
and master; src/base/net/downloadmanager.cpp, NetworkCookieJar), the answers observed on 5.1.0 and 5.3.0:

* app/cookies lists every cookie as {name, domain, path, value, expirationDate}; expirationDate is in seconds
  since the epoch, -1 for a session cookie (Utils::DateTime::toSecsSinceEpoch of an invalid date). Domain and
  path are kept as they were sent ('' included).
* app/setCookies replaces the whole jar with the JSON list it is sent. So the jar is read, only the declared
  cookies are changed, and the whole list is written back in one request; an entry without expirationDate is a
  session cookie.
* qBittorrent drops session cookies and expired cookies when it loads the jar at start and when it saves it at
  exit (NetworkCookieJar's constructor and destructor): a cookie lasts only with a future expirationDate.
* Names are read with fromLatin1 and written with toLatin1; values are written as UTF-8 (toUtf8) but read back as
  Latin-1 (fromLatin1). Values are decoded from UTF-8 again here (wire_value), so a non-ASCII value compares equal
  to what was declared and every cookie the task does not declare is written back with the same bytes.

An item is keyed '<name>@<domain><path>' ('uid@tracker.example.org/'): '@' cannot be in a cookie name (an RFC 6265
token) nor in a domain this module accepts, and a path starts with '/' or is empty, so the key names one cookie.
"""

from __future__ import annotations

import json
import time
from typing import Any

from . import _fields
from ._engine import Field, Resource, declared_items, desired_state
from ._errors import InvalidInput, QbtError

MASK = "********"
CHANGED_MASK = "******** (changed)"
# QDateTime's range is wider, but a cookie expiring after year 9999 means a typo (milliseconds, say).
MAX_EXPIRATION = 253402300799
# RFC 6265 (section 4.1.1): a cookie name is an RFC 2616 token, which none of these characters may be in.
NAME_SEPARATORS = '()<>@,;:\\"/[]?={} \t'
DOMAIN_REFUSED = " /:@;,\\?#"


def expiration(option: str, value: Any) -> Any:
    return _fields.number(option, value, 0, MAX_EXPIRATION, unit="seconds since the epoch")


def cookie_value(option: str, value: Any) -> Any:
    """A control character would end the Cookie header early, and ';' ends the cookie (RFC 6265, cookie-octet).
    The message never shows the value: it is a secret."""
    if value is None:
        return None
    found = _fields.control_character(value)
    if found is not None:
        raise InvalidInput(f"{option}: the value contains the control character {found[1]} (not shown); remove it")
    if ";" in value:
        raise InvalidInput(f"{option}: the value contains ';', which ends a cookie (not shown); remove it")
    return value


FIELDS = {
    "value": Field({"type": "str", "no_log": True}, cookie_value),
    "expiration": Field({"type": "int"}, expiration),
}


def _refuse_chars(option: str, value: Any, what: str, refused, advice: str) -> str:
    """VALUE, a text (_fields.text), unless a character of it is REFUSED: then the message names the first one."""
    _fields.text(option, value, what)
    bad = [char for char in value if refused(char)]
    if bad:
        raise InvalidInput(f"{option}: the {what} {value!r} contains {bad[0]!r}{advice}")
    return value


def cookie_name(option: str, value: Any) -> str:
    return _refuse_chars(
        option,
        value,
        "cookie name",
        lambda char: char in NAME_SEPARATORS or not char.isascii(),
        ", which a cookie name cannot hold (an RFC 6265 token: ASCII letters, digits and !#$%&'*+-.^_`|~); give the "
        "name the site sets",
    )


def cookie_domain(option: str, value: Any) -> str:
    return _refuse_chars(
        option,
        value,
        "cookie domain",
        DOMAIN_REFUSED.__contains__,
        "; give the host name only, such as tracker.example.org (or .example.org for the domain and its subdomains), "
        "not a URL",
    )


def cookie_path(option: str, value: Any) -> str:
    if value is None:
        return "/"
    _fields.no_control(option, value, "cookie path")
    if value and not value.startswith("/"):
        raise InvalidInput(f"{option}: the cookie path {value!r} does not start with '/'; give a URL path such as /rss")
    return value


def key(name: str, domain: str, path: str) -> str:
    return f"{name}@{domain}{path}"


def _item_option(list_option: str, label: str):
    return lambda field: f"{list_option}[{label}].{field}"


def wire_value(value: str) -> tuple[str, bool]:
    """The value as app/setCookies must be sent it to keep its bytes (see the module docstring), and whether that
    is possible: bytes that are not UTF-8 cannot be sent back unchanged."""
    try:
        return value.encode("latin-1").decode("utf-8"), True
    except UnicodeError:
        return value, False


def read(client, task=None, inexact: set | None = None) -> dict[str, dict[str, Any]]:
    """The jar as {key: {'name', 'domain', 'path', 'value', 'expiration'}}; expiration is None for a session
    cookie. Every value is marked no_log on TASK; INEXACT gets the keys whose value cannot be written back."""
    cookies = {}
    for entry in client.get_json("app/cookies"):
        value, exact = wire_value(entry.get("value", ""))
        if not exact and inexact is not None:
            inexact.add(key(entry["name"], entry["domain"], entry["path"]))
        if task is not None:
            task.no_log(value)
            task.no_log(entry.get("value", ""))
        expires = entry.get("expirationDate", -1)
        cookies[key(entry["name"], entry["domain"], entry["path"])] = {
            "name": entry["name"],
            "domain": entry["domain"],
            "path": entry["path"],
            "value": value,
            "expiration": None if expires is None or expires < 0 else expires,
        }
    return cookies


def masked(cookies: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The cookies as they may be shown: values masked (an empty value stays empty)."""
    return {name: dict(entry, value=MASK if entry.get("value") else "") for name, entry in sorted(cookies.items())}


class Cookies(Resource):
    list_option = "cookies"
    key_options = {"domain": {"type": "str", "required": True}, "path": {"type": "str"}}
    noun = "cookie"
    fields = FIELDS
    requires = ("app/setCookies", "cookies")

    def desired(self, single=None, item_options=None) -> dict[str, Any]:
        """The declared cookies by key: each name, domain and path checked first (every problem at once), then the
        engine's checks of the values."""
        problems = _fields.Problems()
        keyed = []
        for item, option in declared_items(
            self.task.params, self.list_option, "name", [*self.key_options, *FIELDS, "state"]
        ):
            parts = (
                problems.check(cookie_name, option("name"), item["name"]),
                problems.check(cookie_domain, option("domain"), item["domain"]),
                problems.check(cookie_path, option("path"), item["path"]),
            )
            complete = None not in parts
            if complete and self.task.params[self.list_option] is not None:
                # Cookies of one name on several domains: messages name an item by its whole key.
                option = _item_option(self.list_option, key(*parts))
            keyed.append((dict(item, name=key(*parts) if complete else None, parts=parts), option))
        return desired_state(self, keyed, problems)

    def item_values(self, item, option, problems):
        values = super().item_values(item, option, problems)
        name, domain, path = item["parts"]
        values.update(name=name, domain=domain, path=path)
        if item.get("value") is None:
            problems.add(f"{option('value')}: a cookie declared present needs a value")
        else:
            self.task.no_log(item["value"])
        expires = values.get("expiration")
        if expires is not None and expires <= time.time():
            when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(expires))
            problems.add(
                f"{option('expiration')}: {expires} ({when}) is in the past; qBittorrent never sends an expired "
                "cookie and drops it when it restarts. Give a future time in seconds since the epoch, or "
                "state: absent to delete the cookie"
            )
        return values

    def read(self):
        self.inexact = set()
        return read(self.client, self.task, self.inexact)

    def plan(self, current, desired, purge):
        plan = super().plan(current, desired, purge)
        # The values are secrets: the diff (and any message made of it) shows that a value changed, never what.
        for entry in plan.diff.before.values():
            if "value" in entry:
                entry["value"] = MASK
        for name, entry in plan.diff.after.items():
            if "value" in entry:
                entry["value"] = CHANGED_MASK if name in plan.update else MASK
        for name, values in plan.create.items():
            if values.get("expiration") is None:
                self.task.warn(
                    f"cookies: {name!r} has no expiration, so it is a session cookie: qBittorrent drops it when it "
                    "restarts. Give expiration (seconds since the epoch) to keep it"
                )
        return plan

    def predicted(self, current, plan, desired):
        state = {name: dict(entry) for name, entry in current.items() if name not in plan.remove}
        for name, values in plan.create.items():
            state[name] = {"expiration": None, **values}
        for name, changes in plan.update.items():
            state[name].update({field: pair[1] for field, pair in changes.items()})
        return state

    def shown(self, state):
        return masked(state)

    def apply(self, plan, current, desired):
        """One setCookies with the whole jar: the cookies the task does not touch as the server has them, then the
        created and changed ones."""
        touched = set(plan.create).union(plan.update, plan.remove)
        jar = []
        for name, entry in sorted(current.items()):
            if name in touched:
                continue
            if name in self.inexact:
                raise QbtError(
                    f"cookies: the cookie {name!r} on the server has a value that is not UTF-8, which app/setCookies "
                    "cannot write back unchanged, and it writes the whole jar. Declare that cookie (or delete it in "
                    "the WebUI) and run again"
                )
            jar.append(entry)
        for name in sorted(set(plan.create).union(plan.update)):
            jar.append(dict(current.get(name, {}), **desired[name]))
        payload = [
            {
                "name": entry["name"],
                "domain": entry["domain"],
                "path": entry["path"],
                "value": entry["value"],
                **({"expirationDate": entry["expiration"]} if entry.get("expiration") is not None else {}),
            }
            for entry in jar
        ]
        self.client.post("app/setCookies", {"cookies": json.dumps(payload)})
