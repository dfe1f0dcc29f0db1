# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet benchmark (issue 22): examples/fleet/site.yml on N loopback servers at once, with --forks N.

Run it through `bench/run --fleet [--quick]`, which installs what it needs. Controller-only Python (3.11).

    python3 bench/fleet.py --work DIR [--quick] [--servers N] [--reps N] [--uri-reps N] [--sizes 1,5,10]

Two fleets, one after the other: N sid servers driven with API keys, and N servers of mixed versions (4.5.2, 5.1,
sid in turn) driven with passwords. Every server is started by tests/harness/qbt_harness.py (a fresh profile locked
to loopback before its first start) with the harness's counting proxy in front of it; every run goes through the
proxies, which count its requests. On each fleet: a converge run of site.yml, then, interleaved per repetition, its
idempotent re-run, the same play with every qbt task replaced by an ansible.builtin.debug task (the Ansible floor
for that many hosts and tasks) and bench/playbooks/fleet-uri.yml (the same work with ansible.builtin.uri loops).
With passwords, the servers' own login time is measured alone: the logins and logouts the play sent (counted by
the proxies) sent again from one Python process, one thread per server, all servers at once. On the API-key fleet
the same three plays also run on the first 1, 5, 10... servers (--limit, --forks of that size) for the plot.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
EXAMPLE = REPO / "examples" / "fleet"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO / "tests" / "harness"))
import qbt_harness as harness  # noqa: E402  (tests/harness/qbt_harness.py)

import bench as issue8  # noqa: E402  (bench/bench.py: run_child, proxy_call, is_write, stats)

FLEETS = {"api_key": ["sid"], "password": ["4.5.2", "5.1.0", "sid"]}
TOOLS = ("collection", "floor", "uri")
LABELS = {
    "collection": "collection (examples/fleet/site.yml)",
    "floor": "Ansible floor: the same play with debug tasks",
    "uri": "ansible.builtin.uri loops (bench/playbooks/fleet-uri.yml)",
}
# What the debug floor keeps of site.yml's registered results: the host variable qbt_floor_app holds the server's
# version, so the version-dependent task runs on the same hosts, and the last task prints the same message.
FLOOR_SUBSTITUTIONS = {
    "qbt_server.version.app": "qbt_floor_app",
    "qbt_state.version.app": "qbt_floor_app",
    "qbt_state.categories": "qbt_categories",
    "qbt_state.tags": "qbt_tags",
}
LOGIN_PROBES = 3
TARGETS = {
    "api_key_vs_floor": "idempotent fleet run with API keys <= 2x the debug floor",
    "password_vs_floor": "idempotent fleet run with passwords <= 2x the debug floor + the servers' own login time",
    "vs_uri": "idempotent fleet run >= 20x faster than the uri loops",
    "no_writes": "idempotent fleet runs change nothing and send no mutating request",
}
log = issue8.log


def floor_play(site: Path) -> str:
    """site.yml with every community.qbittorrent task replaced by an ansible.builtin.debug task printing its
    arguments: same hosts, same tasks, same conditions, same delegation, no server."""
    plays = yaml.safe_load(site.read_text(encoding="utf-8"))
    replaced = 0
    for play in plays:
        for task in play["tasks"]:
            module = next((key for key in task if key.startswith("community.qbittorrent.")), None)
            if module:
                # the same arguments, so the worker templates the same expressions as the qbt task does
                task["ansible.builtin.debug"] = {"msg": task.pop(module)}
                replaced += 1
    text = yaml.safe_dump(plays, sort_keys=False, width=1000)
    for old, new in FLOOR_SUBSTITUTIONS.items():
        text = text.replace(old, new)
    if not replaced or re.search(r"qbt_(server|state)\.", text):
        raise RuntimeError(f"{site} changed: the debug floor cannot be derived from it (see FLOOR_SUBSTITUTIONS)")
    return "---\n" + text


