# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""request_deadline: the bound on one whole HTTP exchange, whatever the server's pace.

timeout bounds each socket operation only; this module ends an exchange (connect, headers, redirects, body) when
its deadline passes. Used by _transport for API calls and downloads.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

try:
    import urllib3.poolmanager
    from requests.adapters import HTTPAdapter
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    HAS_REQUESTS = True
except ImportError:  # pragma: no cover - _client reports the missing library
    HAS_REQUESTS = False
    HTTPAdapter = HTTPConnectionPool = HTTPSConnectionPool = object

CHUNK = 64 * 1024


class DeadlineExceeded(Exception):
    """Raised inside requests' call when request_deadline has passed (not a RequestException: nothing retries it)."""


_LOCAL = threading.local()


class Deadline:
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

    def __enter__(self) -> Deadline:
        _LOCAL.deadline = self
        threading.Thread(target=self._watch, name="qbt-request-deadline", daemon=True).start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _LOCAL.deadline = None
        self._done.set()

    def check(self) -> None:
        if self.expired or time.monotonic() > self.deadline:
            self.expired = True
            raise DeadlineExceeded()

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


def read_body(response, deadline: Deadline, limit: int | None = None) -> bool:
    """Read RESPONSE's whole body in chunks (kept as response.content); False when it exceeds LIMIT bytes."""
    data = bytearray()
    for chunk in response.iter_content(CHUNK):
        data += chunk
        if limit is not None and len(data) > limit:
            return False
        deadline.check()
    response._content = bytes(data)  # pylint: disable=protected-access  # what Response.content would store
    return True


class _TrackedPool:
    """A connection pool that tells the current thread's Deadline which connection it handed out."""

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


class DeadlineAdapter(HTTPAdapter):
    """requests' HTTPAdapter whose pools (direct and through an HTTP proxy) register connections for Deadline."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        _track(self.poolmanager)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        return _track(super().proxy_manager_for(proxy, **proxy_kwargs))
