# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reliability suite's tool kit: servers, counting proxies, stand-ins, playbook runs, secrets and the tally.

Every server is started through tests/harness/qbt_harness.py (profiles locked to loopback), and every request a
module sends goes through a SessionProxy, a subclass of the harness's LoopbackProxy that also follows sessions
(the cookie each login issues and each logout closes), attributes requests to a case by a URL path tag
(``<proxy>/t/<case>/api/v2/...``), and runs hooks before forwarding a request (inject a status, restart the
server, log the session out behind the client's back). Standard library plus requests, PyYAML and pytest.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import dataclasses
import http.client
import http.server
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests
import yaml

HERE = Path(__file__).resolve().parent
COLLECTION = HERE.parents[1]
HARNESS = COLLECTION / "tests" / "harness"
sys.path.insert(0, str(HARNESS))

import loopback_http  # noqa: E402  pylint: disable=wrong-import-position
import loopback_proxy  # noqa: E402  pylint: disable=wrong-import-position
import qbt_harness  # noqa: E402  pylint: disable=wrong-import-position
import torrents as torrent_maker  # noqa: E402  pylint: disable=wrong-import-position

PYTHON = sys.executable
BIN = Path(PYTHON).parent
OUTPUT = COLLECTION / "tests" / "output" / "reliability"
POLL = 0.05
_SESSION_COOKIE = re.compile(r"\b(SID|QBT_SID_\d+)=([^;,\s]+)")
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection", "host"}
_LOGIN_OK = (200, 204)


def poll(check: Callable[[], Any], timeout: float = 15.0, interval: float = POLL, what: str = "a condition") -> Any:
    """Call check() until it returns something truthy; raise after TIMEOUT seconds (never sleeps blindly)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# ------------------------------------------------------------------------------------------------ the tally
class Tally:
    """The counts the suite prints at the end. Tests add to them as they prove things."""

    def __init__(self) -> None:
        self.bad_inputs = 0
        self.faults: list[str] = []
        self.secret_leaks: list[str] = []
        self.outputs_scanned = 0
        self.check_writes = 0
        self.check_scenarios = 0
        self.proxies: list[SessionProxy] = []
        self.notes: list[str] = []
        self.property_examples = 0

    def fault(self, name: str) -> None:
        self.faults.append(name)

    def sessions(self) -> dict[str, int]:
        totals = collections.Counter()
        for proxy in self.proxies:
            for key, value in proxy.session_counts().items():
                totals[key] += value
        return dict(totals)

    def as_dict(self) -> dict[str, Any]:
        sessions = self.sessions()
        return {
            "bad_inputs": self.bad_inputs,
            "faults_survived": len(self.faults),
            "faults": self.faults,
            "secrets_leaked": len(self.secret_leaks),
            "secret_leaks": self.secret_leaks,
            "outputs_scanned": self.outputs_scanned,
            "check_mode_writes": self.check_writes,
            "check_mode_scenarios": self.check_scenarios,
            "logins": sessions.get("logins", 0),
            "logouts": sessions.get("logouts", 0),
            "sessions_dropped_by_server": sessions.get("dropped", 0),
            "sessions_leaked": sessions.get("leaked", 0),
            "property_examples": self.property_examples,
            "notes": self.notes,
        }

    def line(self) -> str:
        data = self.as_dict()
        return (
            f"reliability counts: bad inputs tried {data['bad_inputs']}, faults survived {data['faults_survived']}, "
            f"secrets leaked {data['secrets_leaked']} (in {data['outputs_scanned']} outputs), "
            f"writes in check mode {data['check_mode_writes']} (in {data['check_mode_scenarios']} scenarios), "
            f"sessions leaked {data['sessions_leaked']} (logins {data['logins']}, logouts {data['logouts']}, "
            f"dropped by a restart or expiry {data['sessions_dropped_by_server']}), "
            f"property examples {data['property_examples']}"
        )


TALLY = Tally()


# ------------------------------------------------------------------------------------------------ secrets
class Secrets:
    """Every secret value the suite knows, with the forms it could leak in; scan() counts the leaks in a text."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def add(self, value: str | None, label: str) -> None:
        if value and len(value) >= 8:
            self._values[value] = label

    def add_login(self, username: str, password: str, label: str) -> None:
        """A password, and the HTTP Basic form of username:password it could travel in."""
        self.add(password, label)
        self.add(base64.b64encode(f"{username}:{password}".encode()).decode(), label + " (basic auth)")

    def templated(self, value: Any, variables: dict[str, str]) -> Any:
        """VALUE with every known secret inside its strings replaced by a variable reference added to VARIABLES."""
        if isinstance(value, str):
            for secret in sorted(self._values, key=len, reverse=True):
                if secret in value:
                    name = f"rel_secret_{len(variables)}"
                    name = next((key for key, known in variables.items() if known == secret), name)
                    variables[name] = secret
                    value = value.replace(secret, "{{ " + name + " }}")
            return value
        if isinstance(value, dict):
            return {key: self.templated(item, variables) for key, item in value.items()}
        if isinstance(value, list):
            return [self.templated(item, variables) for item in value]
        return value

    def labels(self) -> set[str]:
        return set(self._values.values())

    def scan(self, text: str, where: str, record: bool = True) -> list[str]:
        """Where each known secret appears in TEXT (with the line number); RECORD: count them in the tally."""
        if record:
            TALLY.outputs_scanned += 1
        found = []
        for value, label in self._values.items():
            start = 0
            while True:
                index = text.find(value, start)
                if index < 0:
                    break
                line = text.count("\n", 0, index) + 1
                found.append(f"{label} in {where} line {line}: {_context(text, index, len(value))}")
                start = index + len(value)
        if record:
            TALLY.secret_leaks.extend(found)
        return found


def _context(text: str, index: int, length: int) -> str:
    """The text around a leak, with the secret itself masked (a report must not leak it again)."""
    before = text[max(0, index - 60) : index].replace("\n", " ")
    after = text[index + length : index + length + 60].replace("\n", " ")
    return f"...{before}<SECRET>{after}..."


SECRETS = Secrets()


# ------------------------------------------------------------------------------------------------ the proxy
@dataclasses.dataclass
class Request:
    """What a hook sees of a request before it is forwarded."""

    index: int
    tag: str
    method: str
    endpoint: str
    cookie: str | None
    headers: dict[str, str]


@dataclasses.dataclass
class Event:
    tag: str
    method: str
    endpoint: str
    status: int | None = None


@dataclasses.dataclass
class Hook:
    """Before forwarding a request that matches, call action(request); a (status, body) answer replaces the
    forwarding. Fires at most TIMES times (None: always)."""

    match: Callable[[Request], bool]
    action: Callable[[Request], tuple[int, str] | None]
    times: int | None = 1
    fired: int = 0


def nth(n: int, tag: str | None = None, method: str | None = None, endpoint: str | None = None):
    """A hook match that is true for the Nth request with this tag, method and endpoint (None: any)."""
    seen = [0]

    def match(request: Request) -> bool:
        if (tag, method, endpoint) == (
            tag if tag is None else request.tag,
            method if method is None else request.method,
            endpoint if endpoint is None else request.endpoint,
        ):
            seen[0] += 1
            return seen[0] == n
        return False

    return match


class SessionProxy(loopback_proxy.LoopbackProxy):
    """The harness's counting proxy, plus sessions, case tags, hooks and TLS on either side."""

    def __init__(
        self,
        target_url: str,
        prefix: str = "/",
        name: str = "",
        tls: tuple[str, str] | None = None,
        upstream_ca: str | None = None,
    ) -> None:
        self.name = name or target_url
        self.events: list[Event] = []
        self.hooks: list[Hook] = []
        self.issued: dict[str, str] = {}  # session cookie -> tag of the login that got it
        self.closed: set[str] = set()
        self.dropped: set[str] = set()
        self.upstream_tls = target_url.startswith("https:")
        self.upstream_context = ssl.create_default_context(cafile=upstream_ca) if self.upstream_tls else None
        super().__init__(target_url, prefix, tls)
        TALLY.proxies.append(self)

    def tagged(self, tag: str) -> str:
        """The URL whose requests count under TAG."""
        return f"{self.url}t/{tag}/"

    # ---------------------------------------------------------------- hooks
    def on(self, match: Callable[[Request], bool], action, times: int | None = 1) -> Hook:
        hook = Hook(match, action, times)
        with self._lock:
            self.hooks.append(hook)
        return hook

    def inject_on(self, method: str, endpoint: str, status: int, times: int = 1, body: str = "") -> Hook:
        """Answer the next TIMES requests METHOD ENDPOINT with STATUS (a proxy whose backend is down)."""
        text = body or f"{status} injected by the reliability suite's proxy"
        return self.on(lambda r: (r.method, r.endpoint) == (method, endpoint), lambda r: (status, text), times)

    def clear_hooks(self) -> None:
        with self._lock:
            self.hooks.clear()

    # ---------------------------------------------------------------- counting
    def requests_for(self, tag: str | None = None) -> list[Event]:
        with self._lock:
            return [e for e in self.events if tag is None or e.tag == tag]

    def count(self, tag: str | None = None, method: str | None = None, endpoint: str | None = None) -> int:
        return sum(
            1
            for e in self.requests_for(tag)
            if (method is None or e.method == method) and (endpoint is None or e.endpoint == endpoint)
        )

    def writes(self, tag: str | None = None) -> list[Event]:
        """Requests that can change the server: every POST except login and logout."""
        return [
            e for e in self.requests_for(tag) if e.method == "POST" and e.endpoint not in ("auth/login", "auth/logout")
        ]

    def drop_sessions(self) -> None:
        """The server forgot every session (a restart): they are not leaked by the client."""
        with self._lock:
            self.dropped.update(set(self.issued) - self.closed)

    def session_counts(self) -> dict[str, int]:
        with self._lock:
            open_ = set(self.issued) - self.closed - self.dropped
            return {
                "logins": len(self.issued),
                "logouts": len(self.closed),
                "dropped": len(self.dropped - self.closed),
                "leaked": len(open_),
            }

    def open_sessions(self) -> dict[str, str]:
        """{cookie: tag of its login} for sessions neither logged out nor dropped by the server."""
        with self._lock:
            return {sid: tag for sid, tag in self.issued.items() if sid not in self.closed | self.dropped}

    def _handler_class(self):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _answer(self, status: int, text: str, content_type: str = "text/plain") -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if not self.path.startswith(proxy.prefix):
                    with proxy._lock:
                        proxy.events.append(Event("", self.command, "(outside the prefix) " + self.path, 404))
                    self._answer(404, "outside the proxy prefix")
                    return
                rest = self.path[len(proxy.prefix) :]
                tag = ""
                if rest.startswith("t/"):
                    tag, _sep, rest = rest[2:].partition("/")
                upstream_path = "/" + rest
                endpoint = upstream_path.split("?", 1)[0].split("/api/v2/", 1)[-1]
                found = _SESSION_COOKIE.search(self.headers.get("Cookie") or "")
                cookie = found.group(2) if found else None
                event = Event(tag, self.command, endpoint)
                with proxy._lock:
                    request = Request(len(proxy.events), tag, self.command, endpoint, cookie, dict(self.headers))
                    proxy.events.append(event)
                    proxy.counts[(self.command, endpoint)] += 1
                    hooks = [h for h in proxy.hooks if (h.times is None or h.fired < h.times) and h.match(request)]
                    for hook in hooks:
                        hook.fired += 1
                for hook in hooks:
                    answer = hook.action(request)
                    if answer is not None:
                        event.status = answer[0]
                        self._answer(*answer)
                        return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
                if proxy.upstream_tls:
                    connection = http.client.HTTPSConnection(
                        proxy.target_host, proxy.target_port, timeout=60, context=proxy.upstream_context
                    )
                else:
                    connection = http.client.HTTPConnection(proxy.target_host, proxy.target_port, timeout=60)
                try:
                    connection.request(self.command, upstream_path, body=body, headers=headers)
                    response = connection.getresponse()
                    data = response.read()
                except OSError as exc:
                    event.status = 502
                    self._answer(502, f"bad gateway: {exc}")
                    return
                finally:
                    connection.close()
                event.status = response.status
                self._follow_session(endpoint, cookie, response, tag)
                self.send_response(response.status, response.reason)
                for name, value in response.getheaders():
                    if name.lower() not in _HOP_HEADERS and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            @staticmethod
            def _follow_session(endpoint: str, cookie: str | None, response, tag: str) -> None:
                with proxy._lock:
                    if endpoint == "auth/login" and response.status in _LOGIN_OK:
                        for name, value in response.getheaders():
                            found = _SESSION_COOKIE.search(value) if name.lower() == "set-cookie" else None
                            if found:
                                proxy.issued[found.group(2)] = tag
                    elif endpoint == "auth/logout" and cookie in proxy.issued:
                        if response.status in _LOGIN_OK:
                            proxy.closed.add(cookie)
                        elif response.status == 403:  # the server no longer knows it (expired): not leaked
                            proxy.dropped.add(cookie)

            do_GET = do_POST = do_HEAD = _forward

        return Handler


# ------------------------------------------------------------------------------------------------ stand-ins
class SilentPort:
    """A port that accepts connections and never answers; counts the connections it accepted."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self._sock.accept()
            except OSError:
                continue
            self.accepted += 1
            self._held.append(conn)  # never read, never answered, closed at stop

    def __enter__(self) -> SilentPort:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()
        for conn in self._held:
            conn.close()
        self._sock.close()


class OddServer(loopback_http.LoopbackHttpServer):
    """A loopback HTTP server that answers every request from a table {(method, endpoint): (status, body)}, with
    a default for the rest; counts requests. A stand-in for a port where something else than qBittorrent answers,
    or a qBittorrent that answers an unexpected body."""

    def __init__(self, routes: dict[tuple[str, str], tuple[int, str]], default: tuple[int, str]) -> None:
        self.routes = routes
        self.default = default
        self.counts: collections.Counter = collections.Counter()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                endpoint = self.path.split("?", 1)[0].split("/api/v2/", 1)[-1]
                server.counts[(self.command, endpoint)] += 1
                status, body = server.routes.get((self.command, endpoint), server.default)
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html" if body.startswith("<") else "text/plain")
                if endpoint == "auth/login" and status == 200:
                    self.send_header("Set-Cookie", "SID=standin; HttpOnly; path=/")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_HEAD = _answer

        super().__init__(Handler)


class Recorder(loopback_http.LoopbackHttpServer):
    """A loopback HTTP(S) server that records every request it receives and answers from a table.

    ROUTES: {(method, endpoint): (status, headers, body)}, where endpoint is the part after /api/v2/ (or the whole
    path for other paths, '/x.torrent'); DEFAULT answers the rest. Every request is kept as raw text (request
    line, headers, body) in .received, so a test can prove that no secret reached it. TLS: (cert, key)."""

    def __init__(
        self,
        routes: dict[tuple[str, str], tuple[int, dict[str, str], str | bytes]] | None = None,
        default: tuple[int, dict[str, str], str | bytes] = (200, {}, "Ok."),
        tls: tuple[str, str] | None = None,
    ) -> None:
        self.routes = dict(routes or {})
        self.default = default
        self.received: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.received.append(f"{self.requestline}\n{self.headers}\n{body.decode('utf-8', 'replace')}")
                endpoint = self.path.split("?", 1)[0]
                endpoint = endpoint.split("/api/v2/", 1)[1] if "/api/v2/" in endpoint else endpoint
                status, headers, answer = server.routes.get((self.command, endpoint), server.default)
                data = answer.encode() if isinstance(answer, str) else answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_HEAD = _answer

        super().__init__(Handler, tls)


class Trickle(loopback_http.LoopbackHttpServer):
    """A loopback HTTP server that answers every request with 200 and then one body byte per second: each read
    gets data well within any timeout, so only a bound on the whole exchange ends it. Bounded itself: it stops
    sending after LIMIT seconds, and stops at once when the client goes away or the context ends."""

    def __init__(self, limit: float = 60.0) -> None:
        self.limit = limit
        self.requests = 0
        self._stop = threading.Event()
        trickle = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                trickle.requests += 1
                size = int(trickle.limit)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                try:
                    for _second in range(size):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        if trickle._stop.wait(1.0):
                            break
                except OSError:
                    pass  # the client gave up: what a request deadline does
                self.close_connection = True

            do_GET = do_POST = do_HEAD = _answer

        super().__init__(Handler)

    def stop(self) -> None:
        self._stop.set()
        super().stop()


# ------------------------------------------------------------------------------------------------ the servers
class DirectApi:
    """Reads (and, for setting up, writes) a server's state directly, not through the proxy and not through the
    collection: an independent witness. A password session is logged out after each use."""

    def __init__(self, url: str, username: str, password: str, api_key: str | None, ca: str | None) -> None:
        self.url = url.rstrip("/") + "/api/v2/"
        self.username, self.password, self.api_key = username, password, api_key
        self.verify: bool | str = ca or True

    @contextlib.contextmanager
    def session(self) -> Iterator[requests.Session]:
        with requests.Session() as http_session:
            http_session.trust_env = False
            if self.api_key:
                http_session.headers["Authorization"] = f"Bearer {self.api_key}"
                yield http_session
                return
            answer = http_session.post(
                self.url + "auth/login",
                data={"username": self.username, "password": self.password},
                verify=self.verify,
                timeout=10,
            )
            if answer.status_code not in _LOGIN_OK or answer.text.strip() == "Fails.":
                raise RuntimeError(f"direct login to {self.url} failed: {answer.status_code} {answer.text[:100]}")
            try:
                yield http_session
            finally:
                http_session.post(self.url + "auth/logout", verify=self.verify, timeout=10)

    def call(self, method: str, endpoint: str, data: dict | None = None, files: Any = None) -> requests.Response:
        with self.session() as http_session:
            answer = http_session.request(
                method,
                self.url + endpoint,
                params=data if method == "GET" else None,
                data=data if method == "POST" else None,
                files=files,
                verify=self.verify,
                timeout=30,
            )
        if answer.status_code >= 400:
            raise RuntimeError(f"{method} {endpoint}: HTTP {answer.status_code} {answer.text[:200]}")
        return answer

    def get(self, endpoint: str, params: dict | None = None) -> Any:
        return self.call("GET", endpoint, params).json()

    def post(self, endpoint: str, data: dict | None = None, files: Any = None) -> str:
        return self.call("POST", endpoint, data, files).text

    def snapshot(self) -> dict[str, Any]:
        """The whole state a task could change, in one session: preferences, categories, tags, torrents, RSS."""
        with self.session() as http_session:

            def read(endpoint: str, params: dict | None = None) -> Any:
                answer = http_session.get(self.url + endpoint, params=params, verify=self.verify, timeout=30)
                answer.raise_for_status()
                return answer.json()

            torrents = {}
            for entry in read("torrents/info"):
                torrents[entry["hash"]] = {key: entry.get(key) for key in TORRENT_FIELDS}
                torrents[entry["hash"]]["state"] = _settled(entry.get("state"))
                torrents[entry["hash"]]["tags"] = sorted(t.strip() for t in (entry.get("tags") or "").split(","))
            return {
                "preferences": read("app/preferences"),
                "categories": read("torrents/categories"),
                "tags": sorted(read("torrents/tags")),
                "torrents": torrents,
                "rss_items": read("rss/items", {"withData": "false"}),
                "rss_rules": read("rss/rules"),
            }


# Fields of torrents/info that only a request changes (no speeds, times or peer counts).
TORRENT_FIELDS = (
    "name",
    "category",
    "save_path",
    "download_path",
    "auto_tmm",
    "up_limit",
    "dl_limit",
    "ratio_limit",
    "seeding_time_limit",
    "inactive_seeding_time_limit",
    "super_seeding",
    "seq_dl",
    "f_l_piece_prio",
    "force_start",
    "infohash_v1",
    "infohash_v2",
)


def _settled(state: str | None) -> str:
    """A torrent state without the moment-to-moment part: stopped or not is what a request changes."""
    if state and ("paused" in state or "stopped" in state):
        return "stopped"
    return "running"


@dataclasses.dataclass
class Handle:
    """One started server with its proxy: what the tests use."""

    key: str
    server: qbt_harness.Server
    proxy: SessionProxy
    api: DirectApi

    @property
    def url(self) -> str:
        return self.proxy.url

    @property
    def username(self) -> str:
        return self.server.username

    @property
    def password(self) -> str:
        return self.server.password

    @property
    def api_key(self) -> str | None:
        return self.server.api_key

    @property
    def ca(self) -> str | None:
        return str(self.server.ca_cert) if self.server.ca_cert else None

    @property
    def webapi(self) -> tuple[int, ...]:
        return qbt_harness.version_tuple(self.server.webapi_version)

    def login_options(self, tag: str | None = None, **extra: Any) -> dict[str, Any]:
        """url, username, password (and ca_path) for a task, through the proxy (under TAG)."""
        options = {
            "url": self.proxy.tagged(tag) if tag else self.url,
            "username": self.username,
            "password": self.password,
        }
        if self.ca:
            options["ca_path"] = self.ca
        options.update(extra)
        return options

    def restart(self) -> None:
        """Restart the server through the harness; the sessions it issued are gone."""
        self.server.restart()
        self.proxy.drop_sessions()

    def stop(self) -> None:
        self.proxy.stop()
        self.server.stop()


class Fleet:
    """The suite's servers: old (4.5.2), mid (5.1.x), new (5.3+), tls (5.3+ over HTTPS), each behind a proxy,
    and throw-away servers for faults that break a server."""

    VERSIONS = {"old": "4.5.2", "mid": "5.1.0", "new": "sid", "tls": "sid"}

    def __init__(self, state: Path) -> None:
        self.state = state
        self.tls = qbt_harness.make_tls(state / "tls-material")
        self.builds = {v: qbt_harness.fetch_build(v) for v in set(self.VERSIONS.values())}
        self.handles: dict[str, Handle] = {}
        self._extra: list[Handle] = []
        servers = {key: self._server(key, version) for key, version in self.VERSIONS.items()}
        _start_all(list(servers.values()))
        for key, server in servers.items():
            self.handles[key] = self._handle(key, server)

    def __getitem__(self, key: str) -> Handle:
        return self.handles[key]

    def _server(self, key: str, version: str, extra_config: dict | None = None) -> qbt_harness.Server:
        build = self.builds.setdefault(version, qbt_harness.fetch_build(version))
        workdir = self.state / key
        shutil.rmtree(workdir, ignore_errors=True)
        https = key == "tls"
        password = "rel-" + qbt_harness.secrets.token_urlsafe(18)
        server = qbt_harness.Server(
            build,
            workdir,
            name=f"rel_{key}",
            password=password,
            https=(Path(self.tls["server_cert"]), Path(self.tls["server_key"])) if https else None,
            ca_cert=Path(self.tls["ca_cert"]) if https else None,
            api_key=qbt_harness.new_api_key() if qbt_harness.version_tuple(build.version) >= (5, 2) else None,
            extra_config=extra_config or {},
        )
        SECRETS.add_login(server.username, password, f"{key} password")
        return server

    def _handle(self, key: str, server: qbt_harness.Server) -> Handle:
        SECRETS.add(server.api_key, f"{key} API key")
        tls = (self.tls["server_cert"], self.tls["server_key"]) if server.https else None
        proxy = SessionProxy(server.url, name=key, tls=tls, upstream_ca=self.tls["ca_cert"] if tls else None)
        proxy.start()
        ca = str(server.ca_cert) if server.ca_cert else None
        return Handle(key, server, proxy, DirectApi(server.url, server.username, server.password, server.api_key, ca))

    @contextlib.contextmanager
    def throwaway(self, key: str, version: str = "sid", extra_config: dict | None = None) -> Iterator[Handle]:
        """A fresh server (and proxy) for one fault that breaks it; stopped afterwards."""
        server = self._server(key, version, extra_config)
        server.start()
        handle = self._handle(key, server)
        self._extra.append(handle)
        try:
            yield handle
        finally:
            handle.stop()

    def stop(self) -> None:
        for handle in list(self.handles.values()) + self._extra:
            with contextlib.suppress(Exception):
                handle.stop()


def _start_all(servers: list[qbt_harness.Server]) -> None:
    """Start servers in parallel (each start is mostly waiting); stop them all if one fails."""
    errors: list[BaseException] = []

    def start(server: qbt_harness.Server) -> None:
        try:
            server.start()
        except BaseException as exc:  # pylint: disable=broad-exception-caught  # re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        for server in servers:
            server.stop()
        raise errors[0]


# ------------------------------------------------------------------------------------------------ playbooks
@dataclasses.dataclass
class Run:
    """One ansible-playbook run: its output, exit code and every task result the callback recorded."""

    output: str
    rc: int
    records: list[dict[str, Any]]
    seconds: float
    folder: Path

    def results(self, status: str | None = None) -> dict[str, dict[str, Any]]:
        """{task name: result} (the last result of each name)."""
        return {r["task"]: r["result"] for r in self.records if status is None or r["status"] == status}

    def record(self, task: str) -> dict[str, Any]:
        """The last record of TASK: {'task', 'host', 'status' (ok, failed, skipped), 'result'}."""
        found = [r for r in self.records if r["task"] == task]
        if not found:
            raise AssertionError(f"no result recorded for the task {task!r}; output tail:\n{self.output[-3000:]}")
        return found[-1]

    def result(self, task: str) -> dict[str, Any]:
        return self.record(task)["result"]

    def failed(self, task: str) -> bool:
        return self.record(task)["status"] == "failed"


class Ansible:
    """Runs ansible-playbook with the collection, the venv's Python and the recording callback."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.collections = _collections_root(workdir)
        self.runs = 0
        self._lock = threading.Lock()

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("QBITTORRENTAPI_", "PYTHON_QBITTORRENTAPI_"))}
        env.update(
            ANSIBLE_COLLECTIONS_PATH=str(self.collections),
            ANSIBLE_PYTHON_INTERPRETER=PYTHON,
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
            ANSIBLE_CALLBACKS_ENABLED="rel_record",
            ANSIBLE_LOCALHOST_WARNING="0",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
            ANSIBLE_RETRY_FILES_ENABLED="0",
            ANSIBLE_HOME=str(self.workdir / "ansible_home"),
            ANSIBLE_LOCAL_TEMP=str(self.workdir / "ansible_tmp"),
            ANSIBLE_DEPRECATION_WARNINGS="0",
            PATH=f"{BIN}:{env.get('PATH', '')}",
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.update(extra or {})
        return env

    def play(
        self,
        tasks: list[dict[str, Any]],
        name: str,
        *,
        hosts: str = "localhost",
        inventory: Path | None = None,
        verbosity: int = 0,
        check: bool = False,
        diff: bool = False,
        forks: int | None = None,
        env: dict[str, str] | None = None,
        extra_vars: dict[str, Any] | None = None,
        play_vars: dict[str, Any] | None = None,
        module_defaults: dict[str, Any] | None = None,
        scan: bool = True,
        timeout: float = 300,
        wrap: list[str] | None = None,
    ) -> Run:
        """Write a one-play playbook of TASKS and run it; every output is scanned for secrets.

        WRAP: a command line that runs ansible-playbook (its arguments follow), such as prlimit's.
        TIMEOUT: ansible-playbook is killed after so many seconds (subprocess.TimeoutExpired is raised)."""
        with self._lock:  # runs may go side by side
            self.runs += 1
            folder = self.workdir / f"{self.runs:03d}-{name}"
        folder.mkdir(parents=True)
        # Secrets go in as variables, as a vault would give them: Ansible shows the playbook's source lines
        # around a failed task, so a literal password in a playbook would be shown as written.
        secret_vars: dict[str, str] = {}
        tasks = SECRETS.templated(tasks, secret_vars)
        extra_vars = {**(extra_vars or {}), **secret_vars}
        play: dict[str, Any] = {"name": name, "hosts": hosts, "gather_facts": False, "tasks": tasks}
        if play_vars:
            play["vars"] = play_vars
        if module_defaults:
            play["module_defaults"] = module_defaults
        playbook = folder / "playbook.yml"
        playbook.write_text(yaml.safe_dump([play], sort_keys=False, width=1000), encoding="utf-8")
        records_file = folder / "records.jsonl"
        argv = [*(wrap or []), str(BIN / "ansible-playbook"), str(playbook)]
        if inventory:
            argv += ["-i", str(inventory)]
        if verbosity:
            argv.append("-" + "v" * verbosity)
        if check:
            argv.append("--check")
        if diff:
            argv.append("--diff")
        if forks:
            argv += ["--forks", str(forks)]
        if extra_vars:
            vars_file = folder / "extra_vars.json"
            vars_file.write_text(json.dumps(extra_vars), encoding="utf-8")
            argv += ["-e", f"@{vars_file}"]
        started = time.monotonic()
        proc = subprocess.run(
            argv,
            cwd=folder,
            env=self.env(dict(env or {}, REL_RECORD_FILE=str(records_file))),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        seconds = time.monotonic() - started
        output = proc.stdout + proc.stderr
        (folder / "output.log").write_text(output, encoding="utf-8")
        records = []
        if records_file.is_file():
            text = records_file.read_text(encoding="utf-8")
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        if scan:
            with self._lock:
                SECRETS.scan(output, f"{folder.name}/output.log")
                if records_file.is_file():
                    SECRETS.scan(records_file.read_text(encoding="utf-8"), f"{folder.name}/records.jsonl")
        return Run(output, proc.returncode, records, seconds, folder)


def _collections_root(workdir: Path) -> Path:
    """A folder holding ansible_collections/community/qbittorrent: the collection's own when it sits in one (the
    copy tests/run makes), else a symlink tree in WORKDIR."""
    if COLLECTION.parent.name == "community" and COLLECTION.parent.parent.name == "ansible_collections":
        return COLLECTION.parents[2]
    root = workdir / "collections"
    link = root / "ansible_collections" / "community" / "qbittorrent"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(COLLECTION)
    return root


def task(name: str, module: str, args: dict[str, Any], **keywords: Any) -> dict[str, Any]:
    """A task dictionary: community.qbittorrent.MODULE with ARGS, a name, and task keywords."""
    entry: dict[str, Any] = {"name": name, f"community.qbittorrent.{module}": args}
    entry.update(keywords)
    return entry


def make_torrents(folder: Path, prefix: str, count: int, version: str = "v1", size: int = 20 * 1024) -> list[dict]:
    """Deterministic data and .torrent files (no tracker) built by tests/harness/torrents.py."""
    return [
        torrent_maker.make(folder / "data", folder / "torrents", f"{prefix}{i}", size=size, version=version)
        for i in range(count)
    ]


def magnet(seed: str) -> tuple[str, str]:
    """(a magnet URI without trackers, its v1 hash), deterministic for SEED."""
    digest = torrent_maker.hashlib.sha1(seed.encode()).hexdigest()  # nosec B324 - only an identifier
    return f"magnet:?xt=urn:btih:{digest}&dn={seed}", digest


def free_port() -> int:
    """A port nobody listens on (bound, then released)."""
    return qbt_harness.free_port()


def tempdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))
