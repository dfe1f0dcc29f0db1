# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP client every module uses to talk to the qBittorrent WebUI API.

Pure Python on requests, no Ansible import. It reproduces the configuration behaviour of the reference client
qbittorrent-api (docs/dev/client-behaviour.md): host forms and reverse-proxy prefixes, environment
variables, API key precedence, in-line login and one re-login, logout, certificate verification, requests and
adapter arguments, extra headers, version checks, unimplemented endpoints and debug logging.

This file holds the Client: settings, API calls and the shapes of JSON answers. The url setting is read in _url,
one HTTP exchange is _transport's (with _deadline), authentication is _auth's, the server's versions and the
version policy are _server_versions', and answers that do not come from qBittorrent are recognised in _diagnose.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from ._auth import Auth
from ._connection import BY_NAME, DEFAULTS, ENV_NAMES, resolve, secret_values
from ._diagnose import foreign_answer, short
from ._errors import (
    InvalidInput,
    QbtError,
    UnexpectedResponse,
    UnimplementedEndpoint,
    error_class_for_status,
)
from ._server_versions import ServerVersions
from ._transport import LOGGER, Transport
from ._url import check_url, mask_url, split_url
from ._versions import HAS_PACKAGING, PACKAGING_IMPORT_ERROR

try:
    # only to tell whether the library is there
    import requests  # noqa: F401  pylint: disable=unused-import

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the missing-library path
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

__all__ = [
    "DEFAULT_TIMEOUT",
    "ENV_NAMES",
    "HAS_REQUESTS",
    "REQUESTS_IMPORT_ERROR",
    "Client",
    "mask_url",
    "split_url",
]

# The defaults live in _connection.OPTIONS; these names stay for callers and tests.
DEFAULT_TIMEOUT = DEFAULTS["timeout"]
DEFAULT_RETRIES = DEFAULTS["retries"]
ENV_DO_NOT_VERIFY = ENV_NAMES["validate_certs"]

# The JSON answers the modules read: (type of the answer, type of each member or element); anything else would
# make a module fail with a Python error instead of a message.
_JSON_SHAPES: dict[str, tuple[type, type | None]] = {
    "app/preferences": (dict, None),
    "app/buildInfo": (dict, None),
    "app/rotateAPIKey": (dict, None),
    "torrents/categories": (dict, dict),
    "torrents/tags": (list, str),
    "torrents/info": (list, dict),
    "torrents/trackers": (list, dict),
    "rss/items": (dict, dict),
    "rss/rules": (dict, dict),
}


