# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The big-server scenario (issue 22), run by `bench/run --scale [--quick]`: what the collection costs on a server
holding 20,000 torrents, against the same tasks on a server holding only what they declare.

Per version, four loopback servers (tests/harness, profiles locked to loopback): BIG, filled by scale.populate() up
to each of the sizes in turn; SMALL-100 and SMALL-1000 holding exactly the torrents the idempotent tasks declare;
EMPTY for adding. At every size of BIG: the server's own time for one torrents/info read of everything, and the
task times of qbt_info (all torrents; with torrent_fields; with a filter selecting 100) and of idempotent
qbt_torrent tasks declaring 100 and 1,000 torrents by hash. At the largest size, interleaved in each repetition,
the same idempotent tasks on the small servers, adding 1,000 new magnets to BIG and to EMPTY, and the peak
memory (largest resident set of the playbook's processes) of the qbt_info reads in both executions. Task times
come from bench/callback_plugins/bench_tasks.py (the task's wall time, module start included); the ratios are
between medians of the same run. Writes OUT/scale-latest.{json,md}, docs/images/big-servers.png and the tables of
docs/performance.md's "Big servers" section.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import time
import types
from pathlib import Path
from typing import Any

import scale as S

import bench as B  # bench/bench.py: the Ansible environment and the process runner

PLOT = B.REPO / "docs" / "images" / "big-servers.png"
FIELDS = ["hash", "name", "state"]
TARGETS = {
    "idempotent_100": (
        "idem_100",
        1.3,
        "idempotent qbt_torrent declaring 100 by hash: big server <= 1.3x a server of 100",
    ),
    "idempotent_1000": ("idem_1000", 1.3, "the same with 1,000 (information; the issue's target is the 100 task)"),
    "add_1000": ("add", 1.5, "adding 1,000 new magnets in one task: big server <= 1.5x an empty server"),
}
RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[1:])\n"
    "print('BENCH_MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(rc)\n"
)


