# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qbt_preferences across a change of the WebUI itself: the order of the writes, where the WebUI answers after
web_ui_port, web_ui_address or use_https changed, HTTPS that qBittorrent silently failed to switch on, a move
that left the WebUI answering nowhere, and logging in with new credentials.

Facts: docs/dev/webapi-facts.md#webui-reconfiguration. WebUI::configure (qBittorrent's src/webui/webui.cpp)
runs on Preferences::changed, right after the answer to app/setPreferences; when the certificate or key cannot
be loaded it logs "HTTPS setup failed, fallback to HTTP" and keeps serving plain HTTP; the API reports no error.
When the address or port changes, WebUI::configure closes the old listener before it listens at the new one; when
that fails (a port in use, an address the host lacks) it logs "Unable to bind to IP: ..., port: ..." and the
WebUI answers nowhere. Up to 4.6 qbittorrent-nox then exits (src/app/application.cpp connects WebUI::fatalError
to QCoreApplication::exit), before it answers the write; from 5.0 it keeps running without a WebUI.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from . import _preferences
from ._client import ENV_NAMES
from ._errors import Banned, ConnectionFailed, HTTPStatusError, LoginFailed, QbtError
from ._module import client_from_params
from ._preference_table import ENDPOINT_KEYS

try:
    from urllib3.exceptions import ProtocolError
except ImportError:  # pragma: no cover - the client reports the missing library
    ProtocolError = ()

# After a change of the WebUI: the pause before the first request, how long the module tries to reach the WebUI
# at its new address or scheme, and how long plain HTTP may still answer after HTTPS was switched on.
SETTLE_SECONDS = 0.1
FOLLOW_SECONDS = 5.0
FALLBACK_SECONDS = 2.0
HTTPS_KEYS = ("use_https", "web_ui_https_cert_path", "web_ui_https_key_path")


def write_preferences(client, values: Mapping[str, Any]) -> None:
    client.post("app/setPreferences", {"json": json.dumps(values)})


def apply(task, current, general, final, result, verify):
    """Write GENERAL, then FINAL (the keys that move the WebUI or change its credentials) in a write of its own,
    follow the WebUI, and check each write with VERIFY(after, written, what=...). Sets result["web_ui"] when FINAL
    was written. Returns the preferences read after the writes, or None when the WebUI could not be reached."""
    client = task.client
    if general:
        write_preferences(client, general)
    if not final:
        after = client.get_json("app/preferences")
        verify(after, general)
        return after
    if general and ENDPOINT_KEYS.intersection(final):
        verify(client.get_json("app/preferences"), general)  # before the WebUI moves: afterwards it may be out of reach
        general = {}
    lost = write_final(client, final)
    result["web_ui"], after = follow(task, current, final, lost)
    if after is not None:
        verify(after, final, what=f"qBittorrent at {result['web_ui']['url']}")
        result["web_ui"]["verified"] = True
    if general:
        # Only the credentials changed: the task's own session still works when the new ones could not be tried.
        verify(after if after is not None else client.get_json("app/preferences"), general)
    return after


def write_final(client, final):
    """Send the WebUI keys. Returns the error when the connection dropped after the request was sent (qBittorrent
    up to 4.6 exits before it answers when its WebUI cannot listen at the new address): following the WebUI then
    tells what happened."""
    try:
        write_preferences(client, final)
    except ConnectionFailed as exc:
        cause = exc.__cause__
        inner = cause.args[0] if cause is not None and cause.args else None
        if not ENDPOINT_KEYS.intersection(final) or not isinstance(inner, ProtocolError):
            raise
        return exc
    return None


def password_client(task, url, username, password):
    """A client that logs in with USERNAME and PASSWORD (never an API key, not even from the environment)."""
    params = dict(task.params, url=url, username=username, password=password, api_key=None)
    env = {name: value for name, value in task.env.items() if name not in ENV_NAMES["api_key"]}
    return client_from_params(params, env)


def password_differs(task, current, password):
    """Whether the declared web_ui_password must be sent (update_password)."""
    if task.params["update_password"] == "always":
        return True
    if current.get("bypass_local_auth") or current.get("bypass_auth_subnet_whitelist_enabled"):
        task.warn(
            "web_ui_password: the server lets some clients in without a password (bypass_local_auth or the subnet "
            "whitelist), so a login cannot tell whether the password differs; it is sent every run"
        )
        return True
    probe = password_client(task, task.client.base_url, current.get("web_ui_username"), password)
    try:
        with probe:
            probe.request("GET", "app/version")
    except Banned as exc:
        raise QbtError(f"web_ui_password: cannot tell whether the password differs: {exc}") from exc
    except LoginFailed:
        return True
    finally:
        task.client.api_calls.extend(probe.api_calls)
    return False


