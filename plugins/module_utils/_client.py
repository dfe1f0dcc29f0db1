# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP client every module uses to talk to the qBittorrent WebUI API.

Pure Python on requests, no Ansible import. It reproduces the configuration behaviour of the reference client
qbittorrent-api (docs/dev/client-behaviour.md): host forms and reverse-proxy prefixes, environment
variables, API key precedence, in-line login and one re-login, logout, certificate verification, requests and
adapter arguments, extra headers, version checks, unimplemented endpoints and debug logging.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
import warnings
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from ._connection import BY_NAME, DEFAULTS, ENV_NAMES, has_userinfo, resolve, secret_values, url_secrets
from ._errors import (
    Banned,
    ConnectionFailed,
    Forbidden,
    InvalidInput,
    LoginFailed,
    QbtError,
    RedirectRefused,
    RequestDeadlineExceeded,
    UnexpectedResponse,
    UnimplementedEndpoint,
    UnsupportedVersion,
    error_class_for_status,
)
from ._versions import (
    HAS_PACKAGING,
    PACKAGING_IMPORT_ERROR,
    gap,
    is_app_version_supported,
    is_webapi_version_supported,
    parse_version,
)

try:
    import requests
    import urllib3.poolmanager
    from requests.adapters import HTTPAdapter
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.exceptions import InsecureRequestWarning, NewConnectionError
    from urllib3.exceptions import TimeoutError as Urllib3Timeout
    from urllib3.util.retry import Retry

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the missing-library path
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc
    HTTPAdapter = HTTPConnectionPool = HTTPSConnectionPool = object

LOGGER = logging.getLogger("community.qbittorrent")
LOGGER.addHandler(logging.NullHandler())