class Fleet:
    """N harness servers (each behind a counting proxy) listed in STATE/servers.json; stop() ends them."""

    def __init__(self, state: Path, versions: list[str], count: int) -> None:
        self.state = state
        state.mkdir(parents=True, exist_ok=True)
        builds = {version: harness.fetch_build(version) for version in set(versions)}
        password = secrets.token_urlsafe(18)
        servers = [
            # pylint: disable-next=protected-access  # the harness's own fresh, loopback-locked server
            harness._fresh_server(state, builds[versions[i % len(versions)]], f"fleet-{i + 1:02d}", password, None)
            for i in range(count)
        ]
        started = time.perf_counter()
        self.entries = harness._launch(servers, proxies=True)  # pylint: disable=protected-access
        self.start_seconds = time.perf_counter() - started
        listing = state / "servers.json"  # what `qbt_harness.py stop` (and bench/run's clean-up) reads
        listing.touch(mode=0o600)
        listing.write_text(json.dumps({"servers": self.entries, "tls": {}, "builds": {}}, indent=1), encoding="utf-8")

    def inventory(self, auth: str, path: Path) -> Path:
        hosts = {}
        for entry in self.entries:
            host = {"qbt_url": entry["proxy_url"], "qbt_floor_app": entry["app_version"]}
            if auth == "api_key":
                host["qbt_api_key"] = entry["api_key"]
            else:
                host.update(qbt_username=entry["username"], qbt_password=entry["password"])
            hosts[entry["name"]] = host
        path.touch(mode=0o600)
        path.write_text(json.dumps({"qbittorrent": {"hosts": hosts}}, indent=1), encoding="utf-8")
        return path

    def reset(self) -> None:
        for entry in self.entries:
            issue8.proxy_call(entry["proxy_url"], "reset", post=True)

    def counts(self, hosts: int) -> dict[str, dict[str, int]]:
        return {e["name"]: issue8.proxy_call(e["proxy_url"], "counts")["counts"] for e in self.entries[:hosts]}

    def stop(self) -> None:
        harness.stop_state(self.state)


def login_time(entries: list[dict[str, Any]], logins: dict[str, int]) -> float:
    """Seconds for every server to answer LOGINS[name] login/logout pairs, all servers at once (one thread each,
    a new connection per pair, as the play's tasks do): the servers' own share of a password run."""

    def one(entry: dict[str, Any], errors: list[str]) -> None:
        address = urlsplit(entry["url"])
        body = urlencode({"username": entry["username"], "password": entry["password"]})
        for _pair in range(logins.get(entry["name"], 0)):
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            connection.request("POST", "/api/v2/auth/login", body=body, headers=headers)
            answer = connection.getresponse()
            answer.read()
            cookie = answer.getheader("Set-Cookie")
            if not cookie:
                errors.append(f"{entry['name']}: login answered {answer.status} without a cookie")
                return
            connection.request("POST", "/api/v2/auth/logout", headers={"Cookie": cookie.split(";", 1)[0]})
            connection.getresponse().read()
            connection.close()

    errors: list[str] = []
    threads = [threading.Thread(target=one, args=(entry, errors)) for entry in entries]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError("; ".join(errors))
    return time.perf_counter() - started