def https_fallback_message(url, written):
    return (
        f"use_https: qBittorrent did not switch its WebUI to HTTPS ({url} does not speak TLS, while plain HTTP "
        f"answers there): it could not load the certificate or the key and silently fell back to plain HTTP. "
        f"Check that web_ui_https_cert_path and web_ui_https_key_path name PEM files (the key without a "
        f"passphrase) that the qBittorrent user can read ({describe_endpoint_change(written)})"
    )


def speaks_plain_http(task, url):
    """Whether plain HTTP answers at URL (any HTTP status will do; no credentials are sent)."""
    return answers(task, "http" + url[len("https") :] if url.startswith("https:") else url)


def answers(task, url):
    """Whether anything answers HTTP at URL (any HTTP status will do; no credentials are sent)."""
    probe = client_from_params(dict(task.params, url=url, username=None, password=None, api_key=None), {})
    try:
        with probe:
            probe.request("GET", "app/version")
    except HTTPStatusError:
        return True
    except ConnectionFailed:
        return False
    finally:
        task.client.api_calls.extend(probe.api_calls)
    return True


def roll_back_https(task, current, written):
    """After a silent fallback to plain HTTP, switch HTTPS back off through the task's own session, whose cookie
    predates the change and so still works over plain HTTP. Returns a sentence for the failure message."""
    if {"web_ui_port", "web_ui_address"}.intersection(written):
        return (
            " The WebUI also moved, so the module could not switch use_https back; do so with an API key, from an "
            "address that needs no login, or in qBittorrent.conf"
        )
    restore = {key: current[key] for key in HTTPS_KEYS if key in written and key in current}
    try:
        write_preferences(task.client, restore)
    except QbtError as exc:
        return f" Switching use_https back failed too ({exc})."
    return (
        " The module switched use_https (and the certificate paths) back to what they were, so the WebUI stays usable."
    )


def follow(task, current, written, lost=None):
    """Reach the WebUI after the final write, at its new address, scheme or credentials, and read it back.

    LOST is the error of a write whose answer never came. Returns the web_ui result ({url, verified: false}; the
    caller verifies) and the preferences read there (None when the WebUI could not be reached).
    """
    client = task.client
    url, why = moved_url(client.base_url, current, written)
    web_ui = {"url": url, "verified": False}
    if url is None:
        if lost is not None and not answers(task, client.base_url):
            raise answers_nowhere(client.base_url, None, written, f"{lost}; {why}")
        task.warn(f"qBittorrent accepted {describe_endpoint_change(written)}, but {why}: not verified")
        return web_ui, None
    time.sleep(SETTLE_SECONDS)  # qBittorrent reconfigures its WebUI right after answering the write
    if url.startswith("https:") and set(HTTPS_KEYS).intersection(written):
        # A TLS handshake with a plain-HTTP qBittorrent takes seconds to fail, plain HTTP with a TLS one
        # milliseconds: while plain HTTP still answers, HTTPS is not (yet) on.
        deadline = time.monotonic() + FALLBACK_SECONDS
        while speaks_plain_http(task, url):
            if time.monotonic() > deadline:
                raise QbtError(https_fallback_message(url, written) + "." + roll_back_https(task, current, written))
            time.sleep(0.1)

    credentials = "web_ui_password" in written or ("web_ui_username" in written and not client.uses_api_key)
    username = written.get("web_ui_username", current.get("web_ui_username"))

    def new_client():
        if credentials:
            password = written.get("web_ui_password", task.params["password"])
            if password is None:
                password = next((task.env[n] for n in ENV_NAMES["password"] if task.env.get(n)), None)
            if password is not None:  # none known: the task got in without a login (bypass), and so will this
                return password_client(task, url, username, password)
        return client_from_params(dict(task.params, url=url))

    deadline = time.monotonic() + FOLLOW_SECONDS
    error = None
    while True:
        follower = new_client()
        try:
            with follower:
                after = follower.get_json("app/preferences")
            break
        except LoginFailed as exc:
            raise QbtError(
                f"the WebUI credentials were changed, but logging in with the new ones failed at {url}: {exc}"
            ) from exc
        except ConnectionFailed as exc:
            error = exc
            if "certificate verification failed" in str(exc) or time.monotonic() > deadline:
                after = None
                break
            time.sleep(0.25)
        finally:
            client.api_calls.extend(follower.api_calls)
    if after is None:
        # A certificate that fails verification was sent by the WebUI at its new address: it answers there.
        moved = lost is not None or {"web_ui_port", "web_ui_address"}.intersection(written)
        if moved and "certificate verification failed" not in str(error) and not answers(task, client.base_url):
            raise answers_nowhere(client.base_url, url, written, error)
        task.warn(
            f"qBittorrent accepted {describe_endpoint_change(written) or 'the change'}; its WebUI should now "
            f"answer at {url}, but the module could not verify it from where it runs: {error}"
        )
        return web_ui, None
    _preferences.register_secrets(task, after)
    return web_ui, after