def log(message: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Runner:
    """Playbooks of generated tasks, each measured: per-task seconds (bench_tasks callback) and peak RSS."""

    def __init__(self, work: Path) -> None:
        self.work = work
        (work / "plays").mkdir(parents=True, exist_ok=True)
        (work / "raw").mkdir(parents=True, exist_ok=True)
        shim = types.SimpleNamespace(work=work, args=types.SimpleNamespace(collection=B.REPO))
        self.env = B.Bench._ansible_env(shim)  # noqa: SLF001  (the benchmark's own Ansible environment)
        self.switch, _choices = B.action_switch()
        self.playbook = str(Path(sys.executable).with_name("ansible-playbook"))
        self.count = 0
        self.failures: list[str] = []

    def run(self, name: str, tasks: list[dict[str, Any]], execution: str | None = None) -> dict[str, Any]:
        self.count += 1
        path = self.work / "plays" / f"{self.count:04d}-{name}.yml"
        path.write_text(json.dumps([{"name": name, "hosts": "localhost", "gather_facts": False, "tasks": tasks}]),
                        encoding="utf-8")  # fmt: skip
        tasks_file = self.work / "raw" / "tasks.json"
        tasks_file.unlink(missing_ok=True)
        argv = [sys.executable, "-c", RSS_WRAPPER, self.playbook, "-i", "localhost,", "-c", "local", str(path)]
        if execution and self.switch:
            argv += ["-e", f"{self.switch}={execution}"]
        env = dict(self.env, BENCH_TASKS_FILE=str(tasks_file), BENCH_PROXY_URL="")
        started = time.perf_counter()
        proc = B.run_child(argv, env, self.work)
        wall = time.perf_counter() - started
        rss = [line.split()[1] for line in proc.stderr.splitlines() if line.startswith("BENCH_MAXRSS ")]
        seconds = {}
        if tasks_file.is_file():
            seconds = {task["name"]: task["seconds"] for task in json.loads(tasks_file.read_text(encoding="utf-8"))}
        if proc.returncode != 0:
            log_file = self.work / "raw" / f"failed-{self.count:04d}-{name}.log"
            log_file.write_text(proc.stdout + proc.stderr, encoding="utf-8")
            self.failures.append(f"{name} (rc {proc.returncode}, {log_file})")
            log(f"FAILED {name}; output in {log_file}")
        return {"wall": round(wall, 3), "rss_mb": round(int(rss[-1]) / 1024, 1) if rss else None, "tasks": seconds}


def connection(server: dict[str, Any]) -> dict[str, Any]:
    # timeout is per HTTP call: one read of 20,000 torrents can take 4.5.2 longer than the default 15 s on a busy
    # machine (the first full run failed there)
    return {"url": server["url"], "username": server["username"], "password": server["password"], "timeout": 300}


def info_task(name: str, server: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {"name": name, "community.qbittorrent.qbt_info": dict(connection(server), gather_subset=["torrents"],
                                                                 **options)}  # fmt: skip


def torrent_task(name: str, server: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": name, "community.qbittorrent.qbt_torrent": dict(connection(server), torrents=items)}


def by_hash(count: int) -> list[dict[str, str]]:
    return [{"hash": S.info_hash(i)} for i in range(count)]


class Scale:
    def __init__(self, args: Any) -> None:
        self.args = args
        self.quick = args.quick
        self.sizes = [int(n) for n in (args.sizes or ("500,2000" if args.quick else "2000,10000,20000")).split(",")]
        self.reps = args.reps or (1 if args.quick else 3)
        self.idem = (100, 1000) if max(self.sizes) >= 1000 else (100,)
        self.add = 200 if args.quick else 1000
        self.versions = [v for v in args.versions.split(",") if v]
        self.runner = Runner(args.work)
        self.rows: list[dict[str, Any]] = []  # one per measurement
        self.added = 0

    def record(self, version: str, kind: str, size: int, seconds: float | None, **extra: Any) -> None:
        self.rows.append({"version": version, "kind": kind, "size": size, "seconds": seconds, **extra})

    def measure_size(self, version: str, big: dict[str, Any], size: int, rep: int) -> None:
        median, size_bytes = S.server_read(big)
        self.record(version, "server_read", size, median, bytes=size_bytes, rep=rep)
        # the full read costs the most by far: once per size (the memory part reads it twice more at the largest)
        tasks = [info_task("info_all", big)] if rep == 1 else []
        tasks += [
            info_task("info_fields", big, torrent_fields=FIELDS),
            info_task("info_filter_100", big, torrent_filters={"hashes": [S.info_hash(i) for i in range(100)]}),
        ] + [torrent_task(f"idem_{n}", big, by_hash(n)) for n in self.idem if n <= size]  # declared: on the server
        result = self.runner.run(f"{version}-big-{size}-r{rep}", tasks)
        for name, seconds in result["tasks"].items():
            self.record(version, name, size, seconds, rep=rep)

    def baselines(self, version: str, servers: dict[str, dict[str, Any]], size: int, rep: int) -> None:
        """At the largest size: the same idempotent tasks on the small servers, adding on BIG and EMPTY."""
        for n in self.idem:
            task = torrent_task(f"idem_{n}", servers[f"s{n}"], by_hash(n))
            result = self.runner.run(f"{version}-small-{n}-r{rep}", [task])
            self.record(version, f"idem_{n}", n, result["tasks"].get(f"idem_{n}"), rep=rep, baseline=True)
        for where in ("big", "empty"):
            self.added += 1
            prefix = f"add{self.added}"
            items = [{"source": S.magnet(i, prefix), "state": "stopped"} for i in range(self.add)]
            result = self.runner.run(f"{version}-add-{where}-r{rep}", [torrent_task("add", servers[where], items)])
            count = size if where == "big" else 0
            self.record(version, "add", count, result["tasks"].get("add"), rep=rep, baseline=where == "empty")
            S.remove(servers[where], [S.info_hash(i, prefix) for i in range(self.add)])

    def memory(self, version: str, big: dict[str, Any], size: int) -> None:
        executions = ["in_process", "module"] if self.runner.switch else [None]
        floor = self.runner.run(f"{version}-floor", [{"name": "floor", "ansible.builtin.debug": {"msg": "floor"}}])
        self.record(version, "rss_floor", size, None, rss_mb=floor["rss_mb"])
        for execution in executions:
            for name, task in (("info_all", info_task("info_all", big)),
                               ("info_fields", info_task("info_fields", big, torrent_fields=FIELDS))):  # fmt: skip
                result = self.runner.run(f"{version}-mem-{name}-{execution}", [task], execution)
                self.record(version, f"rss_{name}", size, result["tasks"].get(name), rss_mb=result["rss_mb"],
                            execution=execution or "module")  # fmt: skip

    def run(self) -> None:
        for version in self.versions:
            with contextlib.ExitStack() as stack:
                servers = {}
                for kind in ("big", "empty", *(f"s{n}" for n in self.idem)):
                    state = self.args.work / "state" / f"scale-{version}-{kind}"
                    servers[kind] = stack.enter_context(S.harness_servers(state, [version], proxies=False))[version]
                for n in self.idem:
                    S.populate(servers[f"s{n}"], n)
                for size in self.sizes:
                    S.populate(servers["big"], size)
                    last = size == self.sizes[-1]
                    for rep in range(1, (self.reps if last else 1) + 1):
                        log(f"{version}: {size} torrents, repetition {rep}")
                        self.measure_size(version, servers["big"], size, rep)
                        if last:
                            self.baselines(version, servers, size, rep)
                self.memory(version, servers["big"], self.sizes[-1])


# ------------------------------------------------------------------------------------------ the report
def median(rows: list[dict[str, Any]], key: str = "seconds") -> float | None:
    values = [row[key] for row in rows if row.get(key) is not None]
    return round(statistics.median(values), 3) if values else None


def pick(rows: list[dict[str, Any]], **match: Any) -> list[dict[str, Any]]:
    return [row for row in rows if all(row.get(k) == v for k, v in match.items())]


def verdicts(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows, out = result["rows"], []
    largest = max(result["sizes"])
    for version in result["versions"]:
        for target, (kind, limit, text) in TARGETS.items():
            full = median([r for r in pick(rows, version=version, kind=kind, size=largest) if not r.get("baseline")])
            base = median([r for r in pick(rows, version=version, kind=kind) if r.get("baseline")])
            ratio = round(full / base, 2) if full and base else None
            information = target == "idempotent_1000"
            verdict = "info" if information else ("PASS" if ratio is not None and ratio <= limit else "MISS")
            out.append({"version": version, "target": target, "text": text, "full": full, "base": base,
                        "ratio": ratio, "limit": limit, "verdict": verdict})  # fmt: skip
    return out


def markdown(result: dict[str, Any]) -> str:
    rows, sizes = result["rows"], result["sizes"]
    lines = [f"Measured {result['date']} with `{result['command']}` on {result['machine']}; load average "
             f"{result['load'][0]} at the start, {result['load'][1]} at the end. One run: compare ratios, not "
             "seconds, with other runs.", ""]  # fmt: skip
    for version in result["versions"]:
        lines += [f"#### {version} ({result['server_versions'].get(version, '')}): seconds against torrents on the "
                  "server", "", "| torrents | server read (MB) | qbt_info all | qbt_info torrent_fields | qbt_info "
                  "filter of 100 | " + " | ".join(f"idempotent {n} by hash" for n in result["idem"]) + " |",
                  "|---:|---:|---:|---:|---:|" + "---:|" * len(result["idem"])]  # fmt: skip
        for size in sizes:
            at = [r for r in pick(rows, version=version, size=size) if not r.get("baseline")]
            read = pick(at, kind="server_read")
            mb = round(read[0]["bytes"] / 1e6, 1) if read else "-"
            cells = [median(pick(at, kind=k)) for k in ("server_read", "info_all", "info_fields", "info_filter_100")]
            cells += [median(pick(at, kind=f"idem_{n}")) for n in result["idem"]]
            lines.append(f"| {size:,} | {cells[0]} ({mb}) | " + " | ".join(str(c) for c in cells[1:]) + " |")
        lines += ["", f"Peak memory on {version} with {max(sizes):,} torrents (largest resident set of the "
                  "playbook's processes, MB; a playbook with one debug task: "
                  f"{median(pick(rows, version=version, kind='rss_floor'), 'rss_mb')}):", "",
                  "| read | execution | seconds | peak MB |", "|---|---|---:|---:|"]  # fmt: skip
        for row in pick(rows, version=version):
            if row["kind"] in ("rss_info_all", "rss_info_fields"):
                what = (
                    "qbt_info all" if row["kind"] == "rss_info_all" else "qbt_info torrent_fields: " + ", ".join(FIELDS)
                )
                lines.append(f"| {what} | {row['execution']} | {row['seconds']} | {row['rss_mb']} |")
        lines.append("")
    lines += ["#### Targets", "", "| version | target | big server | baseline | ratio | verdict |",
              "|---|---|---:|---:|---:|---|"]  # fmt: skip
    for v in result["verdicts"]:
        lines.append(f"| {v['version']} | {v['text']} | {v['full']} | {v['base']} | {v['ratio']} | {v['verdict']} |")
    lines += ["", f"![Seconds against torrents on the server](images/{PLOT.name})", ""]
    return "\n".join(lines)


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib  # noqa: PLC0415  (bench/requirements.txt; bench/run --scale installs it)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    rows, sizes = result["rows"], result["sizes"]
    figure, axes = plt.subplots(1, len(result["versions"]), figsize=(6 * len(result["versions"]), 4.5), squeeze=False)
    series = [
        ("server_read", "server: torrents/info of all (baseline)", "k--"),
        ("info_all", "qbt_info all", "C0-o"),
        ("info_fields", "qbt_info torrent_fields", "C1-o"),
        ("info_filter_100", "qbt_info filter of 100", "C2-o"),
    ]
    series += [(f"idem_{n}", f"qbt_torrent idempotent, {n}", f"C{3 + i}-s") for i, n in enumerate(result["idem"])]
    for axis, version in zip(axes[0], result["versions"]):
        for kind, label, style in series:
            points = [(size, median([r for r in pick(rows, version=version, kind=kind, size=size)
                                     if not r.get("baseline")])) for size in sizes]  # fmt: skip
            points = [(x, y) for x, y in points if y is not None]
            if points:
                axis.plot([point[0] for point in points], [point[1] for point in points], style, label=label)
        axis.set_title(f"qBittorrent {version}")
        axis.set_xlabel("torrents on the server")
        axis.set_ylabel("seconds (task wall time; server: one read)")
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)


def run(args: Any) -> int:
    import datetime  # noqa: PLC0415
    import platform  # noqa: PLC0415

    args.work = args.work.resolve()
    scale = Scale(args)
    load = [B.loadavg()]
    started = time.perf_counter()
    scale.run()
    load.append(B.loadavg())
    versions = {}
    for state in sorted((args.work / "state").glob("scale-*-big")):
        with contextlib.suppress(OSError, KeyError, ValueError):
            entry = json.loads((state / "servers.json").read_text(encoding="utf-8"))["servers"][0]
            versions[state.name.split("-")[1]] = f"{entry['app_version']}, WebAPI {entry['webapi_version']}"
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "bench/run --scale" + (" --quick" if args.quick else ""),
        "machine": f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores, Python "
        f"{platform.python_version()}",
        "load": load,
        "seconds": round(time.perf_counter() - started),
        "versions": scale.versions,
        "server_versions": versions,
        "sizes": scale.sizes,
        "idem": list(scale.idem),
        "rows": scale.rows,
        "failures": scale.runner.failures,
    }
    result["verdicts"] = verdicts(result)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scale-latest.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    text = markdown(result)
    (args.out / "scale-latest.md").write_text("# Big servers\n\n" + text, encoding="utf-8")
    # a quick run's plot stays with its results; a full run's goes into the docs with its tables
    plot(result, args.out / "scale-quick.png" if args.quick else PLOT)
    B.update_docs_block(" --scale", text, smoke=args.quick)
    print(text)
    if scale.runner.failures:
        log(f"{len(scale.runner.failures)} playbook(s) failed: {'; '.join(scale.runner.failures)}")
        return 1
    return 0
