# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LoopbackHttpServer: a threaded HTTP(S) server on 127.0.0.1 at a free port, run in a daemon thread, for the
stand-in servers of the tests and the benchmark (the counting proxy, the reliability suite's odd servers).
Standard library only."""

from __future__ import annotations

import http.server
import ssl
import threading


class LoopbackHttpServer:
    """Serves HANDLER_CLASS on 127.0.0.1 (TLS: (cert, key) files for HTTPS). start()/stop(), or a with block;
    url is its address."""

    def __init__(self, handler_class: type[http.server.BaseHTTPRequestHandler], tls: tuple[str, str] | None = None):
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
        self._server.daemon_threads = True
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self._server.server_address[1]}"

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
