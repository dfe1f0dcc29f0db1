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
import time
import warnings
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from ._errors import (
    Banned,
    ConnectionFailed,
    Forbidden,
    InvalidInput,
    LoginFailed,
    QbtError,
    UnexpectedResponse,
    UnimplementedEndpoint,
    UnsupportedVersion,
    error_class_for_status,
)
from ._versions import (
    HAS_PACKAGING,
    PACKAGING_IMPORT_ERROR,
    endpoint_gap,
    feature_gap,
    is_app_version_supported,
    is_webapi_version_supported,
    parse_version,
)

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import InsecureRequestWarning, NewConnectionError
    from urllib3.exceptions import TimeoutError as Urllib3Timeout
    from urllib3.util.retry import Retry

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the missing-library path
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

LOGGER = logging.getLogger("community.qbittorrent")
LOGGER.addHandler(logging.NullHandler())

DEFAULT_TIMEOUT = 15.0
DEFAULT_RETRIES = 1
# A proxy in front of qBittorrent answers these while the server restarts; a read may try again.
RETRY_STATUSES = frozenset({502, 503, 504})

# Environment variables of the reference client; the PYTHON_ forms are its legacy names.
ENV_NAMES = {
    "url": ("QBITTORRENTAPI_HOST", "PYTHON_QBITTORRENTAPI_HOST"),
    "username": ("QBITTORRENTAPI_USERNAME", "PYTHON_QBITTORRENTAPI_USERNAME"),
    "password": ("QBITTORRENTAPI_PASSWORD", "PYTHON_QBITTORRENTAPI_PASSWORD"),
    "api_key": ("QBITTORRENTAPI_API_KEY",),
}
ENV_DO_NOT_VERIFY = (
    "QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE",
    "PYTHON_QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE",
)

_SCHEME = re.compile(r"^(https?):", re.IGNORECASE)
_ANY_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie"})
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


