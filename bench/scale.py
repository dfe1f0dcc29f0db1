# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Big servers (issue 22): a loopback server filled with thousands of tiny magnets, and what the collection costs there.

The reusable part is populate(): it fills a harness server (tests/harness/qbt_harness.py, profile locked to loopback
before its first start) with COUNT magnets, added stopped, in batches, each with only a loopback tracker URL
(http://127.0.0.1:9/announce: nothing listens on the discard port, and DHT/LSD/PeX are off in the harness profile),
so no announce and no metadata download ever leaves 127.0.0.0/8. It waits until the server lists every one.

    from scale import harness_servers, populate
    with harness_servers(work / "state", ["sid"]) as entries:
        hashes = populate(entries["sid"], 20_000)

Every magnet's info hash is derived from its prefix and index (info_hash()), so a benchmark can declare any subset
of them without asking the server.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
HARNESS = REPO / "tests" / "harness" / "qbt_harness.py"
LOOPBACK_TRACKER = "http://127.0.0.1:9/announce"
BATCH = 500  # magnets per torrents/add request (one POST body of about 60 KiB)
CHECK_CHUNK = 100  # hashes per torrents/info?hashes= check: a request line of about 4 KiB


def log(message: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def info_hash(index: int, prefix: str = "scale") -> str:
    """The v1 info hash (40 hex digits) of magnet INDEX of PREFIX: the same on every run."""
    return hashlib.sha1(f"{prefix}-{index}".encode()).hexdigest()  # noqa: S324  (an identifier, not security)


def magnet(index: int, prefix: str = "scale") -> str:
    """A magnet link with a name and one loopback tracker, nothing else."""
    return (
        f"magnet:?xt=urn:btih:{info_hash(index, prefix)}&dn={prefix}-{index:06d}&tr={quote(LOOPBACK_TRACKER, safe='')}"
    )


@contextlib.contextmanager
def harness_servers(state: Path, versions: list[str], proxies: bool = True) -> Iterator[dict[str, dict[str, Any]]]:
    """Fresh harness servers for VERSIONS (each behind a counting proxy unless PROXIES is false), by version;
    stopped on exit."""
    subprocess.run(
        [sys.executable, str(HARNESS), "start", "--state", str(state), "--versions", ",".join(versions)]
        + (["--proxies"] if proxies else []),
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        listing = json.loads((state / "servers.json").read_text(encoding="utf-8"))
        by_name = {entry["name"]: entry for entry in listing["servers"]}
        yield {version: by_name[f"qbt_{version.replace('.', '_')}"] for version in versions}
    finally:
        subprocess.run([sys.executable, str(HARNESS), "stop", "--state", str(state)], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def session(server: dict[str, Any]):
    """A requests session logged in to SERVER (a servers.json entry), straight to the server (no proxy)."""
    import requests  # noqa: PLC0415  (the bench venv has it)

    api = server["url"] + "/api/v2/"
    http = requests.Session()
    http.trust_env = False
    answer = http.post(api + "auth/login", data={"username": server["username"], "password": server["password"]},
                       timeout=60)  # fmt: skip
    if answer.status_code not in (200, 204) or not http.cookies:
        raise RuntimeError(f"cannot log in to {server['url']}: {answer.status_code} {answer.text[:200]}")
    return http, api


def listed(http, api: str, hashes: list[str]) -> set[str]:
    """Which of HASHES the server lists (torrents/info?hashes= in chunks that keep the request line short)."""
    found: set[str] = set()
    for start in range(0, len(hashes), CHECK_CHUNK):
        chunk = hashes[start : start + CHECK_CHUNK]
        answer = http.get(api + "torrents/info", params={"hashes": "|".join(chunk)}, timeout=300)
        answer.raise_for_status()
        found.update(torrent["hash"] for torrent in answer.json())
    return found


def populate(
    server: dict[str, Any], count: int, *, start: int = 0, prefix: str = "scale", batch: int = BATCH,
    timeout: float = 1800.0,
) -> list[str]:  # fmt: skip
    """Add magnets START..START+COUNT-1 of PREFIX to SERVER (a servers.json entry), stopped, BATCH per request,
    and wait until the server lists all of them. Returns their info hashes, in index order.

    Magnets already on the server are left alone (adding one again is a no-op for qBittorrent), so a second call
    with a larger COUNT only adds the difference."""
    hashes = [info_hash(i, prefix) for i in range(start, start + count)]
    http, api = session(server)
    deadline = time.monotonic() + timeout
    started = time.perf_counter()
    try:
        there = listed(http, api, hashes)
        pending = [h for h in hashes if h not in there]
        index = {h: start + i for i, h in enumerate(hashes)}
        for first in range(0, len(pending), batch):
            links = [magnet(index[h], prefix) for h in pending[first : first + batch]]
            # "stopped" (5.0+) and "paused" (before 5.0): a stopped magnet never announces nor looks for metadata.
            fields = {"urls": "\n".join(links), "stopped": "true", "paused": "true"}
            answer = http.post(api + "torrents/add", data=fields, timeout=300)
            if answer.status_code != 200:
                raise RuntimeError(f"torrents/add answered {answer.status_code}: {answer.text[:200]}")
            # The server adds magnets asynchronously: wait for this batch's last one, so the queue stays short.
            last = pending[min(first + batch, len(pending)) - 1]
            while not listed(http, api, [last]):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{server['url']} did not list {last} within {timeout:.0f} s")
                time.sleep(0.05)
            done = min(first + batch, len(pending))
            if done % 5000 < batch:
                log(f"{server['name']}: {done}/{len(pending)} magnets added ({time.perf_counter() - started:.0f} s)")
        while True:
            there = listed(http, api, hashes)
            missing = [h for h in hashes if h not in there]
            if not missing:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{server['url']} lists {count - len(missing)} of {count} magnets")
            time.sleep(0.5)
    finally:
        http.post(api + "auth/logout", timeout=60)
    log(f"{server['name']}: {count} magnets listed after {time.perf_counter() - started:.1f} s")
    return hashes


def remove(server: dict[str, Any], hashes: list[str]) -> None:
    """Delete these torrents from SERVER (without data) straight through its API: cleanup, never measured."""
    http, api = session(server)
    try:
        for first in range(0, len(hashes), BATCH):
            fields = {"hashes": "|".join(hashes[first : first + BATCH]), "deleteFiles": "false"}
            http.post(api + "torrents/delete", data=fields, timeout=300)
        deadline = time.monotonic() + 120
        while listed(http, api, hashes) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        http.post(api + "auth/logout", timeout=60)


def server_read(server: dict[str, Any], probes: int = 3) -> tuple[float, int]:
    """(median seconds, bytes) of one torrents/info read of every torrent, straight to the server: the server's
    own time (serializing, sending over loopback), without decoding the JSON."""
    http, api = session(server)
    times, size = [], 0
    try:
        for _probe in range(probes):
            started = time.perf_counter()
            answer = http.get(api + "torrents/info", timeout=600)
            size = len(answer.content)
            times.append(time.perf_counter() - started)
    finally:
        http.post(api + "auth/logout", timeout=60)
    return round(statistics.median(times), 4), size


def main(argv: list[str] | None = None) -> int:
    """`populate --state DIR --versions sid --count N` (start, fill, stop), or `run --work DIR [--quick]`: the
    big-server scenario of bench/run --scale (scale_bench.py)."""
    import argparse  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("command", choices=["populate", "run"])
    parser.add_argument("--state", type=Path)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--versions", help="server versions (default: populate sid, run 4.5.2,sid)")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument(
        "--sizes", help="torrent counts of the big server, ascending (default 2000,10000,20000; --quick 500,2000)"
    )
    parser.add_argument("--reps", type=int, help="repetitions at the largest size (default 3, --quick 1)")
    args = parser.parse_args(argv)
    args.versions = args.versions or ("sid" if args.command == "populate" else "4.5.2,sid")
    if args.command == "run":
        if args.work is None:
            parser.error("run needs --work")
        import scale_bench  # noqa: PLC0415  (bench/scale_bench.py)

        return scale_bench.run(args)
    if args.state is None:
        parser.error("populate needs --state")
    with harness_servers(args.state.resolve(), args.versions.split(",")) as entries:
        for entry in entries.values():
            populate(entry, args.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