def answers_nowhere(old_url, new_url, written, error):
    """The error of a move after which the WebUI answers neither at its old address nor at the new one: the
    change was sent (changed is true), and what to check."""
    checks = []
    if "web_ui_port" in written:
        checks.append(f"whether another process listens on port {written['web_ui_port']} (qBittorrent cannot share it)")
    address = str(written.get("web_ui_address", "")).strip()
    if address not in WILDCARD_ADDRESSES:
        checks.append(f"whether the host has the address {address}")
    if new_url is not None:
        checks.append("whether the new address can be reached from where the module runs")
    listed = ", ".join(checks[:-1]) + (" and " if len(checks) > 1 else "") + checks[-1] if checks else ""
    where = f"at the old address {old_url}" + ("" if new_url is None else f" or at the new one {new_url}")
    # The client's hints about the url's scheme do not apply here: the scheme was right before the move.
    for hint in (". A WebUI that speaks plain HTTP", ". If the WebUI uses HTTPS"):
        error = str(error).split(hint, maxsplit=1)[0]
    error = QbtError(
        f"qBittorrent was sent {describe_endpoint_change(written)}, and its WebUI no longer answers {where}: "
        f"{error}. " + (f"Check {listed}; " if listed else "") + "qBittorrent's log says why its WebUI could not "
        'listen ("WebUI: Unable to bind to IP"), and up to 4.6 qBittorrent exits then. If the WebUI cannot be '
        "reached, set WebUI\\Port and WebUI\\Address back in qBittorrent.conf and restart qBittorrent"
    )
    error.changed = True
    return error


def check_https_active(task, current):
    """use_https is on, yet this task reached the WebUI directly over plain HTTP: HTTPS failed to start."""
    base = task.client.base_url
    if base.startswith("http:") and reaches_directly(base, current):
        raise QbtError(https_fallback_message(base, {key: current.get(key) for key in HTTPS_KEYS}))


WILDCARD_ADDRESSES = ("", "*", "0.0.0.0", "::", "[::]")


def reaches_directly(base_url: str, current: Mapping[str, Any]) -> bool:
    """Whether BASE_URL talks to qBittorrent's own port (not through a reverse proxy or a mapped port)."""
    parts = urlsplit(base_url)
    return (parts.port or (443 if parts.scheme == "https" else 80)) == current.get("web_ui_port")


def moved_url(base_url: str, current: Mapping[str, Any], written: Mapping[str, Any]) -> tuple[str | None, str]:
    """Where the WebUI answers after WRITTEN (web_ui_port, web_ui_address, use_https) took effect.

    Returns (url, '') or (None, why it cannot be told): when the task reaches qBittorrent through something
    else (a reverse proxy or a mapped port: the url's port is not the server's web_ui_port), the new endpoint
    cannot be derived from the url.
    """
    if not any(key in written for key in ("web_ui_port", "web_ui_address", "use_https")):
        return base_url, ""
    if not reaches_directly(base_url, current):
        return None, (
            f"the task reaches qBittorrent at {base_url}, not on its own port {current.get('web_ui_port')} (a reverse "
            "proxy or a mapped port?), so where the WebUI answers now cannot be derived from the url"
        )
    parts = urlsplit(base_url)
    scheme = parts.scheme
    if "use_https" in written:
        scheme = "https" if written["use_https"] else "http"
    host = parts.hostname or ""
    address = str(written.get("web_ui_address", "")).strip()
    if address not in WILDCARD_ADDRESSES:
        host = address
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    port = written.get("web_ui_port", current.get("web_ui_port"))
    return urlunsplit((scheme, f"{host}:{port}", parts.path, "", "")), ""


def describe_endpoint_change(written: Mapping[str, Any]) -> str:
    """'web_ui_port: 8081, use_https: true' for messages (never a secret)."""
    return ", ".join(
        f"{key}: {json.dumps(_preferences.mask_value(key, value))}"
        for key, value in sorted(written.items())
        if key in ENDPOINT_KEYS
    )
