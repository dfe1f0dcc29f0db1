# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A BitTorrent HTTP tracker on 127.0.0.1 that answers every announce with a failure reason.

Real trackers answer "Unregistered torrent" (or similar) for a torrent they dropped; qBittorrent then shows that
text as the tracker's message (torrents/trackers, msg), which qbt_torrent_policy's match.tracker_message finds.
This server lets tests produce that state on real qBittorrent servers without leaving loopback. Standard library
only. The announce path is /announce: libtorrent's SSRF mitigation only lets a client announce to a loopback
tracker under that path.

CLI::

    python3 failing_tracker.py --port PORT [--reason TEXT]

serves until killed; GET /__count answers the number of announces seen so far as JSON ({"announces": N}).
"""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def failure(reason: str) -> bytes:
    """The bencoded tracker answer {"failure reason": reason} (BEP 3)."""
    text = reason.encode("utf-8")
    return b"d14:failure reason%d:%se" % (len(text), text)


def serve(port: int, reason: str) -> ThreadingHTTPServer:
    """Start the tracker on 127.0.0.1:PORT (0 picks a free port) in a thread; returns the server."""
    lock = threading.Lock()
    seen = {"announces": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            if self.path.startswith("/__count"):
                with lock:
                    body = json.dumps(seen).encode()
                content = "application/json"
            else:
                with lock:
                    seen["announces"] += 1
                body = failure(reason)
                content = "text/plain"
            self.send_response(200)
            self.send_header("Content-Type", content)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--reason", default="Unregistered torrent")
    args = parser.parse_args()
    server = serve(args.port, args.reason)
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