def _from_env(value: Any, names: tuple[str, ...], env: Mapping[str, str]) -> Any:
    """An argument wins; an empty one falls back to the first environment variable that is set."""
    if value not in (None, ""):
        return value
    for name in names:
        if env.get(name):
            return env[name]
    return value


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
        validate_certs: bool = True,
        ca_path: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        requests_args: Mapping[str, Any] | None = None,
        http_adapter_args: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        fail_on_unsupported_version: bool = False,
        fail_on_unimplemented_endpoint: bool = False,
        disable_logging_debug_output: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> None:
        if not HAS_REQUESTS:
            raise QbtError(f"the Python library requests is required: {REQUESTS_IMPORT_ERROR}")
        if not HAS_PACKAGING:
            raise QbtError(f"the Python library packaging is required: {PACKAGING_IMPORT_ERROR}")
        # The arguments as given, so derive() can open another connection with the same settings.
        self._settings = dict(locals())
        del self._settings["self"]
        env = os.environ if env is None else env
        url = _from_env(url, ENV_NAMES["url"], env)
        if not url:
            raise QbtError("no qBittorrent URL: set the url option or the QBITTORRENTAPI_HOST environment variable")
        try:
            self._scheme, self._netloc, self._path = split_url(url)
        except ValueError as exc:
            raise InvalidInput(f"url: {exc}") from None
        _check_settings(timeout, extra_headers)
        # No scheme given: start with http and move to https once if the port turns out to speak TLS.
        self._scheme_known = self._scheme is not None
        self._scheme = self._scheme or "http"
        self.username = _from_env(username, ENV_NAMES["username"], env) or None
        self._password = _from_env(password, ENV_NAMES["password"], env) or None
        self._api_key = _from_env(api_key, ENV_NAMES["api_key"], env) or None
        if validate_certs and any(env.get(name) for name in ENV_DO_NOT_VERIFY):
            validate_certs = False
        # Passed on every request, because REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override Session.verify.
        self._verify: bool | str = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self.timeout = timeout
        self._retries = retries
        self._requests_args = dict(requests_args or {})
        self._adapter_args = dict(http_adapter_args or {})
        self._extra_headers = dict(extra_headers or {})
        self.fail_on_unsupported_version = fail_on_unsupported_version
        self.fail_on_unimplemented_endpoint = fail_on_unimplemented_endpoint
        if disable_logging_debug_output:
            for name in (LOGGER.name, "requests", "urllib3"):
                logger = logging.getLogger(name)
                if logger.getEffectiveLevel() < logging.INFO:
                    logger.setLevel(logging.INFO)
        self._session: requests.Session | None = None
        self._logged_in = False
        self._key_checked = False
        self._app_version: str | None = None
        self._webapi_version = None
        self.api_calls: list[dict[str, Any]] = []
        self.warnings: list[str] = []

    def derive(self, **overrides: Any) -> Client:
        """A new client with this one's settings except OVERRIDES (another URL, port, password or API key)."""
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
        """Values that must never appear in output: the password and the API key."""
        return tuple(value for value in (self._password, self._api_key) if value)

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
    def supports(self, endpoint: str) -> bool:
        """True when the server has this endpoint (reads the WebAPI version once if the endpoint is gated)."""
        return self._endpoint_gap(endpoint) is None

    def _endpoint_gap(self, endpoint: str) -> str | None:
        from ._versions import ENDPOINTS  # local: only gated endpoints need the version

        if endpoint not in ENDPOINTS:
            return None
        return endpoint_gap(endpoint, self.webapi_version)

    def require(self, what: str, feature: bool = False, setting: str | None = None) -> bool:
        """Check an endpoint or a FEATURES name before planning a change that needs it.

        True when the server has it. Otherwise raise UnimplementedEndpoint when fail_on_unimplemented_endpoint is
        set, or record a warning and return False so the caller skips that setting.
        """
        gap = feature_gap(what, self.webapi_version) if feature else self._endpoint_gap(what)
        if gap is None:
            return True
        subject = f"{setting}: " if setting else ""
        if self.fail_on_unimplemented_endpoint:
            raise UnimplementedEndpoint(
                f"{subject}{gap}. Upgrade qBittorrent, or set fail_on_unimplemented_endpoint: false to skip this"
            )
        self.warn(f"{subject}{gap}; skipped because fail_on_unimplemented_endpoint is false")
        return False

    # ----------------------------------------------------------------- requests
    def get(self, endpoint: str, params: Mapping[str, Any] | None = None, **kwargs: Any):
        """GET an API endpoint ('scope/action'); returns the response, or None for an unimplemented endpoint."""
        return self.request("GET", endpoint, params=params, **kwargs)

    def post(self, endpoint: str, data: Mapping[str, Any] | None = None, files: Any = None, **kwargs: Any):
        """POST to an API endpoint; every mutation is a POST (enforced by qBittorrent 4.4.4+)."""
        return self.request("POST", endpoint, data=data, files=files, **kwargs)

    def get_json(self, endpoint: str, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        """GET an endpoint and decode its JSON answer; None for an unimplemented endpoint."""
        response = self.get(endpoint, params, **kwargs)
        return None if response is None else self.decode_json(response, endpoint)

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
        """Send one API call with login, one re-login on an expired session, and error mapping."""
        is_auth = endpoint.startswith("auth/")
        if not is_auth:
            self._authenticate()
            gap = self._endpoint_gap(endpoint)
            if gap is not None:
                LOGGER.debug("skipping %s: %s", endpoint, gap)
                if self.fail_on_unimplemented_endpoint:
                    raise UnimplementedEndpoint(gap)
                return None
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
        gap = feature_gap("api_key", version)
        if gap is not None:
            raise LoginFailed(
                f"api_key cannot be used with the server at {self.base_url}: {gap}. Use username and password"
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
            adapter = HTTPAdapter(**{"max_retries": retry, **self._adapter_args})
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
        kwargs: dict[str, Any] = {"timeout": self.timeout, "verify": self._verify, "allow_redirects": True}
        kwargs.update(self._requests_args)
        kwargs.update(requests_args or {})
        headers = dict(kwargs.pop("headers", None) or {})
        headers.update(call.pop("headers", None) or {})
        kwargs.update({key: value for key, value in call.items() if value is not None})
        if headers:
            kwargs["headers"] = headers
        started = time.monotonic()
        status = None
        try:
            with warnings.catch_warnings():
                if self._verify is False:
                    warnings.simplefilter("ignore", InsecureRequestWarning)
                response = self._session.request(method, url, **kwargs)
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
                {k: ("******" if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()},
            )

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


def _check_settings(timeout: Any, extra_headers: Mapping[str, Any] | None) -> None:
    """Settings requests would refuse only in the middle of the first call, with a message that names no option."""
    if timeout is not None and not (
        isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0
    ):
        raise InvalidInput(f"timeout: {timeout!r} is not a number of seconds greater than 0; give for example 15")
    for name, value in (extra_headers or {}).items():
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