class FleetBench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = args.work.resolve()
        self.runs: list[dict[str, Any]] = []
        self.fleets: dict[str, dict[str, Any]] = {}
        self.raw = self.work / "raw"
        self.raw.mkdir(parents=True, exist_ok=True)
        self.plays = self.work / "fleet-plays"
        self.ansible_playbook = str(Path(sys.executable).with_name("ansible-playbook"))
        self.env = self._env()
        self.loads = [issue8.loadavg()]

    def _env(self) -> dict[str, str]:
        collections = self.work / "collections" / "ansible_collections" / "community"
        collections.mkdir(parents=True, exist_ok=True)
        if not (collections / "qbittorrent").exists():
            (collections / "qbittorrent").symlink_to(REPO)
        env = {name: value for name, value in os.environ.items() if not name.startswith("ANSIBLE_")}
        env.update(
            ANSIBLE_COLLECTIONS_PATH=str(self.work / "collections"),
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_LOCALHOST_WARNING="false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
            ANSIBLE_RETRY_FILES_ENABLED="false",
            ANSIBLE_DEPRECATION_WARNINGS="false",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_LOCAL_TEMP=str(self.work / "ansible-local"),
            ANSIBLE_HOME=str(self.work / "ansible-home"),
            ANSIBLE_CONFIG=str(self.work / "fleet-ansible.cfg"),
        )
        (self.work / "fleet-ansible.cfg").write_text("[defaults]\n", encoding="utf-8")
        return env

    def prepare(self) -> None:
        """The three plays side by side with a copy of the example's group_vars, so all three read the same."""
        self.plays.mkdir(parents=True, exist_ok=True)
        shutil.copytree(EXAMPLE / "group_vars", self.plays / "group_vars", dirs_exist_ok=True)
        shutil.copy(EXAMPLE / "site.yml", self.plays / "collection.yml")
        shutil.copy(BENCH / "playbooks" / "fleet-uri.yml", self.plays / "uri.yml")
        (self.plays / "floor.yml").write_text(floor_play(EXAMPLE / "site.yml"), encoding="utf-8")

    def play(self, fleet: Fleet, inventory: Path, tool: str, hosts: int, record: dict[str, Any]) -> dict[str, Any]:
        """One ansible-playbook run of TOOL's play on the first HOSTS servers with --forks HOSTS."""
        argv = [self.ansible_playbook, "-i", str(inventory), "--forks", str(hosts), str(self.plays / f"{tool}.yml")]
        if hosts < len(fleet.entries):
            argv += ["--limit", ",".join(entry["name"] for entry in fleet.entries[:hosts])]
        fleet.reset()
        load = issue8.loadavg()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = issue8.run_child(argv, self.env, self.work)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        record = dict(record, tool=tool, hosts=hosts, wall=round(wall, 3), load=load, rc=proc.returncode)
        record["cpu"] = round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 3)
        recap = re.findall(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", proc.stdout, re.M)
        record["changed"] = sum(int(row[2]) for row in recap)
        record["failed"] = sum(int(row[3]) + int(row[4]) for row in recap) + (len(recap) != hosts)
        if tool != "floor":
            counts = fleet.counts(hosts)
            every = [n for host in counts.values() for n in host.values()]
            record["requests"] = sum(every)
            record["writes"] = sum(n for host in counts.values() for key, n in host.items() if issue8.is_write(key))
            record["logins"] = {name: host.get(issue8.LOGIN, 0) for name, host in counts.items()}
            record["logouts"] = {name: host.get(issue8.LOGOUT, 0) for name, host in counts.items()}
        self.runs.append(record)
        with open(self.raw / "fleet-runs.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        if proc.returncode or record["failed"]:
            name = f"{record['fleet']}-{tool}-{hosts}-{record['phase']}-{len(self.runs)}"
            (self.raw / f"failed-{name}.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
            log(f"FAILED {name} (rc {proc.returncode}); output in {self.raw}")
        log(f"{record['fleet']} {tool} {record['phase']} on {hosts}: {wall:.2f} s (changed {record['changed']})")
        return record

    def fleet(self, auth: str) -> None:
        count, versions = self.args.servers, FLEETS[auth]
        log(f"starting {count} servers ({', '.join(versions)}) for the {auth} fleet")
        fleet = Fleet(self.work / "state" / f"fleet-{auth}", versions, count)
        info = self.fleets[auth] = {"servers": count, "start_seconds": round(fleet.start_seconds, 1)}
        info["versions"] = sorted({entry["app_version"] for entry in fleet.entries})
        try:
            inventory = fleet.inventory(auth, self.work / f"fleet-{auth}.json")
            base = {"fleet": auth}
            self.play(fleet, inventory, "collection", count, dict(base, phase="converge", rep=0))
            for rep in range(1, self.args.reps + 1):
                for tool in TOOLS:
                    if tool != "uri" or (rep <= self.args.uri_reps and auth in self.args.uri_fleets):
                        self.play(fleet, inventory, tool, count, dict(base, phase="idempotent", rep=rep))
            if auth == "api_key":
                for size in [size for size in self.args.sizes if size < count]:
                    for tool in TOOLS:
                        self.play(fleet, inventory, tool, size, dict(base, phase="idempotent", rep=1))
            if auth == "password":
                mine = [r for r in self.runs if r["fleet"] == auth and r["tool"] == "collection"]
                logins = mine[-1]["logins"]
                info["logins_per_host"] = sorted(set(logins.values()))
                probes = [login_time(fleet.entries, logins) for _probe in range(LOGIN_PROBES)]
                info["login_seconds"] = issue8.stats(probes)
                log(f"the servers' own login time: {statistics.median(probes):.2f} s")
        finally:
            fleet.stop()
            self.loads.append(issue8.loadavg())


# ----------------------------------------------------------------------------------------- the report
def median(runs: list[dict[str, Any]], **match: Any) -> dict[str, float] | None:
    good = [r for r in runs if all(r.get(k) == v for k, v in match.items()) and not r["rc"] and not r["failed"]]
    return (
        issue8.stats([r["wall"] for r in good]) | {"cpu": statistics.median(r["cpu"] for r in good)} if good else None
    )


def evaluate(result: dict[str, Any]) -> list[dict[str, Any]]:
    runs, verdicts = result["runs"], []
    for auth, info in result["fleets"].items():
        n = info["servers"]
        mine = {tool: median(runs, fleet=auth, tool=tool, hosts=n, phase="idempotent") for tool in TOOLS}
        if not (mine["collection"] and mine["floor"]):
            verdicts.append({"target": "no_writes", "fleet": auth, "pass": False, "detail": "a run failed"})
            continue
        collection, floor = mine["collection"]["median"], mine["floor"]["median"]
        cpu = {tool: mine[tool]["cpu"] for tool in TOOLS if mine[tool]}
        cpu_ratio = f"cpu {cpu['collection']:.2f} s / {cpu['floor']:.2f} s = {cpu['collection'] / cpu['floor']:.2f}x"
        if auth == "api_key":
            limit = 2 * floor
            detail = (
                f"{collection:.2f} s against 2 x {floor:.2f} s = {limit:.2f} s ({collection / floor:.2f}x the floor)"
            )
            verdicts.append(
                {
                    "target": "api_key_vs_floor",
                    "fleet": auth,
                    "pass": collection <= limit,
                    "detail": f"{detail}; {cpu_ratio}",
                }
            )
        else:
            login = info["login_seconds"]["median"]
            limit = 2 * floor + login
            detail = (
                f"{collection:.2f} s against 2 x {floor:.2f} s + {login:.2f} s = {limit:.2f} s "
                f"({collection / floor:.2f}x the floor; {(collection - login) / floor:.2f}x without the logins); "
                f"{cpu_ratio} (the servers' work not counted)"
            )
            verdicts.append(
                {"target": "password_vs_floor", "fleet": auth, "pass": collection <= limit, "detail": detail}
            )
        if mine["uri"]:
            ratio, ceiling = mine["uri"]["median"] / collection, mine["uri"]["median"] / floor
            detail = (
                f"uri {mine['uri']['median']:.2f} s / collection {collection:.2f} s = {ratio:.1f}x "
                f"(uri / debug floor = {ceiling:.1f}x: a play costing no more than the floor would reach that); "
                f"cpu {cpu['uri']:.1f} s / {cpu['collection']:.2f} s = {cpu['uri'] / cpu['collection']:.1f}x "
                f"(uri / floor {cpu['uri'] / cpu['floor']:.1f}x)"
            )
            verdicts.append({"target": "vs_uri", "fleet": auth, "pass": ratio >= 20, "detail": detail})
        idem = [r for r in runs if r["fleet"] == auth and r["phase"] == "idempotent" and r["tool"] != "floor"]
        bad = [r for r in idem if r["changed"] or r["writes"]]
        detail = f"{len(idem)} idempotent collection and uri runs; changed or writing: {len(bad)}"
        verdicts.append({"target": "no_writes", "fleet": auth, "pass": not bad, "detail": detail})
    return verdicts


def fmt(summary: dict[str, float] | None) -> str:
    if not summary:
        return "failed"
    spread = f" ({summary['min']:.2f}-{summary['max']:.2f})" if summary["n"] > 1 else ""
    return f"{summary['median']:.2f}{spread}, cpu {summary['cpu']:.2f}"


def markdown(result: dict[str, Any]) -> str:
    runs, machine = result["runs"], result["machine"]
    lines = [
        "# Fleet benchmark results",
        "",
        f"Command: `{result['command']}` ({result['seconds'] / 60:.1f} min), finished {result['finished']}. "
        f"{result['reps']} repetition(s) of the collection and the floor, the uri loops {result['uri_reps']}; "
        "wall seconds: median (min-max) of the repetitions, and the median cpu (user + system of the run and every "
        "process it started). All from this one run.",
        "",
        f"Machine: {machine['cpus']} cores, load average {machine['load_start']} at the start, "
        f"{machine['load_end']} at the end, {machine['load_max']} at most (other work was running); "
        f"Python {machine['python']}, ansible-core {machine['ansible_core']}. Every request went through a counting "
        "proxy in front of its server; the collection ran in-process (the default on the controller).",
        "",
    ]
    for auth, info in result["fleets"].items():
        n = info["servers"]
        what = "sid servers with API keys" if auth == "api_key" else "servers of mixed versions with passwords"
        lines += [
            f"#### {n} {what} ({', '.join(info['versions'])}), `--forks {n}`",
            "",
            "| run | idempotent wall | requests | mutating | changed |",
            "|---|---|---|---|---|",
        ]
        converge = median(runs, fleet=auth, tool="collection", phase="converge")
        last_converge = [r for r in runs if r["fleet"] == auth and r["phase"] == "converge"]
        if last_converge:
            r = last_converge[-1]
            lines.append(
                f"| collection, converge run (once) | {fmt(converge)} | {r.get('requests', '')} | "
                f"{r.get('writes', '')} | {r['changed']} |"
            )
        for tool in TOOLS:
            mine = [r for r in runs if r["fleet"] == auth and r["tool"] == tool and r["hosts"] == n]
            mine = [r for r in mine if r["phase"] == "idempotent"]
            if not mine:
                continue
            last = mine[-1]
            lines.append(
                f"| {LABELS[tool]} | {fmt(median(runs, fleet=auth, tool=tool, hosts=n, phase='idempotent'))} | "
                f"{last.get('requests', '-')} | {last.get('writes', '-')} | {last['changed']} |"
            )
        if "login_seconds" in info:
            login = info["login_seconds"]
            lines.append(
                f"| the servers' own login time: {'/'.join(map(str, info['logins_per_host']))} login/logout pairs per "
                f"server, all {n} servers at once from one Python process | {login['median']:.2f} "
                f"({login['min']:.2f}-{login['max']:.2f}) | | | |"
            )
        lines.append("")
    sizes = sorted({r["hosts"] for r in runs if r["fleet"] == "api_key" and r["phase"] == "idempotent"})
    if len(sizes) > 1:
        lines += [
            "#### Time against the number of servers (API keys, `--forks` = servers, one run per point)",
            "",
            "| servers | " + " | ".join(LABELS[tool] for tool in TOOLS) + " | collection / floor | uri / collection |",
            "|---" * (len(TOOLS) + 3) + "|",
        ]
        for size in sizes:
            cells = {t: median(runs, fleet="api_key", tool=t, hosts=size, phase="idempotent") for t in TOOLS}
            ratios = ["-", "-"]
            if all(cells.values()):
                c, f, u = (cells[t]["median"] for t in TOOLS)
                ratios = [f"{c / f:.2f}x", f"{u / c:.1f}x"]
            lines.append(f"| {size} | " + " | ".join(fmt(cells[t]) for t in TOOLS) + f" | {' | '.join(ratios)} |")
        lines.append("")
    lines += ["#### Targets", "", "| target | fleet | verdict | measured |", "|---|---|---|---|"]
    for v in result["verdicts"]:
        lines.append(f"| {TARGETS[v['target']]} | {v['fleet']} | {'PASS' if v['pass'] else 'FAIL'} | {v['detail']} |")
    if result.get("plot"):
        lines += ["", f"![Time against the number of servers]({result['plot']})"]
    return "\n".join(lines) + "\n"


def plot(result: dict[str, Any], path: Path) -> bool:
    """Idempotent wall time against the number of servers (API-key fleet) for the three plays, as a PNG."""
    try:
        import matplotlib  # noqa: PLC0415  (bench/requirements.txt; only the plot needs it)

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        log("matplotlib is missing (bench/requirements.txt): no plot")
        return False
    runs = [r for r in result["runs"] if r["fleet"] == "api_key" and r["phase"] == "idempotent"]
    sizes = sorted({r["hosts"] for r in runs})
    figure, panels = plt.subplots(1, 2, figsize=(11, 4.5), dpi=110)
    for axes, field, what in zip(panels, ("median", "cpu"), ("wall seconds", "cpu seconds"), strict=True):
        for tool, style in zip(TOOLS, ("o-", "s--", "^-"), strict=True):
            points = [(n, median(runs, tool=tool, hosts=n)) for n in sizes]
            points = [(n, s[field]) for n, s in points if s]
            if points:
                axes.plot(*zip(*points, strict=True), style, label=LABELS[tool])
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.set_xlabel("servers (--forks = servers)")
        axes.set_ylabel(f"idempotent run, {what} (log scale)")
        axes.set_yscale("log")
        axes.grid(True, which="both", alpha=0.3)
    panels[0].legend(fontsize=8)
    figure.suptitle(
        f"examples/fleet/site.yml on sid servers with API keys; {result['machine']['cpus']} cores, "
        f"load average up to {result['machine']['load_max']}"
    )
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return True


def update_docs(result: dict[str, Any], smoke: bool) -> None:
    body = markdown(dict(result, plot="../bench/results/fleet.png" if result.get("plot") else None))
    issue8.update_docs_block(" --fleet", body.split("\n", 1)[1], smoke)


def write_results(bench: FleetBench, seconds: float, out: Path) -> dict[str, Any]:
    from ansible.release import __version__ as ansible_version  # noqa: PLC0415  (the venv's ansible-core)

    loads = bench.loads + [r["load"] for r in bench.runs]
    result: dict[str, Any] = {
        "finished": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": bench.args.command_line,
        "reps": bench.args.reps,
        "uri_reps": min(bench.args.uri_reps, bench.args.reps),
        "seconds": round(seconds, 1),
        "fleets": bench.fleets,
        "machine": {
            "cpus": os.cpu_count(),
            "load_start": bench.loads[0],
            "load_end": bench.loads[-1],
            "load_max": max(loads),
            "python": platform.python_version(),
            "ansible_core": ansible_version,
        },
        "runs": bench.runs,
    }
    result["verdicts"] = evaluate(result)
    out.mkdir(parents=True, exist_ok=True)
    result["plot"] = "fleet.png" if plot(result, out / "fleet.png") else None
    (out / "fleet.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    (out / "fleet.md").write_text(markdown(result), encoding="utf-8")
    if out.resolve() == (BENCH / "results").resolve():
        update_docs(result, bench.args.quick)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--work", type=Path, help="scratch folder (servers, plays, inventories); required to measure")
    parser.add_argument("--out", type=Path, default=BENCH / "results", help="where fleet.md, .json and .png go")
    parser.add_argument("--render", action="store_true", help="measure nothing: redo the report from OUT/fleet.json")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 2 servers, once, the uri loops on the API-key fleet only"
    )
    parser.add_argument("--servers", type=int, help="servers per fleet (default 20, --quick 2)")
    parser.add_argument("--reps", type=int, help="repetitions of the collection and the floor (default 3, --quick 1)")
    parser.add_argument("--uri-reps", type=int, default=1, help="repetitions of the slow uri loops (default 1)")
    parser.add_argument("--sizes", help="smaller fleets for the plot (default 1,5,10, --quick 1)")
    parser.add_argument("--fleets", default=",".join(FLEETS), help="which fleets (default %(default)s)")
    parser.add_argument("--uri-fleets", help="the fleets the uri loops run on (default: all, --quick api_key)")
    parser.add_argument("--command-line", default="bench/fleet.py", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.render:
        result = json.loads((args.out / "fleet.json").read_text(encoding="utf-8"))
        result["verdicts"] = evaluate(result)
        result["plot"] = "fleet.png" if plot(result, args.out / "fleet.png") else None
        (args.out / "fleet.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        (args.out / "fleet.md").write_text(markdown(result), encoding="utf-8")
        if args.out.resolve() == (BENCH / "results").resolve():
            update_docs(result, smoke=False)
        print(markdown(result))
        return 0
    if args.work is None:
        parser.error("--work is required to measure")
    args.servers = args.servers or (2 if args.quick else 20)
    args.reps = args.reps or (1 if args.quick else 3)
    args.sizes = [int(n) for n in (args.sizes or ("1" if args.quick else "1,5,10")).split(",") if n.strip()]
    fleets = [name.strip() for name in args.fleets.split(",") if name.strip()]
    args.uri_fleets = [n.strip() for n in (args.uri_fleets or ("api_key" if args.quick else args.fleets)).split(",")]
    if set(fleets + args.uri_fleets) - set(FLEETS):
        parser.error(f"--fleets, --uri-fleets: choose from {', '.join(FLEETS)}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = FleetBench(args)
    bench.prepare()
    started = time.perf_counter()
    for auth in fleets:
        bench.fleet(auth)
    result = write_results(bench, time.perf_counter() - started, args.out)
    print(markdown(result))
    failed = [r for r in bench.runs if r["rc"] or r["failed"]]
    if failed:
        log(f"{len(failed)} run(s) failed; see {bench.raw}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