# The defaults live in _connection.OPTIONS; these names stay for callers and tests.
DEFAULT_TIMEOUT = DEFAULTS["timeout"]
DEFAULT_RETRIES = DEFAULTS["retries"]
ENV_DO_NOT_VERIFY = ENV_NAMES["validate_certs"]
# A proxy in front of qBittorrent answers these while the server restarts; a read may try again.
RETRY_STATUSES = frozenset({502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
MASK = "********"
_CHUNK = 64 * 1024

_SCHEME = re.compile(r"^(https?):", re.IGNORECASE)
_ANY_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
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


def mask_url(url: str) -> str:
    """URL as it may be shown: userinfo and query values replaced by a mask, no fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(a URL that cannot be read)"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = re.sub(r"=[^&;]*", "=" + MASK, parts.query)
    shown = f"{parts.scheme}://{netloc}{parts.path}" if parts.scheme else f"{netloc}{parts.path}"
    return f"{shown}?{query}" if query else shown


def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def split_url(url: str) -> tuple[str | None, str, str]:
    """Split 'host:port', 'http(s)://host:port' or 'https://host/prefix/' into (scheme or None, netloc, path).

    The path always ends in '/', so API paths joined to it keep a reverse-proxy prefix.
    """
    text = url.strip()
    other = _ANY_SCHEME.match(text)
    if other and other.group(1).lower() not in ("http", "https"):
        # Read without a scheme, 'ftp://host' would become the host name 'ftp': refuse it before any lookup.
        raise ValueError(f"the url {url!r} has the scheme {other.group(1)!r}; the WebUI speaks http:// or https://")
    if not _SCHEME.match(text) and not text.startswith("//"):
        text = "//" + text
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # an unbalanced [ of an IPv6 address
        raise ValueError(f"the url {url!r} cannot be read ({exc}); write it as host:port or http://host:port") from None
    if not parts.hostname:
        raise ValueError(f"the url {url!r} has no host name; write it as host:port, http://host:port or https://host/")
    try:
        port = parts.port
    except ValueError as exc:
        port = exc
    if port == 0 or isinstance(port, ValueError):
        raise ValueError(f"the url {url!r} has an invalid port; give a port number from 1 to 65535")
    path = parts.path or "/"
    if not path.endswith("/"):
        path += "/"
    return (parts.scheme.lower() or None), parts.netloc, path


def _encode(value: Any) -> Any:
    """qBittorrent understands only 'true'/'false' for booleans (parseBool)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _encode_fields(fields: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if fields is None:
        return None
    return {key: _encode(value) for key, value in fields.items() if value is not None}


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


class Client:
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
        url = settings["url"]
        if not url:
            raise QbtError("no qBittorrent URL: set the url option or the QBITTORRENTAPI_HOST environment variable")
        if has_userinfo(url):
            # Checked before anything else reads the url, so no message can echo the password in it.
            raise InvalidInput(
                f"url: {mask_url(url if '//' in url else '//' + url).lstrip('/')} carries a username and password "
                "before the host: remove them from the url and set the username and password options (or "
                "QBITTORRENTAPI_USERNAME and QBITTORRENTAPI_PASSWORD), which are never shown in output"
            )
        try:
            self._scheme, self._netloc, self._path = split_url(url)
        except ValueError as exc:
            raise InvalidInput(f"url: {exc}") from None
        _check_settings(settings)
        # No scheme given: start with http and move to https once if the port turns out to speak TLS.
        self._scheme_known = self._scheme is not None
        self._scheme = self._scheme or "http"
        self.username = settings["username"] or None
        self._password = settings["password"] or None
        self._api_key = settings["api_key"] or None
        validate_certs = settings["validate_certs"]
        ca_path = settings["ca_path"]
        # Passed on every request, because REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override Session.verify.
        self._verify: bool | str = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self.timeout = settings["timeout"]
        self.request_deadline = settings["request_deadline"]
        self._retries = settings["retries"]
        self._requests_args = dict(settings["requests_args"] or {})
        self._adapter_args = dict(settings["http_adapter_args"] or {})
        self._extra_headers = dict(settings["extra_headers"] or {})
        self.fail_on_unsupported_version = settings["fail_on_unsupported_version"]
        self.fail_on_unimplemented_endpoint = settings["fail_on_unimplemented_endpoint"]
        if settings["disable_logging_debug_output"]:
            # As the reference client does (qbittorrent-api request.py, _initialize_settings): raise these
            # loggers to INFO, and only where they are below it, so a stricter level set elsewhere stays.
            for name in (LOGGER.name, "requests", "urllib3"):
                logger = logging.getLogger(name)
                if logger.level < logging.INFO:
                    logger.setLevel(logging.INFO)
        self._session: requests.Session | None = None
        self._logged_in = False
        self._key_checked = False
        self._app_version: str | None = None
        self._webapi_version = None
        self._found_secrets: set[str] = set()
        self.api_calls: list[dict[str, Any]] = []
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
        host = self._netloc.rsplit("@", 1)[-1]
        return f"{self._scheme}://{host}{self._path}"

    @property
    def uses_api_key(self) -> bool:
        return bool(self._api_key)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in output (the module base masks them).

        The password and the API key; custom header values (extra_headers, requests_args.headers); the members of
        requests_args.auth; credentials in proxy URLs (requests_args.proxies) and in URLs this client downloaded.
        """
        return tuple(sorted(secret_values(self._resolved) | self._found_secrets))

    @property
    def session_cookies(self) -> dict[str, str]:
        """The cookies of the current session (for tests that prove a session was closed)."""
        return {} if self._session is None else self._session.cookies.get_dict()

    @property
    def webapi_version(self):
        """The server's WebAPI version (a packaging Version), read at most once per client."""
        if self._webapi_version is None and self._api_key and not self._key_checked:
            # The API key check reads the version itself; without this the first read would be sent twice.
            self._authenticate()
        if self._webapi_version is None:
            text = self.request("GET", "app/webapiVersion").text.strip()
            try:
                version = parse_version(text)
            except ValueError as exc:
                raise UnexpectedResponse(
                    f"app/webapiVersion answered {_short(text)!r}, which is not a version: "
                    f"is {self.base_url} really a qBittorrent WebUI?"
                ) from exc
            self._webapi_version = version
            self._check_support("WebAPI", text, is_webapi_version_supported(text))
        return self._webapi_version

    @property
    def app_version(self) -> str:
        """The server's qBittorrent release, e.g. 'v5.1.0', read at most once per client."""
        if self._app_version is None:
            self._app_version = self.request("GET", "app/version").text.strip()
            self._check_support("qBittorrent", self._app_version, is_app_version_supported(self._app_version))
        return self._app_version

    def _check_support(self, what: str, version: str, supported: bool) -> None:
        if supported:
            return
        message = (
            f"{what} version {version} of the server at {self.base_url} is outside the range this collection "
            "supports (qBittorrent 4.1 to 5.3)"
        )
        if self.fail_on_unsupported_version:
            raise UnsupportedVersion(message + "; set fail_on_unsupported_version: false to try anyway")
        self.warn(message + "; continuing because fail_on_unsupported_version is false")

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # ----------------------------------------------------------------- version gates
    # The one vocabulary for version questions: an endpoint ('torrents/setTags') or a FEATURES name of _versions.
    def supports(self, name: str) -> bool:
        """True when the server has this endpoint or feature (reads the WebAPI version once if it is gated)."""
        return self._gap(name) is None

    def _gap(self, name: str, subject: str | None = None) -> str | None:
        from ._versions import ENDPOINTS, FEATURES  # local: only gated names need the version

        if name not in ENDPOINTS and name not in FEATURES:
            return None
        return gap(name, self.webapi_version, subject)

    def require(self, name: str, setting: str | None = None) -> bool:
        """Check an endpoint or feature before planning a change that needs it; SETTING names what needs it in
        a person's words ('tags in RSS rules').

        True when the server has it. Otherwise raise UnimplementedEndpoint when fail_on_unimplemented_endpoint is
        set, or record a warning and return False so the caller skips that setting.
        """
        missing = self._gap(name, setting)
        if missing is None:
            return True
        if self.fail_on_unimplemented_endpoint:
            raise UnimplementedEndpoint(
                f"{missing}. Upgrade qBittorrent, or set fail_on_unimplemented_endpoint: false to skip this",
                missing,
            )
        self.warn(f"{missing}; skipped because fail_on_unimplemented_endpoint is false")
        return False

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
                f"{_short(response.text)!r}"
            ) from exc
        shape = _JSON_SHAPES.get(endpoint)
        if shape is not None:
            kind, member = shape
            members = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
            if not isinstance(value, kind) or (member and not all(isinstance(item, member) for item in members)):
                raise UnexpectedResponse(
                    f"{endpoint} answered JSON that qBittorrent does not send ({_short(response.text, 120)!r} where "
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
            self._authenticate()
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
        response = self._send(method, endpoint, requests_args=requests_args, **call)
        if response.status_code == 403 and not is_auth and self._can_log_in:
            # qBittorrent answers 403 for an expired or unknown session: log in once, try once more.
            LOGGER.debug("%s answered 403: the session may have expired, logging in again", endpoint)
            self._logged_in = False
            self._login()
            response = self._send(method, endpoint, requests_args=requests_args, **call)
        self._raise_for_status(method, endpoint, response)
        return response

    @property
    def _can_log_in(self) -> bool:
        return not self._api_key and self.username is not None and self._password is not None

    def _raise_for_status(self, method: str, endpoint: str, response) -> None:
        status = response.status_code
        if status < 400:
            return
        body = _short(response.text or "")
        message = f"{method} {endpoint} on {self.base_url} failed with HTTP {status}"
        if body:
            message += f": {body}"
        if status == 401:
            message += (
                ". qBittorrent refused the request: its Host-header or CSRF validation failed (reaching it through "
                "a mapped port or a proxy?), or the credentials are wrong"
            )
        elif status == 403 and not (self._can_log_in or self._api_key):
            message += ". The server wants a login: set username and password, or api_key"
        elif status == 403 and self._api_key:
            message += ". The API key was not accepted"
        raise error_class_for_status(status)(message, status, endpoint, body)

    # ----------------------------------------------------------------- authentication
    def _authenticate(self) -> None:
        if self._api_key:
            if not self._key_checked:
                self._check_api_key()
        elif not self._logged_in and self._can_log_in:
            self._login()

    def _check_api_key(self) -> None:
        """Prove the key works and the server knows API keys.

        A server older than WebAPI 2.14.1 ignores the Bearer header, and one that lets this client in without
        authentication would then look as if the key worked: an anonymous call is never what the user meant.
        """
        self._key_checked = True
        try:
            version = self.webapi_version
        except Forbidden as exc:
            raise LoginFailed(self._api_key_refusal()) from exc
        missing = gap("api_key", version, "an API key")
        if missing is not None:
            raise LoginFailed(
                f"api_key cannot be used with the server at {self.base_url}: {missing}. Use username and password"
            )

    def _api_key_refusal(self) -> str:
        # In API-key mode qBittorrent 5.2+ answers 404 for any non-API path; older servers serve the WebUI there.
        # That tells "wrong key" from "server too old" without a login attempt that would count towards a ban.
        try:
            probe = self._send("GET", None)
        except ConnectionFailed:
            probe = None
        if probe is not None and probe.status_code != 404:
            return (
                f"api_key: the server at {self.base_url} does not accept API keys: API keys need qBittorrent 5.2 or "
                "later (WebAPI 2.14.1). Use username and password"
            )
        return (
            f"qBittorrent at {self.base_url} rejected the API key (HTTP 403): check api_key or "
            "QBITTORRENTAPI_API_KEY; it may have been rotated or deleted"
        )

    def _login(self) -> None:
        response = self._send("POST", "auth/login", data={"username": self.username, "password": self._password})
        body = (response.text or "").strip()
        if response.status_code == 403:
            raise Banned(
                f"qBittorrent at {self.base_url} has banned this IP address after too many failed logins "
                f"({_short(body)}). Check username and password, then wait for the ban to end "
                "(web_ui_ban_duration) or restart qBittorrent"
            )
        if body == "Fails.":
            raise LoginFailed(self._credentials_rejected())
        if response.status_code == 401:
            # 5.2+ answers 401 for wrong credentials; every version answers 401 when Host-header or CSRF
            # (Origin/Referer) validation fails.
            raise LoginFailed(
                self._credentials_rejected()
                + ". If they are right, qBittorrent's Host-header or CSRF validation refused the request (a mapped "
                "port, a proxy, or an Origin/Referer header in extra_headers?)"
            )
        if response.status_code in (200, 204) and body in ("", "Ok."):
            self._logged_in = True
            return
        self._raise_for_status("POST", "auth/login", response)
        raise UnexpectedResponse(
            f"auth/login on {self.base_url} answered HTTP {response.status_code} {_short(body)!r}: "
            "is this a qBittorrent WebUI?"
        )

    def _credentials_rejected(self) -> str:
        return (
            f"qBittorrent at {self.base_url} rejected the username {self.username!r} and its password: check "
            "the username and password options (or QBITTORRENTAPI_USERNAME and QBITTORRENTAPI_PASSWORD)"
        )

    def close(self) -> None:
        """Log out when this client logged in, and drop the HTTP session. Never raises."""
        try:
            if self._logged_in:
                self._logged_in = False
                self._send("POST", "auth/logout")
        except QbtError as exc:
            LOGGER.debug("logout failed: %s", exc)
        finally:
            if self._session is not None:
                self._session.close()
                self._session = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # ----------------------------------------------------------------- transport
    def _new_session(self):
        session = requests.Session()
        session.headers.update(self._extra_headers)
        has_authorization = any(name.lower() == "authorization" for name in self._extra_headers)
        if self._api_key and not has_authorization:
            session.headers["Authorization"] = f"Bearer {self._api_key}"
        # Connection errors are retried for every method (nothing reached the server); read errors and
        # 502/503/504 only for reads, so a mutation is never sent twice.
        retry = Retry(
            total=self._retries,
            connect=self._retries,
            read=self._retries,
            status=self._retries,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=0.3,
            raise_on_status=False,
        )
        try:
            adapter = _DeadlineAdapter(**{"max_retries": retry, **self._adapter_args})
        except TypeError as exc:
            raise InvalidInput(
                f"http_adapter_args: {exc}; give keyword arguments of requests' HTTPAdapter (pool_connections, "
                "pool_maxsize, max_retries, pool_block)"
            ) from None
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def _send(self, method: str, endpoint: str | None, requests_args: Mapping[str, Any] | None = None, **call: Any):
        """One HTTP exchange (endpoint None = the WebUI root); switches http to https once when no scheme was given."""
        try:
            response = self._send_once(method, endpoint, requests_args, dict(call))
        except requests.exceptions.ConnectionError as exc:
            if self._scheme_known or _refused_or_timeout(exc):
                raise self._connection_error(exc) from exc
            # Plain HTTP to a TLS port gets its connection dropped: try HTTPS on the same port, once.
            LOGGER.debug("plain HTTP failed (%s); trying HTTPS on the same port", exc)
            self._scheme, self._scheme_known = "https", True
            try:
                response = self._send_once(method, endpoint, requests_args, dict(call))
            except requests.exceptions.SSLError as tls_exc:
                raise self._connection_error(tls_exc) from tls_exc
            except requests.exceptions.RequestException:
                self._scheme = "http"
                raise self._connection_error(exc) from exc
        except requests.exceptions.RequestException as exc:
            raise self._connection_error(exc) from exc
        # The first exchange that got an answer fixes the scheme for the rest of the run.
        self._scheme_known = True
        return response

    def _send_once(self, method: str, endpoint: str | None, requests_args: Mapping[str, Any] | None, call: dict):
        if self._session is None:
            self._session = self._new_session()
        url = urljoin(self.base_url, f"api/v2/{endpoint}" if endpoint else "")
        kwargs: dict[str, Any] = {"timeout": self.timeout, "verify": self._verify}
        kwargs.update(self._requests_args)
        kwargs.update(requests_args or {})
        headers = dict(kwargs.pop("headers", None) or {})
        headers.update(call.pop("headers", None) or {})
        kwargs.update({key: value for key, value in call.items() if value is not None})
        if headers:
            kwargs["headers"] = headers
        # Redirects are handled in _exchange (they must not carry credentials elsewhere), and the body is read
        # there in chunks under request_deadline: neither may be left to requests, whatever requests_args says.
        kwargs.update(allow_redirects=False, stream=True)
        started = time.monotonic()
        status = None
        try:
            with warnings.catch_warnings():
                if self._verify is False:
                    warnings.simplefilter("ignore", InsecureRequestWarning)
                response = self._exchange(method, endpoint, url, kwargs)
            status = response.status_code
            return response
        except (TypeError, ValueError) as exc:
            # requests' own failures are RequestExceptions; these come from arguments it could not use.
            given = [
                name
                for name, value in (
                    ("requests_args", self._requests_args or requests_args),
                    ("http_adapter_args", self._adapter_args),
                )
                if value
            ]
            if isinstance(exc, requests.exceptions.RequestException) or not given:
                raise
            raise InvalidInput(
                f"{' or '.join(given)}: {exc}; give keyword arguments that requests accepts (Session.request: "
                "proxies, cert, timeout, headers...; HTTPAdapter: pool_maxsize, max_retries...) with values of the "
                "right type"
            ) from None
        except OSError as exc:
            # requests raises a bare OSError, before connecting, for a CA file that is not there.
            if isinstance(exc, requests.exceptions.RequestException) or not isinstance(self._verify, str):
                raise
            raise InvalidInput(
                f"ca_path: {exc}; give the PEM file of the certificate authority (or of the self-signed certificate) "
                "that signed the WebUI's certificate, as a path on the machine that runs the module"
            ) from None
        finally:
            elapsed = round((time.monotonic() - started) * 1000, 1)
            self.api_calls.append({"method": method, "endpoint": endpoint or "/", "status": status, "ms": elapsed})
            LOGGER.debug(
                "%s %s -> %s in %s ms (headers %s)",
                method,
                url,
                status,
                elapsed,
                {k: ("******" if k.lower() in _SECRET_HEADERS else "(set)") for k in headers},
            )

    def _exchange(self, method: str, endpoint: str | None, url: str, kwargs: dict):
        """One request, the redirects it may follow, and its whole body, all within request_deadline."""
        what = f"{method} {endpoint or '/'} on {self.base_url}"
        with _Deadline(self.request_deadline) as deadline:
            try:
                response = self._session.request(method, url, **kwargs)
                hops = 0
                while response.status_code in REDIRECT_STATUSES and response.headers.get("Location"):
                    target = urljoin(response.url, response.headers["Location"])
                    response.close()
                    refusal = None
                    if method != "GET" or (endpoint or "").startswith("auth/"):
                        refusal = "it never follows a redirect for a login, a logout or a write"
                    elif _origin(target) != _origin(url):
                        refusal = (
                            "it follows a redirect only to the same scheme, host and port, so that no password, "
                            "API key, cookie or custom header reaches another address"
                        )
                    elif hops >= MAX_REDIRECTS:
                        refusal = f"it follows at most {MAX_REDIRECTS} redirects"
                    if refusal:
                        final = target.split("api/v2/", 1)[0] if "api/v2/" in target else target
                        raise RedirectRefused(
                            f"{what}: the server answered HTTP {response.status_code} with a redirect to "
                            f"{mask_url(target)}, which the client does not follow ({refusal}). Point the url "
                            f"option at the address the WebUI answers at ({mask_url(final)}?)"
                        )
                    hops += 1
                    follow = {key: value for key, value in kwargs.items() if key not in ("params", "data", "files")}
                    response = self._session.request("GET", target, **follow)
                _read_body(response, deadline)
                return response
            except (_DeadlineExceeded, requests.exceptions.RequestException) as exc:
                if deadline.expired:
                    raise RequestDeadlineExceeded(
                        f"{what} did not finish within {self.request_deadline:g} s (the request_deadline option, "
                        f"the bound on one whole HTTP exchange; timeout, {self.timeout:g} s, bounds each connect "
                        "and each read): the server answered too slowly. Raise request_deadline for a slow link "
                        "or a big upload, or check the server and any proxy in front of it"
                    ) from exc
                raise

    def download(self, url: str, max_bytes: int) -> bytes:
        """GET URL (an http(s) .torrent URL on any host) and return its body, refused beyond MAX_BYTES.

        Sent with this client's TLS settings (validate_certs, ca_path), proxies and timeout from requests_args,
        timeout and request_deadline, and nothing else: no extra_headers, API key, cookies or client certificate
        go to a host that is not the WebUI. Redirects: at most MAX_REDIRECTS hops, never from https to http.
        Raises ConnectionFailed (RequestDeadlineExceeded) or InvalidInput; messages show the URL masked.
        """
        shown = mask_url(url)
        self._found_secrets |= url_secrets(url)
        args = self._requests_args
        kwargs: dict[str, Any] = {
            "timeout": args.get("timeout", self.timeout),
            "verify": args.get("verify", self._verify),
            "proxies": args.get("proxies"),
            "allow_redirects": False,
            "stream": True,
        }
        session = requests.Session()
        adapter = _DeadlineAdapter(max_retries=Retry(total=self._retries, backoff_factor=0.3, raise_on_status=False))
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            with _Deadline(self.request_deadline) as deadline, warnings.catch_warnings():
                if kwargs["verify"] is False:
                    warnings.simplefilter("ignore", InsecureRequestWarning)
                try:
                    response = session.request("GET", url, **kwargs)
                    current = url
                    for _hop in range(MAX_REDIRECTS + 1):
                        if response.status_code not in REDIRECT_STATUSES or not response.headers.get("Location"):
                            break
                        target = urljoin(current, response.headers["Location"])
                        response.close()
                        if _origin(current)[0] == "https" and _origin(target)[0] != "https":
                            raise InvalidInput(
                                f"cannot download {shown}: it redirects from https to {mask_url(target)}, which "
                                "the module refuses (the file could be altered on the way); give the final "
                                "https:// URL"
                            )
                        self._found_secrets |= url_secrets(target)
                        current = target
                        response = session.request("GET", target, **kwargs)
                    else:
                        raise InvalidInput(
                            f"cannot download {shown}: more than {MAX_REDIRECTS} redirects; give the final URL"
                        )
                    if response.status_code >= 300:
                        response.close()
                        raise InvalidInput(
                            f"downloading {shown} failed with HTTP {response.status_code}; check the URL"
                        )
                    too_big = InvalidInput(
                        f"cannot download {shown}: it is bigger than {max_bytes} bytes, too big for a .torrent file "
                        "(qBittorrent refuses bigger ones by default, torrent_file_size_limit); check the URL"
                    )
                    length = response.headers.get("Content-Length", "")
                    if length.isdigit() and int(length) > max_bytes:
                        response.close()
                        raise too_big
                    if not _read_body(response, deadline, max_bytes):
                        response.close()
                        raise too_big
                    return response.content
                except (_DeadlineExceeded, requests.exceptions.RequestException) as exc:
                    if deadline.expired:
                        raise RequestDeadlineExceeded(
                            f"cannot download {shown}: it did not finish within {self.request_deadline:g} s (the "
                            "request_deadline option); raise it for a slow server, or give a local file"
                        ) from exc
                    raise
        except requests.exceptions.RequestException as exc:
            reason = _reason(exc)
            for secret in url_secrets(url):
                reason = reason.replace(secret, MASK)
            raise ConnectionFailed(f"cannot download {shown}: {reason}") from exc
        finally:
            session.close()

    def _connection_error(self, exc: Exception) -> ConnectionFailed:
        where = self.base_url
        reason = _reason(exc)
        if isinstance(exc, requests.exceptions.SSLError):
            if "CERTIFICATE_VERIFY_FAILED" in reason or "certificate verify failed" in reason:
                return ConnectionFailed(
                    f"TLS certificate verification failed for {where}: {reason}. Trust the server's CA with "
                    "ca_path, or turn verification off with validate_certs: false "
                    "(or the QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE environment variable)"
                )
            # A plain-HTTP port either answers the TLS hello with HTTP text (wrong version number) or, as
            # qBittorrent does, drops the connection (unexpected EOF).
            if any(marker in reason for marker in ("WRONG_VERSION_NUMBER", "wrong version number", "UNEXPECTED_EOF")):
                return ConnectionFailed(
                    f"{where} does not speak TLS on this port ({reason}): use an http:// url, or switch the WebUI "
                    "to HTTPS"
                )
            return ConnectionFailed(f"TLS handshake with {where} failed: {reason}")
        if _is_timeout(exc):
            if self._scheme == "https":
                # qBittorrent never answers a TLS handshake on a plain-HTTP port: it waits for the timeout.
                reason += (
                    ". A WebUI that speaks plain HTTP does not answer a TLS handshake: if it does not use HTTPS, "
                    "write the url with http://"
                )
            return ConnectionFailed(
                f"{where} did not answer within {self.timeout} s (timeout option, per HTTP call; "
                f"retries: {self._retries}): {reason}"
            )
        if _refused_or_timeout(exc):
            return ConnectionFailed(
                f"cannot connect to {where}: {reason}. Is qBittorrent running, with its WebUI on that address and port?"
            )
        hint = ""
        if self._scheme == "http":
            hint = " If the WebUI uses HTTPS, write the url with https://"
        return ConnectionFailed(f"the connection to {where} failed: {reason}.{hint}")


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


def _reason(exc: Exception) -> str:
    """The innermost cause of a requests failure, without urllib3's pool and retry wrapping."""
    inner = exc.args[0] if exc.args else exc
    inner = getattr(inner, "reason", inner)
    text = str(inner)
    if isinstance(inner, Exception) and inner.args and isinstance(inner.args[0], Exception):
        text = str(inner.args[0])  # SSLError(SSLCertVerificationError(...)) and the like
    text = text.split("Failed to establish a new connection: ", 1)[-1]
    return _short(text, 400)


def _is_timeout(exc: Exception) -> bool:
    """A timeout, also when urllib3 retried it first (requests then raises ConnectionError(MaxRetryError))."""
    if isinstance(exc, requests.exceptions.Timeout):
        return True
    inner = exc.args[0] if exc.args else None
    reason = getattr(inner, "reason", inner)
    # urllib3 derives NewConnectionError (refused, unreachable) from ConnectTimeoutError
    return isinstance(reason, Urllib3Timeout) and not isinstance(reason, NewConnectionError)


def _refused_or_timeout(exc: Exception) -> bool:
    """True for failures that say nothing about the scheme: nobody listens, or nobody answers."""
    if _is_timeout(exc):
        return True
    text = str(exc)
    return any(
        marker in text
        for marker in ("Connection refused", "NewConnectionError", "Name or service not known", "No route to host")
    )


class _DeadlineExceeded(Exception):
    """Raised inside requests' call when request_deadline has passed (not a RequestException: nothing retries it)."""


_LOCAL = threading.local()


class _Deadline:
    """The bound on one whole exchange (connect, headers, redirects, body).

    timeout bounds each socket operation only, so a server that sends a byte every few seconds could keep a
    request going for hours. A watchdog thread shuts the exchange's socket down when the deadline passes: the
    blocked read then returns at once, wherever it is (headers or body). The connection is found through the
    connection pool (_TrackedPool), which registers each connection it hands out with the thread's deadline.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.expired = False
        self.connections: list[Any] = []
        self._done = threading.Event()

    def __enter__(self) -> _Deadline:
        _LOCAL.deadline = self
        threading.Thread(target=self._watch, name="qbt-request-deadline", daemon=True).start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _LOCAL.deadline = None
        self._done.set()

    def check(self) -> None:
        if self.expired or time.monotonic() > self.deadline:
            self.expired = True
            raise _DeadlineExceeded()

    def _watch(self) -> None:
        if self._done.wait(max(0.0, self.deadline - time.monotonic())):
            return
        self.expired = True
        shut = set()
        while not self._done.is_set():
            for connection in list(self.connections):
                sock = getattr(connection, "sock", None)
                if isinstance(sock, socket.socket) and id(sock) not in shut:
                    shut.add(id(sock))
                    try:
                        # socket.socket's own shutdown, also for an SSLSocket: it ends a read blocked in another
                        # thread without touching the TLS state that thread is using.
                        socket.socket.shutdown(sock, socket.SHUT_RDWR)
                    except OSError:
                        pass
            self._done.wait(0.05)


def _read_body(response, deadline: _Deadline, limit: int | None = None) -> bool:
    """Read RESPONSE's whole body in chunks (kept as response.content); False when it exceeds LIMIT bytes."""
    data = bytearray()
    for chunk in response.iter_content(_CHUNK):
        data += chunk
        if limit is not None and len(data) > limit:
            return False
        deadline.check()
    response._content = bytes(data)  # pylint: disable=protected-access  # what Response.content would store
    return True


class _TrackedPool:
    """A connection pool that tells the current thread's _Deadline which connection it handed out."""

    def _get_conn(self, timeout=None):
        deadline = getattr(_LOCAL, "deadline", None)
        if deadline is not None:
            deadline.check()  # a retry after the deadline must not start another connection
        connection = super()._get_conn(timeout)  # pylint: disable=no-member
        if deadline is not None:
            deadline.connections.append(connection)
        return connection


class _TrackedHTTPPool(_TrackedPool, HTTPConnectionPool):
    pass


class _TrackedHTTPSPool(_TrackedPool, HTTPSConnectionPool):
    pass


def _track(manager):
    # Only urllib3's own pool classes are replaced (a SOCKS proxy manager brings its own and keeps them).
    if HAS_REQUESTS and manager.pool_classes_by_scheme is urllib3.poolmanager.pool_classes_by_scheme:
        manager.pool_classes_by_scheme = {"http": _TrackedHTTPPool, "https": _TrackedHTTPSPool}
    return manager


class _DeadlineAdapter(HTTPAdapter):
    """requests' HTTPAdapter whose pools (direct and through an HTTP proxy) register connections for _Deadline."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        _track(self.poolmanager)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        return _track(super().proxy_manager_for(proxy, **proxy_kwargs))
