# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One HTTP exchange with the WebUI, and downloads from other hosts.

The session and its adapter (retries, pool arguments), the http-to-https move when no scheme was given, the
redirects that may be followed, request_deadline, the record of every call (api_calls) and debug log, and the
mapping of TLS and connection failures to messages that name the fix. Knows nothing of logins or versions.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from ._connection import url_secrets
from ._deadline import Deadline, DeadlineAdapter, DeadlineExceeded, read_body
from ._diagnose import login_redirect, proxy_failure, proxy_login_redirect, short
from ._errors import ConnectionFailed, InvalidInput, RedirectRefused, RequestDeadlineExceeded
from ._url import MASK, mask_url, origin

try:
    import requests
    from urllib3.exceptions import InsecureRequestWarning, NewConnectionError
    from urllib3.exceptions import TimeoutError as Urllib3Timeout
    from urllib3.util.retry import Retry
except ImportError:  # pragma: no cover - _client reports the missing library
    pass

LOGGER = logging.getLogger("community.qbittorrent")
LOGGER.addHandler(logging.NullHandler())

# A proxy in front of qBittorrent answers these while the server restarts; a read may try again.
RETRY_STATUSES = frozenset({502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


class Transport:
    """The HTTP side of one Client: SETTINGS are the resolved connection settings (_connection.resolve).

    SCHEME None means none was given: start with http and move to https once if the port turns out to speak TLS.
    API_KEY, when set, goes on the session as a Bearer header (unless extra_headers has an Authorization).
    """

    def __init__(self, scheme: str | None, netloc: str, path: str, settings: Mapping[str, Any], api_key: str | None):
        self.scheme_known = scheme is not None
        self.scheme = scheme or "http"
        self.netloc = netloc
        self.path = path
        self.api_key = api_key
        validate_certs = settings["validate_certs"]
        ca_path = settings["ca_path"]
        # Passed on every request, because REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override Session.verify.
        self.verify: bool | str = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self.timeout = settings["timeout"]
        self.request_deadline = settings["request_deadline"]
        self.retries = settings["retries"]
        self.requests_args = dict(settings["requests_args"] or {})
        if isinstance(self.requests_args.get("auth"), list):
            # YAML has no tuples; requests takes (user, password) only as a tuple (a list is called as a hook)
            self.requests_args["auth"] = tuple(self.requests_args["auth"])
        self.adapter_args = dict(settings["http_adapter_args"] or {})
        self.extra_headers = dict(settings["extra_headers"] or {})
        self.session: requests.Session | None = None
        self.api_calls: list[dict[str, Any]] = []
        self.found_secrets: set[str] = set()

    @property
    def base_url(self) -> str:
        """The base URL in use, e.g. 'https://127.0.0.1:8080/qbt/' (never with credentials)."""
        host = self.netloc.rsplit("@", 1)[-1]
        return f"{self.scheme}://{host}{self.path}"

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    # ----------------------------------------------------------------- transport
    def _new_session(self):
        session = requests.Session()
        session.headers.update(self.extra_headers)
        has_authorization = any(name.lower() == "authorization" for name in self.extra_headers)
        if self.api_key and not has_authorization:
            session.headers["Authorization"] = f"Bearer {self.api_key}"
        # Connection errors are retried for every method (nothing reached the server); read errors and
        # 502/503/504 only for reads, so a mutation is never sent twice.
        retry = Retry(
            total=self.retries,
            connect=self.retries,
            read=self.retries,
            status=self.retries,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=0.3,
            raise_on_status=False,
        )
        try:
            adapter = DeadlineAdapter(**{"max_retries": retry, **self.adapter_args})
        except TypeError as exc:
            raise InvalidInput(
                f"http_adapter_args: {exc}; give keyword arguments of requests' HTTPAdapter (pool_connections, "
                "pool_maxsize, max_retries, pool_block)"
            ) from None
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def send(self, method: str, endpoint: str | None, requests_args: Mapping[str, Any] | None = None, **call: Any):
        """One HTTP exchange (endpoint None = the WebUI root); switches http to https once when no scheme was given."""
        try:
            response = self._send_once(method, endpoint, requests_args, dict(call))
        except requests.exceptions.ConnectionError as exc:
            if self.scheme_known or _refused_or_timeout(exc):
                raise self.connection_error(exc) from exc
            # Plain HTTP to a TLS port gets its connection dropped: try HTTPS on the same port, once.
            LOGGER.debug("plain HTTP failed (%s); trying HTTPS on the same port", exc)
            self.scheme, self.scheme_known = "https", True
            try:
                response = self._send_once(method, endpoint, requests_args, dict(call))
            except requests.exceptions.SSLError as tls_exc:
                raise self.connection_error(tls_exc) from tls_exc
            except requests.exceptions.RequestException:
                self.scheme = "http"
                raise self.connection_error(exc) from exc
        except requests.exceptions.RequestException as exc:
            raise self.connection_error(exc) from exc
        # The first exchange that got an answer fixes the scheme for the rest of the run.
        self.scheme_known = True
        return response

    def _send_once(self, method: str, endpoint: str | None, requests_args: Mapping[str, Any] | None, call: dict):
        if self.session is None:
            self.session = self._new_session()
        url = urljoin(self.base_url, f"api/v2/{endpoint}" if endpoint else "")
        kwargs: dict[str, Any] = {"timeout": self.timeout, "verify": self.verify}
        kwargs.update(self.requests_args)
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
                if self.verify is False:
                    warnings.simplefilter("ignore", InsecureRequestWarning)
                response = self._exchange(method, endpoint, url, kwargs)
            status = response.status_code
            return response
        except (TypeError, ValueError) as exc:
            # requests' own failures are RequestExceptions; these come from arguments it could not use.
            given = [
                name
                for name, value in (
                    ("requests_args", self.requests_args or requests_args),
                    ("http_adapter_args", self.adapter_args),
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
            if isinstance(exc, requests.exceptions.RequestException) or not isinstance(self.verify, str):
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
        with Deadline(self.request_deadline) as deadline:
            try:
                response = self.session.request(method, url, **kwargs)
                hops = 0
                while response.status_code in REDIRECT_STATUSES and response.headers.get("Location"):
                    target = urljoin(response.url, response.headers["Location"])
                    response.close()
                    refusal = None
                    if method != "GET" or (endpoint or "").startswith("auth/"):
                        refusal = "it never follows a redirect for a login, a logout or a write"
                    elif origin(target) != origin(url):
                        refusal = (
                            "it follows a redirect only to the same scheme, host and port, so that no password, "
                            "API key, cookie or custom header reaches another address"
                        )
                    elif hops >= MAX_REDIRECTS:
                        refusal = f"it follows at most {MAX_REDIRECTS} redirects"
                    if login_redirect(target):  # even on the same origin: no API answers there
                        raise RedirectRefused(proxy_login_redirect(what, response.status_code, mask_url(target)))
                    if refusal:
                        final = target.split("api/v2/", 1)[0] if "api/v2/" in target else target
                        raise RedirectRefused(
                            f"{what}: the server answered HTTP {response.status_code} with a redirect to "
                            f"{mask_url(target)}, which the client does not follow ({refusal}). Point the url "
                            f"option at the address the WebUI answers at ({mask_url(final)}?)"
                        )
                    hops += 1
                    follow = {key: value for key, value in kwargs.items() if key not in ("params", "data", "files")}
                    response = self.session.request("GET", target, **follow)
                read_body(response, deadline)
                return response
            except (DeadlineExceeded, requests.exceptions.RequestException) as exc:
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
        self.found_secrets |= url_secrets(url)
        args = self.requests_args
        kwargs: dict[str, Any] = {
            "timeout": args.get("timeout", self.timeout),
            "verify": args.get("verify", self.verify),
            "proxies": args.get("proxies"),
            "allow_redirects": False,
            "stream": True,
        }
        session = requests.Session()
        adapter = DeadlineAdapter(max_retries=Retry(total=self.retries, backoff_factor=0.3, raise_on_status=False))
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            with Deadline(self.request_deadline) as deadline, warnings.catch_warnings():
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
                        if origin(current)[0] == "https" and origin(target)[0] != "https":
                            raise InvalidInput(
                                f"cannot download {shown}: it redirects from https to {mask_url(target)}, which "
                                "the module refuses (the file could be altered on the way); give the final "
                                "https:// URL"
                            )
                        self.found_secrets |= url_secrets(target)
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
                    if not read_body(response, deadline, max_bytes):
                        response.close()
                        raise too_big
                    return response.content
                except (DeadlineExceeded, requests.exceptions.RequestException) as exc:
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
            hint = ""
            if isinstance(exc, requests.exceptions.SSLError) and "VERIFY_FAILED" in reason.upper().replace(" ", "_"):
                hint = (
                    ". The download is verified like the WebUI: trust its CA with ca_path, or turn verification off "
                    "with validate_certs: false"
                )
            raise ConnectionFailed(f"cannot download {shown}: {reason}{hint}") from exc
        finally:
            session.close()

    def connection_error(self, exc: Exception) -> ConnectionFailed:
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
        if isinstance(exc, requests.exceptions.ProxyError):
            url = exc.request.url if exc.request is not None else where
            proxies = {**requests.utils.get_environ_proxies(url), **(self.requests_args.get("proxies") or {})}
            proxy = requests.utils.select_proxy(url, proxies)
            return ConnectionFailed(proxy_failure(where, mask_url(proxy) if proxy else None, reason))
        if _is_timeout(exc):
            if self.scheme == "https":
                # qBittorrent never answers a TLS handshake on a plain-HTTP port: it waits for the timeout.
                reason += (
                    ". A WebUI that speaks plain HTTP does not answer a TLS handshake: if it does not use HTTPS, "
                    "write the url with http://"
                )
            return ConnectionFailed(
                f"{where} did not answer within {self.timeout} s (timeout option, per HTTP call; "
                f"retries: {self.retries}): {reason}"
            )
        if _refused_or_timeout(exc):
            return ConnectionFailed(
                f"cannot connect to {where}: {reason}. Is qBittorrent running, with its WebUI on that address and port?"
            )
        hint = ""
        if self.scheme == "http":
            hint = " If the WebUI uses HTTPS, write the url with https://"
        return ConnectionFailed(f"the connection to {where} failed: {reason}.{hint}")


def _reason(exc: Exception) -> str:
    """The innermost cause of a requests failure, without urllib3's pool and retry wrapping."""
    inner = exc.args[0] if exc.args else exc
    inner = getattr(inner, "reason", inner)
    text = str(inner)
    nested = [arg for arg in getattr(inner, "args", ()) if isinstance(arg, Exception)]
    if isinstance(inner, Exception) and nested:
        text = str(nested[0])  # SSLError(SSLCertVerificationError(...)), ProxyError('...', NewConnectionError(...))
    text = text.split("Failed to establish a new connection: ", 1)[-1]
    return short(text, 400)


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
