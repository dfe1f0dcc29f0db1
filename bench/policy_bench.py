# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qbt_torrent_policy on a big server (issue 20), run by `bench/run --policy`: an idempotent run of each task of
TASKS (five policies in mode all, four without the tracker message, the issue's example with a fifth policy in
first_match) on a server holding 20,000 torrents against the same task on a server holding 1,000, net of the
server's own time for the read of every torrent the module makes (measured alone, straight to the server).

Per version, two loopback servers (tests/harness, profiles locked to loopback) filled by scale.populate() with
stopped magnets that each carry one loopback tracker URL, so that on servers before 5.1 the per-torrent
torrents/trackers reads are really paid. The task is applied once (it tags every torrent), then repeated: the
repeats are measured (task wall time from bench/callback_plugins/bench_tasks.py, peak resident set of the
playbook's processes), and the counting proxy in front of each server proves that they send no write. One run:
compare the ratios, not the seconds, with other runs. Writes OUT/policy-latest.{json,md}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import scale as S
import scale_bench as SB

BIG, SMALL = 20_000, 1_000
TARGET = 3.0


def policies() -> list[dict[str, Any]]:
    """Five policies in the shapes of the issue's example: a tracker host, a category, a name, a rotation, and
    the tracker message of unregistered torrents."""
    return [
        {"name": "loopback tracker", "match": {"tracker_hosts": ["127.0.0.*"]}, "set": {"add_tags": ["bench"]}},
        {"name": "tv", "match": {"categories": ["bench-tv"]}, "set": {"seeding_time_limit": 20160}},
        {"name": "first ten", "match": {"name": "^scale-00000\\d$"}, "set": {"ratio_limit": 2.0}},
        {
            "name": "rotate",
            "match": {"tracker_hosts": ["127.0.0.1"]},
            "trackers": {
                "replace": [
                    {"regex": "^http://127\\.0\\.0\\.1:9/old/announce$", "replacement": "http://127.0.0.1:9/announce"}
                ]
            },
        },  # fmt: skip
        {"name": "unregistered", "match": {"tracker_message": "(?i)unregistered"}, "set": {"state": "absent"}},
    ]


def example() -> list[dict[str, Any]]:
    """The issue's example on loopback hosts (its first policy tags and limits, then tv, the rotation, the
    unregistered torrents), with the name policy fifth, in the default mode first_match."""
    first, tv, ten, rotate, unregistered = policies()
    first = dict(first, set={"add_tags": ["bench"], "ratio_limit": 2.0, "seeding_time_limit": 20160})
    return [first, tv, rotate, unregistered, ten]


# name: (policies, mode). The five policies with mode all; the same without the tracker-message policy (before 5.1
# no read lists the trackers' messages, so that policy alone reads the trackers of every torrent, one request
# each); the example as written, with first_match: its first policy takes every torrent here (each has a
# 127.0.0.1 tracker), so the later ones, the unregistered one too, need no read of their own.
TASKS = {
    "5 policies, mode all": (policies, "all"),
    "4 policies, no tracker message, mode all": (lambda: policies()[:4], "all"),
    "the issue's example + 1, first_match": (example, "first_match"),
}


def task(server: dict[str, Any], name: str, through_proxy: bool = False) -> dict[str, Any]:
    url = server["proxy_url"] if through_proxy else server["url"]
    chosen, mode = TASKS[name]
    options = dict(SB.connection(server), url=url, mode=mode, max_changes=100_000,
                   policies=chosen())  # fmt: skip
    return {"name": "policy", "community.qbittorrent.qbt_torrent_policy": options}


def proxy(server: dict[str, Any], what: str) -> dict[str, Any]:
    with urllib.request.urlopen(server["proxy_url"] + "__proxy__/" + what, timeout=60) as answer:  # noqa: S310
        return json.loads(answer.read() or b"{}")


def first_read(webapi: str) -> tuple[str, dict[str, Any] | None]:
    """The read of every torrent that the module makes: torrents/info with includeTrackers from 5.1, sync/maindata
    (which lists the tracker URLs) on 4.3 to 4.5, torrents/info otherwise."""
    version = tuple(int(x) for x in webapi.split(".")[:3])
    if version >= (2, 11, 4):
        return "torrents/info", {"includeTrackers": "true"}
    if (2, 6) <= version < (2, 9, 2):
        return "sync/maindata", {"rid": 0}
    return "torrents/info", None


def module_read(server: dict[str, Any], probes: int = 3) -> tuple[float, float]:
    """Median seconds of the read of every torrent the module makes (first_read), straight to the server, without
    decoding (the server's own time), and median seconds of decoding its answer with Python's json (the least
    that any module written in Python pays on top of the read)."""
    http, api = S.session(server)
    endpoint, params = first_read(server["webapi_version"])
    reads, decodes = [], []
    try:
        for _probe in range(probes):
            started = time.perf_counter()
            body = http.get(api + endpoint, params=params, timeout=600).content
            reads.append(time.perf_counter() - started)
            started = time.perf_counter()
            json.loads(body)
            decodes.append(time.perf_counter() - started)
    finally:
        http.post(api + "auth/logout", timeout=60)
    return statistics.median(reads), statistics.median(decodes)


def measure(runner: SB.Runner, version: str, server: dict[str, Any], size: int, reps: int, name: str) -> dict[str, Any]:
    """Apply the task NAME once, then REPS measured repeats straight to the server, one repeat as a module process
    (its peak memory), and one through the counting proxy (its writes: the loopback proxy's own time is not
    measured)."""
    tag = f"{version}-{size}-{list(TASKS).index(name)}"
    applied = runner.run(f"{tag}-apply", [task(server, name)])
    rows = []
    for rep in range(1, reps + 1):
        result = runner.run(f"{tag}-r{rep}", [task(server, name)])
        read, decode = module_read(server)
        seconds = result["tasks"].get("policy")
        rows.append({"seconds": seconds, "rss_mb": result["rss_mb"], "read": read, "decode": decode})
    module = runner.run(f"{tag}-module", [task(server, name)], "module") if runner.switch else None
    proxy(server, "reset")
    runner.run(f"{tag}-counted", [task(server, name, through_proxy=True)])
    counts = proxy(server, "counts")
    return {
        "apply_seconds": applied["tasks"].get("policy"),
        "task": statistics.median(r["seconds"] for r in rows if r["seconds"] is not None),
        "read": statistics.median(r["read"] for r in rows),
        "decode": statistics.median(r["decode"] for r in rows),
        "rss_mb": max(r["rss_mb"] or 0 for r in rows),
        "rss_mb_module": module["rss_mb"] if module else None,
        "writes": counts.get("writes"),
        "reads": {k: v for k, v in (counts.get("counts") or {}).items() if k.startswith("GET")},
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=S.BENCH / "results")
    parser.add_argument("--versions", default="4.5.2,sid")
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--sizes", default=f"{SMALL},{BIG}", help="the small and the big server (smoke: 50,500)")
    parser.add_argument(
        "--tasks",
        default=",".join(str(n) for n in range(len(TASKS))),
        help="which tasks, by number, for every version or per version ('0,1,2;4.5.2=1,2'): "
        + "; ".join(f"{n} {name}" for n, name in enumerate(TASKS)),
    )
    args = parser.parse_args(argv)
    args.work = args.work.resolve()
    small, big = (int(n) for n in args.sizes.split(","))
    runner = SB.Runner(args.work)
    picks = dict(part.split("=", 1) if "=" in part else ("", part) for part in args.tasks.split(";"))
    load = [SB.B.loadavg()]
    results: dict[str, Any] = {}
    for version in [v for v in args.versions.split(",") if v]:
        with contextlib.ExitStack() as stack:
            servers = {}
            for size in (small, big):
                state = args.work / "state" / f"policy-{version}-{size}"
                servers[size] = stack.enter_context(S.harness_servers(state, [version]))[version]
                S.populate(servers[size], size)
            numbers = picks.get(version, picks.get("", "")).split(",")
            results[version] = {
                name: {size: measure(runner, version, servers[size], size, args.reps, name) for size in servers}
                for number, name in enumerate(TASKS)
                if str(number) in numbers
            }
            results[version]["server"] = f"{servers[big]['app_version']}, WebAPI {servers[big]['webapi_version']}"
    load.append(SB.B.loadavg())
    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `bench/run --policy`; load average "
             f"{load[0]} at the start, {load[1]} at the end. One run: compare ratios, not seconds, with other runs.",
             "", "| version | task | torrents | task (s) | server read (s) | task net of the read (s) | "
             "decoding the read (s) | peak MB in-process | peak MB module | reads of a repeat | writes of a repeat |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"]  # fmt: skip
    verdicts = []
    for version, found in results.items():
        for name in [name for name in TASKS if name in found]:
            sizes = found[name]
            for size in (small, big):
                r = sizes[size]
                r["net"] = r["task"] - r["read"]
                reads = ", ".join(f"{n} {k[4:]}" for k, n in sorted(r["reads"].items()))
                lines.append(f"| {version} ({found['server']}) | {name} | {size:,} | {r['task']:.2f} | "
                             f"{r['read']:.3f} | {r['net']:.2f} | {r['decode']:.3f} | {r['rss_mb']} | "
                             f"{r['rss_mb_module']} | {reads} | {r['writes']} |")  # fmt: skip
            ratio = sizes[big]["net"] / sizes[small]["net"]
            # a module that did nothing at BIG beyond the small task's work but decode the bigger answer
            floor = (sizes[small]["net"] + sizes[big]["decode"] - sizes[small]["decode"]) / sizes[small]["net"]
            verdict = "PASS" if ratio <= TARGET and sizes[big]["writes"] == 0 else "MISS"
            if min(sizes[small]["net"], sizes[big]["net"]) <= 0:
                verdict = "no verdict: the server's read varied more than the task's own work"
            verdicts.append(f"| {version} | {name} | {ratio:.2f} | {floor:.2f} | {TARGET:g} | {verdict} |")
    lines += ["", f"| version | task | {big:,} / {small:,} (net of the read) | the same for decoding alone | target "
              "| verdict |", "|---|---|---:|---:|---:|---|", *verdicts]  # fmt: skip
    text = "\n".join(lines)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "policy-latest.json").write_text(json.dumps({"results": results, "load": load,
                                                             "failures": runner.failures}, indent=1, default=str),
                                                 encoding="utf-8")  # fmt: skip
    (args.out / "policy-latest.md").write_text("# qbt_torrent_policy on a big server\n\n" + text + "\n",
                                               encoding="utf-8")  # fmt: skip
    if not runner.failures:  # a smoke run (other sizes, one repeat) leaves the recorded numbers alone
        SB.B.update_docs_block(" --policy", text, smoke=(small, big) != (SMALL, BIG) or args.reps < 2)
    print(text)
    if runner.failures:
        print("failed: " + "; ".join(runner.failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
