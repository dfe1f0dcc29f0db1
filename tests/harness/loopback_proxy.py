# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small counting reverse proxy on 127.0.0.1, for tests and the benchmark.

It forwards to one qBittorrent WebUI, optionally under a path prefix (as a reverse proxy in front of the WebUI
would), counts every request by method and API endpoint, and can answer the next requests with an injected
status (a 502/503 of a proxy whose backend restarts). Standard library only.

Run as a process (`python3 loopback_proxy.py --target URL --url-file F`), it is controlled over HTTP, so
playbooks can count what a task sent: GET <url>__proxy__/counts answers {"counts": {"POST torrents/add": 1},
"writes": N}, GET <url>__proxy__/sequence answers {"sequence": ["POST auth/login", ...]} in arrival order, and
<url>__proxy__/reset (GET or POST) clears the counters and the rules below.

Like a common reverse proxy (nginx's 8 KiB large_client_header_buffers, Apache's LimitRequestLine of 8190), it
answers 414 to a request line longer than LINE_LIMIT (8 KiB) instead of forwarding it, so a test through it
proves that the collection splits long hash lists.

Faults for one endpoint, for tests of what a module does when the server answers unexpectedly:
GET <url>__proxy__/answer?call=GET%20app/webapiVersion&status=200&body=9.0&skip=0&times=0 answers the calls of
that method and endpoint with the given status and body instead of forwarding them, after letting `skip` of them
through, `times` times (0: until reset).
"""

from __future__ import annotations

import argparse
import collections
import http.client
import http.server
import json
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from loopback_http import LoopbackHttpServer  # beside this file: its folder is on sys.path for every user

LINE_LIMIT = 8 * 1024
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection", "host"}


class LoopbackProxy(LoopbackHttpServer):
    """Start with start(), stop with stop(); url is the address clients use (with the prefix); TLS: (cert, key)
    of the side the clients see."""

    def __init__(self, target_url: str, prefix: str = "/", tls: tuple[str, str] | None = None) -> None:
        target = urlsplit(target_url)
        if target.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the proxy only forwards to loopback addresses")
        self.target_host = target.hostname
        self.target_port = target.port or 80
        self.prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        self.counts: collections.Counter = collections.Counter()
        self.headers_seen: list[dict[str, str]] = []
        self.sequence: list[str] = []  # "METHOD endpoint" in the order the requests arrived
        self._inject: list[tuple[int, str]] = []
        self._rules: list[dict] = []  # {"call": "GET app/version", "status", "body", "skip", "times"}
        self._lock = threading.Lock()
        super().__init__(self._handler_class(), tls)

    @property
    def url(self) -> str:
        return super().url + self.prefix

    def inject(self, status: int, times: int = 1, body: str = "injected by the test proxy") -> None:
        """Answer the next `times` requests with `status` instead of forwarding them."""
        with self._lock:
            self._inject.extend([(status, body)] * times)

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.headers_seen.clear()
            self.sequence.clear()
            self._inject.clear()
            self._rules.clear()

    def answer(self, call: str, status: int, body: str, skip: int = 0, times: int = 0) -> None:
        """Answer the calls 'METHOD endpoint' with status and body, after letting skip of them through."""
        with self._lock:
            self._rules.append({"call": call, "status": status, "body": body, "skip": skip, "times": times or -1})

    def _ruled(self, call: str):
        """The (status, body) a rule answers this call with, or None (called with the lock held)."""
        for rule in self._rules:
            if rule["call"] != call or rule["times"] == 0:
                continue
            if rule["skip"] > 0:
                rule["skip"] -= 1
                return None
            rule["times"] -= 1
            return rule["status"], rule["body"]
        return None

    def mutating(self) -> int:
        """Requests that can change the server: every POST except login and logout."""
        reads = {"auth/login", "auth/logout"}
        return sum(n for (method, endpoint), n in self.counts.items() if method == "POST" and endpoint not in reads)

    def report(self) -> dict:
        with self._lock:
            counts = {f"{method} {endpoint}": n for (method, endpoint), n in sorted(self.counts.items())}
        return {"counts": counts, "writes": self.mutating()}

    def _handler_class(self):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # TCP_NODELAY: the status line and headers go out before the body, and with Nagle's algorithm the
            # body then waits for the client's delayed ACK, adding about 40 ms to every proxied GET.
            disable_nagle_algorithm = True

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                path = self.path
                if not path.startswith(proxy.prefix):
                    self._answer(404, "outside the proxy prefix")
                    return
                upstream_path = "/" + path[len(proxy.prefix) :]
                if upstream_path.startswith("/__proxy__/"):
                    self._control(upstream_path)
                    return
                endpoint = upstream_path.split("?", 1)[0].split("/api/v2/", 1)[-1]
                with proxy._lock:
                    proxy.counts[(self.command, endpoint)] += 1
                    proxy.headers_seen.append(dict(self.headers.items()))
                    proxy.sequence.append(f"{self.command} {endpoint}")
                    injected = proxy._inject.pop(0) if proxy._inject else proxy._ruled(f"{self.command} {endpoint}")
                if injected:
                    self._answer(*injected)
                    return
                if len(self.requestline) > LINE_LIMIT:
                    self._answer(414, f"request line of {len(self.requestline)} bytes, over {LINE_LIMIT}")
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
                connection = http.client.HTTPConnection(proxy.target_host, proxy.target_port, timeout=60)
                try:
                    connection.request(self.command, upstream_path, body=body, headers=headers)
                    response = connection.getresponse()
                    data = response.read()
                except OSError as exc:
                    self._answer(502, f"bad gateway: {exc}")
                    return
                finally:
                    connection.close()
                self.send_response(response.status, response.reason)
                for name, value in response.getheaders():
                    if name.lower() not in _HOP_HEADERS and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _control(self, path: str) -> None:
                if path.startswith("/__proxy__/reset"):
                    proxy.reset()
                    self._answer(200, "{}", "application/json")
                elif path.startswith("/__proxy__/sequence"):
                    with proxy._lock:
                        sequence = list(proxy.sequence)
                    self._answer(200, json.dumps({"sequence": sequence}), "application/json")
                elif path.startswith("/__proxy__/answer"):
                    query = {key: values[0] for key, values in parse_qs(urlsplit(path).query).items()}
                    proxy.answer(
                        query["call"],
                        int(query.get("status", 200)),
                        query.get("body", ""),
                        int(query.get("skip", 0)),
                        int(query.get("times", 0)),
                    )
                    self._answer(200, "{}", "application/json")
                elif path.startswith("/__proxy__/counts"):
                    self._answer(200, json.dumps(proxy.report()), "application/json")
                else:
                    self._answer(404, "unknown proxy control path")

            def _answer(self, status: int, text: str, content_type: str = "text/plain") -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_HEAD = _forward

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--target", required=True, help="the qBittorrent WebUI URL (loopback only)")
    parser.add_argument("--prefix", default="/", help="a path prefix the proxy serves under")
    parser.add_argument("--url-file", required=True, help="where to write the proxy's URL once it listens")
    args = parser.parse_args()
    proxy = LoopbackProxy(args.target, args.prefix)
    Path(args.url_file).write_text(proxy.url, encoding="utf-8")
    proxy._server.serve_forever()


if __name__ == "__main__":
    main()