def _encode(value: Any) -> Any:
    """qBittorrent understands only 'true'/'false' for booleans (parseBool)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _encode_fields(fields: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if fields is None:
        return None
    return {key: _encode(value) for key, value in fields.items() if value is not None}


class Client(ServerVersions):
    """One connection to one qBittorrent WebUI; use it as a context manager so the session is always closed.

    Nothing is sent until the first API call: login (or the API key check) happens in line with it.
    """

    def __init__(
        self,
        url: str | None = None,
        username: str | None = None,
        password: str | None = None,
        api_key: str | None = None,
        validate_certs: bool | None = None,
        ca_path: str | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        requests_args: Mapping[str, Any] | None = None,
        http_adapter_args: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        fail_on_unsupported_version: bool | None = None,
        fail_on_unimplemented_endpoint: bool | None = None,
        disable_logging_debug_output: bool | None = None,
        env: Mapping[str, str] | None = None,
        request_deadline: float | None = None,
    ) -> None:
        """Every setting left None takes its environment variable or its default from _connection.OPTIONS."""
        if not HAS_REQUESTS:
            raise QbtError(f"the Python library requests is required: {REQUESTS_IMPORT_ERROR}")
        if not HAS_PACKAGING:
            raise QbtError(f"the Python library packaging is required: {PACKAGING_IMPORT_ERROR}")
        # The arguments as given, so derive() can open another connection with the same settings.
        self._settings = dict(locals())
        del self._settings["self"]
        env = os.environ if env is None else env
        settings = resolve(self._settings, env)
        self._resolved = settings
        scheme, netloc, path = check_url(settings["url"])
        _check_settings(settings)
        api_key = settings["api_key"] or None
        username = settings["username"] or None
        password = settings["password"] or None
        if not api_key:
            _check_credentials(username, password)
        self._transport = Transport(scheme, netloc, path, settings, api_key)
        self._auth = Auth(self, self._transport, username, password, api_key)
        self.username = username
        self.fail_on_unsupported_version = settings["fail_on_unsupported_version"]
        self.fail_on_unimplemented_endpoint = settings["fail_on_unimplemented_endpoint"]
        if settings["disable_logging_debug_output"]:
            # As the reference client does (qbittorrent-api request.py, _initialize_settings): raise these
            # loggers to INFO, and only where they are below it, so a stricter level set elsewhere stays.
            for name in (LOGGER.name, "requests", "urllib3"):
                logger = logging.getLogger(name)
                if logger.level < logging.INFO:
                    logger.setLevel(logging.INFO)
        self._app_version: str | None = None
        self._webapi_version = None
        self.api_calls: list[dict[str, Any]] = self._transport.api_calls
        self.warnings: list[str] = []

    @classmethod
    def from_params(cls, params: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Client:
        """A client configured from a module's parameters (the connection options; others are ignored).

        ENV (default os.environ) fills the options that are not set, as _connection.OPTIONS says.
        """
        given = {name: params[name] for name in BY_NAME if name in params}
        return cls(env=os.environ if env is None else env, **given)

    def derive(self, **overrides: Any) -> Client:
        """A new client with this one's settings except OVERRIDES (another URL, port, password or API key).

        The one way to open a second connection: an API key given without a username drops the password login.
        """
        settings = dict(self._settings)
        settings.update(overrides)
        if "api_key" in overrides and "username" not in overrides:
            settings.update(username=None, password=None)
        return Client(**settings)

    # ----------------------------------------------------------------- properties
    @property
    def base_url(self) -> str:
        """The base URL in use, e.g. 'https://127.0.0.1:8080/qbt/' (never with credentials)."""
        return self._transport.base_url

    @property
    def uses_api_key(self) -> bool:
        return bool(self._auth.api_key)

    @property
    def timeout(self) -> float:
        return self._transport.timeout

    @property
    def request_deadline(self) -> float:
        return self._transport.request_deadline

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in output (the module base masks them).

        The password and the API key; custom header values (extra_headers, requests_args.headers); the members of
        requests_args.auth; credentials in proxy URLs (requests_args.proxies) and in URLs this client downloaded.
        """
        return tuple(sorted(secret_values(self._resolved) | self._transport.found_secrets))

    @property
    def session_cookies(self) -> dict[str, str]:
        """The cookies of the current session (for tests that prove a session was closed)."""
        session = self._transport.session
        return {} if session is None else session.cookies.get_dict()

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # ----------------------------------------------------------------- requests
    def get(self, endpoint: str, params: Mapping[str, Any] | None = None, **kwargs: Any):
        """GET an API endpoint ('scope/action'); returns the response (see request() for the errors)."""
        return self.request("GET", endpoint, params=params, **kwargs)

    def post(self, endpoint: str, data: Mapping[str, Any] | None = None, files: Any = None, **kwargs: Any):
        """POST to an API endpoint; every mutation is a POST (enforced by qBittorrent 4.4.4+)."""
        return self.request("POST", endpoint, data=data, files=files, **kwargs)

    def get_json(self, endpoint: str, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        """GET an endpoint and decode its JSON answer."""
        return self.decode_json(self.get(endpoint, params, **kwargs), endpoint)

    @staticmethod
    def decode_json(response, endpoint: str) -> Any:
        try:
            value = response.json()
        except ValueError as exc:
            raise UnexpectedResponse(
                f"{endpoint} answered HTTP {response.status_code} with a body that is not JSON: "
                f"{short(response.text)!r}"
            ) from exc
        shape = _JSON_SHAPES.get(endpoint)
        if shape is not None:
            kind, member = shape
            members = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
            if not isinstance(value, kind) or (member and not all(isinstance(item, member) for item in members)):
                raise UnexpectedResponse(
                    f"{endpoint} answered JSON that qBittorrent does not send ({short(response.text, 120)!r} where "
                    f"a {kind.__name__} of {member.__name__ if member else 'values'} belongs): is the url a "
                    "qBittorrent WebUI, or a proxy that answers for it?"
                )
        return value

    def request(
        self,
        method: str,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        requests_args: Mapping[str, Any] | None = None,
    ):
        """Send one API call with login, one re-login on an expired session, and error mapping.

        Raises UnimplementedEndpoint, without sending anything, when the server's WebAPI lacks the endpoint.
        """
        is_auth = endpoint.startswith("auth/")
        if not is_auth:
            self._auth.ensure()
            if method == "POST" and self._webapi_version is None:
                # The supported-version policy is applied before the first write of every task.
                self.webapi_version  # noqa: B018  pylint: disable=pointless-statement
            missing = self._gap(endpoint)
            if missing is not None:
                # Always an error here, whatever fail_on_unimplemented_endpoint says: a caller that may skip a
                # setting asks require() (the one fail-or-warn place) before planning the call.
                LOGGER.debug("not sending %s: %s", endpoint, missing)
                raise UnimplementedEndpoint(f"{missing}: upgrade qBittorrent to use what needs it", missing)
        call = dict(params=_encode_fields(params), data=_encode_fields(data), files=files, headers=headers)
        response = self._transport.send(method, endpoint, requests_args=requests_args, **call)
        self._check_origin(method, endpoint, response)
        if response.status_code == 403 and not is_auth and self._auth.can_log_in:
            # qBittorrent answers 403 for an expired or unknown session: log in once, try once more.
            LOGGER.debug("%s answered 403: the session may have expired, logging in again", endpoint)
            self._auth.relogin()
            response = self._transport.send(method, endpoint, requests_args=requests_args, **call)
            self._check_origin(method, endpoint, response)
        self.raise_for_status(method, endpoint, response)
        return response

    def _check_origin(self, method: str, endpoint: str, response) -> None:
        """Refuse an answer that cannot come from qBittorrent (_diagnose) before its status is read as one."""
        foreign = foreign_answer(method, endpoint, response, self.base_url)
        if foreign is not None:
            raise foreign

    def raise_for_status(self, method: str, endpoint: str, response) -> None:
        status = response.status_code
        if status < 400:
            return
        body = short(response.text or "")
        message = f"{method} {endpoint} on {self.base_url} failed with HTTP {status}"
        if body:
            message += f": {body}"
        if status == 401:
            message += (
                ". qBittorrent refused the request: its Host-header or CSRF validation failed (reaching it through "
                "a mapped port or a proxy?), or the credentials are wrong"
            )
        elif status == 403 and not (self._auth.can_log_in or self._auth.api_key):
            message += ". The server wants a login: set username and password, or api_key"
        elif status == 403 and self._auth.api_key:
            message += ". The API key was not accepted"
        raise error_class_for_status(status)(message, status, endpoint, body)

    def download(self, url: str, max_bytes: int) -> bytes:
        """GET URL (an http(s) .torrent URL on any host) and return its body, refused beyond MAX_BYTES.

        Sent with this client's TLS settings, proxies, timeout and request_deadline only (Transport.download).
        """
        return self._transport.download(url, max_bytes)

    def close(self) -> None:
        """Log out when this client logged in, and drop the HTTP session. Never raises."""
        try:
            self._auth.logout()
        finally:
            self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def _check_credentials(username: str | None, password: str | None) -> None:
    """A password login needs both; one without the other is a mistake, reported before any request."""
    if bool(username) == bool(password):
        return
    missing, given = ("password", "username") if username else ("username", "password")
    raise InvalidInput(
        f"{missing}: not set, but {given} is (the {given} option or {ENV_NAMES[given][0]}): a password login needs "
        f"both. Set the {missing} option (or {ENV_NAMES[missing][0]}); set neither for a server that lets this "
        "client in without a login; or use api_key"
    )


def _check_settings(settings: Mapping[str, Any]) -> None:
    """Settings requests would refuse only in the middle of the first call, with a message that names no option."""
    for name, example in (("timeout", 15), ("request_deadline", 300)):
        value = settings[name]
        if not (isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0):
            raise InvalidInput(
                f"{name}: {value!r} is not a number of seconds greater than 0; give for example {example}"
            )
    for name, value in (settings["extra_headers"] or {}).items():
        if not isinstance(value, (str, bytes)):
            raise InvalidInput(
                f"extra_headers: the value of the header {name} is {type(value).__name__}, not a string; "
                "quote it in YAML"
            )
