# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark of community.qbittorrent (issue 8): the collection against hand-written uri tasks, the HTTP floor
and the Ansible floor, on real loopback servers, with every request counted by a proxy.

Run it through bench/run, which installs what it needs. This driver is controller-only Python (3.11).

    python3 bench/bench.py --work DIR [--quick] [--reps N] [--uri-reps N] [--uri-sample PERCENT]
                           [--versions 4.5.2,sid] [--sizes 10,100,1000] [--parts floors,password,...]

Every converge runs on a fresh server started by tests/harness/qbt_harness.py (profiles locked to loopback) with
the counting proxy of tests/harness/loopback_proxy.py in front of it; idempotent and --check runs follow on the
converged server. Repetitions are interleaved (each repetition measures everything once), so a change in the
machine's load hits every variant alike; ratios are taken between medians of the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
HARNESS = REPO / "tests" / "harness" / "qbt_harness.py"
PLAYBOOKS = BENCH / "playbooks"
sys.path.insert(0, str(REPO / "tests" / "harness"))
import torrents as torrent_files  # noqa: E402  (tests/harness/torrents.py)

# ----------------------------------------------------------------------------------------- the scenario
N_CATEGORIES = 200
N_TAGS = 50
N_TORRENTS = 100
TORRENT_SIZE = 16 * 1024  # one piece: the server checks it at once
# 40 preferences that exist on 4.5.2 and 5.3, differ from the defaults, and change nothing about the network, the
# WebUI or the loopback lock (no DHT/LSD/PeX/UPnP, ports, interfaces, proxy, WebUI address or credentials), and
# no coupled pairs, so one setPreferences per key (the uri baseline) reaches the same end state.
PREFERENCES: dict[str, Any] = {
    "dl_limit": 10485760,
    "up_limit": 2097152,
    "alt_dl_limit": 5242880,
    "alt_up_limit": 1048576,
    "max_connec": 400,
    "max_connec_per_torrent": 80,
    "max_uploads": 16,
    "max_uploads_per_torrent": 5,
    "max_active_downloads": 4,
    "max_active_torrents": 8,
    "max_active_uploads": 4,
    "max_active_checking_torrents": 2,
    "preallocate_all": True,
    "incomplete_files_ext": True,
    "announce_to_all_tiers": False,
    "announce_to_all_trackers": True,
    "async_io_threads": 8,
    "checking_memory_use": 64,
    "connection_speed": 20,
    "dont_count_slow_torrents": True,
    "slow_torrent_dl_rate_threshold": 4,
    "slow_torrent_ul_rate_threshold": 4,
    "slow_torrent_inactive_timer": 120,
    "limit_lan_peers": False,
    "limit_tcp_overhead": True,
    "limit_utp_rate": False,
    "max_concurrent_http_announces": 40,
    "recheck_completed_torrents": True,
    "refresh_interval": 2000,
    "request_queue_size": 400,
    "save_resume_data_interval": 30,
    "send_buffer_low_watermark": 20,
    "send_buffer_watermark": 600,
    "send_buffer_watermark_factor": 60,
    "socket_backlog_size": 40,
    "upload_choking_algorithm": 0,
    "upload_slots_behavior": 1,
    "rss_refresh_interval": 60,
    "rss_max_articles_per_feed": 100,
    "mail_notification_email": "bench@example.invalid",
}
SCENARIO_TASKS = 4  # collection.yml: categories, tags, preferences, torrents
PER_TASK_K = 8  # tasks in the per-task cost playbooks
# What one idempotent qbt_tag task of the per-task plays sends (the scenario's per-task table shows it through the
# proxy): the server's share of a task is these requests timed alone, SERVER_PROBES times, over a new connection.
TAG_TASK_REQUESTS = {
    "password": (
        ("POST", "auth/login"),
        ("GET", "app/webapiVersion"),
        ("GET", "torrents/tags"),
        ("POST", "auth/logout"),
    ),
    "api_key": (("GET", "app/webapiVersion"), ("GET", "torrents/tags")),
}
SERVER_PROBES = 9
LOGIN, LOGOUT = "POST auth/login", "POST auth/logout"
COLLECTION = "ansible_collections.community.qbittorrent"
IMPORT_MODULES = ("ansible.modules.ping", "qbt_tag", "qbt_category", "qbt_preferences", "qbt_torrent")
BUSY_STATES = ("checking", "allocating", "moving", "queuedForChecking")
PARTS = ("floors", "password", "api_key", "http_floor", "uri", "torrents")

# ----------------------------------------------------------------------------------------- targets
TARGETS = {
    "idempotent_writes": "idempotent re-run (and --check): zero mutating requests",
    "requests_per_task": "idempotent: <= 4 requests per task with password login, <= 2 with an API key",
    "read_back": "a changed run adds at most one read-back per task",
    "vs_ansible_floor": "idempotent wall time <= 1.5x the Ansible floor (ping, same number of tasks)",
    "vs_uri": "idempotent wall time >= 30x faster than the uri baseline's re-run",
    "scaling": "1000-torrent idempotent run <= 2x the 10-torrent run",
    "logins": "logins == logouts in every password run, zero logins in every API-key run",
    "per_task": "per-task cost of a qbt task (module start, imports, client setup: the task's time without the "
    "server's answers) <= 1.5x a ping task, in-process (the default) and as a module",
    "vs_debug": "in-process idempotent scenario against the same number of debug tasks (information)",
    "vs_distinct": "module execution against 4 different builtin modules, each with its own payload (information)",
    "vs_http_floor": "idempotent scenario against the HTTP floor's idempotent run (information)",
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def stats(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "n": len(values),
    }


def is_write(key: str) -> bool:
    """The proxy's definition of a mutating request: a POST other than login and logout."""
    return key.startswith("POST ") and key not in (LOGIN, LOGOUT)


def action_switch() -> tuple[str | None, tuple[str, ...]]:
    """(the variable that forces module execution, its in-process value) from plugins/plugin_utils/_action.py."""
    source = REPO / "plugins" / "plugin_utils" / "_action.py"
    if not source.is_file() or not (REPO / "plugins" / "action").is_dir():
        return None, ()
    text = source.read_text(encoding="utf-8")
    switch = re.search(r'^SWITCH\s*=\s*"([^"]+)"', text, re.M)
    choices = re.search(r"^CHOICES\s*=\s*\(([^)]*)\)", text, re.M)
    if not switch or not choices:
        return None, ()
    return switch.group(1), tuple(re.findall(r'"([^"]+)"', choices.group(1)))


# ----------------------------------------------------------------------------------------- servers
class Servers:
    """One harness start (a fresh server per version, each behind a counting proxy); stop() ends them."""

    count = 0

    def __init__(self, bench: Bench, versions: list[str]) -> None:
        Servers.count += 1
        self.bench = bench
        self.state = bench.work / "state" / f"s{Servers.count:03d}"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(HARNESS), "start", "--state", str(self.state), "--versions", ",".join(versions),
             "--proxies"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=bench.work,
        )  # fmt: skip
        bench.startup_seconds.append(time.perf_counter() - started)
        listing = json.loads((self.state / "servers.json").read_text(encoding="utf-8"))
        by_name = {entry["name"]: entry for entry in listing["servers"]}
        self.entries = {version: by_name[f"qbt_{version.replace('.', '_')}"] for version in versions}
        for version, entry in self.entries.items():
            bench.server_versions.setdefault(version, (entry["app_version"], entry["webapi_version"]))

    def stop(self) -> None:
        subprocess.run(
            [sys.executable, str(HARNESS), "stop", "--state", str(self.state)],
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        shutil.rmtree(self.state, ignore_errors=True)

    def connection(self, version: str, auth: str, direct: bool = False) -> Path:
        """A vars file with the connection of VERSION's server (through its proxy unless DIRECT)."""
        entry = self.entries[version]
        url = entry["url"] + "/" if direct else entry["proxy_url"]
        if auth == "api_key":
            data = {"qbt_url": url, "qbt_api_key": entry["api_key"]}
        else:
            data = {"qbt_url": url, "qbt_username": entry["username"], "qbt_password": entry["password"]}
        path = self.state / f"conn-{version}-{auth}{'-direct' if direct else ''}.json"
        path.touch(mode=0o600)
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    def proxy(self, version: str) -> str:
        return self.entries[version]["proxy_url"]

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def end_state(entry: dict[str, Any], declared: dict[str, Any], hashes: dict[str, str]) -> list[str]:
    """What differs between VERSION's server and the declared scenario, read straight from the server (so the proxy
    does not count it); [] when the server holds everything declared."""
    import requests  # noqa: PLC0415  (the venv has it; only needed here)

    api = entry["url"] + "/api/v2/"
    session = requests.Session()
    session.trust_env = False
    session.post(api + "auth/login", data={"username": entry["username"], "password": entry["password"]}, timeout=30)
    problems = []
    try:
        if declared.get("qbt_categories"):
            have = session.get(api + "torrents/categories", timeout=30).json()
            for item in declared["qbt_categories"]:
                path = (have.get(item["name"]) or {}).get("savePath", "").rstrip("/")
                if item["name"] not in have or path != item["save_path"].rstrip("/"):
                    problems.append(f"category {item['name']}")
        if declared.get("qbt_tags"):
            tags = set(session.get(api + "torrents/tags", timeout=30).json())
            problems += [f"tag {tag}" for tag in declared["qbt_tags"] if tag not in tags]
        if declared.get("qbt_preferences"):
            prefs = session.get(api + "app/preferences", timeout=30).json()
            problems += [
                f"preference {k}={prefs.get(k)!r}" for k, v in declared["qbt_preferences"].items() if prefs.get(k) != v
            ]
        if declared.get("qbt_torrents"):
            # Let the server finish checking the new torrents' data first, so the next run meets a quiet server.
            deadline = time.monotonic() + 60
            while True:
                info = {t["hash"]: t for t in session.get(api + "torrents/info", timeout=60).json()}
                busy = [t for t in info.values() if t.get("state", "").startswith(BUSY_STATES)]
                if not busy or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            for item in declared["qbt_torrents"]:
                torrent = info.get(hashes[item["source"]])
                if torrent is None:
                    problems.append(f"torrent {Path(item['source']).name} missing")
                elif torrent.get("category", "") != item.get("category", torrent.get("category", "")) or any(
                    tag not in torrent.get("tags", "").split(", ") for tag in item.get("tags", [])
                ):
                    problems.append(f"torrent {Path(item['source']).name} category/tags")
    finally:
        session.post(api + "auth/logout", timeout=30)
    return problems


def run_child(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """subprocess.run in a process group of its own, which is killed whole if the driver is interrupted."""
    with subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    ) as proc:
        try:
            stdout, stderr = proc.communicate()
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
    return subprocess.CompletedProcess(argv, proc.returncode, stdout, stderr)


def compile_ms(names: list[str], root: Path) -> float:
    """Milliseconds to compile these modules of the collection at ROOT from source (best of 3)."""
    total = 0.0
    for name in set(names):
        path = root / Path(*name.split(".")[3:]).with_suffix(".py")
        if not path.is_file():
            continue
        source = path.read_bytes()
        best = min(_timed(lambda: compile(source, str(path), "exec")) for attempt in range(3))  # noqa: B023
        total += best
    return round(total * 1000, 1)


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def server_share(entry: dict[str, Any], auth: str) -> float:
    """Median seconds the requests of one qbt_tag task take, sent alone from this process over a new connection:
    the server's answers (with a password, qBittorrent's PBKDF2 check of it) plus the least client work."""
    address = urlsplit(entry["url"])
    times = []
    for _probe in range(SERVER_PROBES):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        headers = {"Authorization": f"Bearer {entry['api_key']}"} if auth == "api_key" else {}
        started = time.perf_counter()
        for method, endpoint in TAG_TASK_REQUESTS[auth]:
            body, sent = None, dict(headers)
            if endpoint == "auth/login":
                body = urlencode({"username": entry["username"], "password": entry["password"]})
                sent["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, f"/api/v2/{endpoint}", body=body, headers=sent)
            response = connection.getresponse()
            response.read()
            cookie = response.getheader("Set-Cookie")
            if endpoint == "auth/login" and not cookie:
                raise RuntimeError(f"the server's-share probe could not log in to {entry['url']} ({response.status})")
            if response.status >= 400:
                raise RuntimeError(f"the server's-share probe got {response.status} for {method} {endpoint}")
            if cookie:
                headers["Cookie"] = cookie.split(";", 1)[0]
        times.append(time.perf_counter() - started)
        connection.close()
    return round(statistics.median(times), 4)


def proxy_call(url: str, path: str, post: bool = False) -> dict[str, Any]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url + "__proxy__/" + path, data=b"" if post else None)
    with opener.open(request, timeout=10) as answer:
        return json.load(answer)


# ----------------------------------------------------------------------------------------- the benchmark
class Bench:  # pylint: disable=too-many-instance-attributes
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = args.work.resolve()
        self.versions = args.versions
        self.sizes = args.sizes
        self.runs: list[dict[str, Any]] = []
        self.startup_seconds: list[float] = []
        self.server_versions: dict[str, tuple[str, str]] = {}
        self.switch, choices = action_switch()
        self.executions = ["in_process", "module"] if self.switch and "in_process" in choices else ["module"]
        self.raw = self.work / "raw"
        self.raw.mkdir(parents=True, exist_ok=True)
        self.vars = self.work / "vars"
        self.vars.mkdir(parents=True, exist_ok=True)
        self.ansible_playbook = str(Path(sys.executable).with_name("ansible-playbook"))
        self.env = self._ansible_env()

    # ------------------------------------------------------------------ preparation
    def _ansible_env(self) -> dict[str, str]:
        collections = self.work / "collections" / "ansible_collections" / "community"
        collections.mkdir(parents=True, exist_ok=True)
        link = collections / "qbittorrent"
        if not link.exists():
            link.symlink_to(self.args.collection.resolve())
        env = dict(os.environ)
        for name in [n for n in env if n.startswith("ANSIBLE_")]:
            del env[name]
        env.update(
            ANSIBLE_COLLECTIONS_PATH=str(self.work / "collections"),
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_CALLBACK_PLUGINS=str(BENCH / "callback_plugins"),
            ANSIBLE_CALLBACKS_ENABLED="bench_tasks",
            ANSIBLE_LOCALHOST_WARNING="false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
            ANSIBLE_RETRY_FILES_ENABLED="false",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_LOCAL_TEMP=str(self.work / "ansible-local"),
            ANSIBLE_REMOTE_TMP=str(self.work / "ansible-remote"),
            ANSIBLE_HOME=str(self.work / "ansible-home"),
            ANSIBLE_CONFIG=str(self.work / "ansible.cfg"),
        )
        (self.work / "ansible.cfg").write_text("[defaults]\n", encoding="utf-8")
        return env

    def prepare(self) -> None:
        """Torrents, data and vars files; the floor playbooks."""
        data, torrent_dir = self.work / "data", self.work / "torrents"
        count = max([N_TORRENTS, *self.sizes])
        log(f"building {count} torrents of {TORRENT_SIZE // 1024} KiB (no trackers)")
        made = [
            torrent_files.make(data, torrent_dir, f"bench-{i:04d}", size=TORRENT_SIZE, seed="bench")
            for i in range(count)
        ]
        hashes = {item["torrent"]: item["v1"] for item in made}
        (self.vars / "hashes.json").write_text(json.dumps(hashes), encoding="utf-8")
        scenario = {
            "qbt_categories": [
                {"name": f"bench-cat-{i:03d}", "save_path": str(data / f"cat-{i:03d}")} for i in range(N_CATEGORIES)
            ],
            "qbt_tags": [f"bench-tag-{i:03d}" for i in range(N_TAGS)],
            "qbt_preferences": PREFERENCES,
            "qbt_torrents": [
                {
                    "source": item["torrent"],
                    "save_path": str(data),
                    "category": f"bench-cat-{i % 5:03d}",
                    "tags": ["bench-tag-000"],
                }
                for i, item in enumerate(made[:N_TORRENTS])
            ],
        }
        # uri.yml adds the torrents by magnet link (see its comment); the collection ignores this variable.
        scenario["qbt_magnets"] = {
            item["torrent"]: f"magnet:?xt=urn:btih:{item['v1']}&dn={item['name']}" for item in made[:N_TORRENTS]
        }
        (self.vars / "scenario.json").write_text(json.dumps(scenario), encoding="utf-8")
        self.uri_vars = self.vars / "scenario.json"
        if self.args.uri_sample < 100:
            # A sample of every list for the uri baseline (quick mode): its time is extrapolated per item.
            def cut(items):
                return items[: max(1, len(items) * self.args.uri_sample // 100)]

            sample = {key: cut(value) for key, value in scenario.items() if isinstance(value, list)}
            sample["qbt_preferences"] = dict(cut(list(PREFERENCES.items())))
            sample["qbt_magnets"] = scenario["qbt_magnets"]
            self.uri_vars = self.vars / "scenario-sample.json"
            self.uri_vars.write_text(json.dumps(sample), encoding="utf-8")
        for size in self.sizes:
            items = [{"source": item["torrent"], "save_path": str(data)} for item in made[:size]]
            (self.vars / f"torrents-{size}.json").write_text(json.dumps({"qbt_torrents": items}), encoding="utf-8")
        head = "---\n- name: Floor\n  hosts: localhost\n  gather_facts: false\n  tasks:"
        floors = {
            "empty": " []\n",
            "ping-4": "\n" + "    - name: Ping\n      ansible.builtin.ping:\n" * SCENARIO_TASKS,
            "ping-1": "\n    - name: Ping\n      ansible.builtin.ping:\n",
            "debug-4": "\n" + "    - name: Debug\n      ansible.builtin.debug:\n        msg: floor\n" * SCENARIO_TASKS,
            f"ping-{PER_TASK_K}": "\n" + "    - name: Ping\n      ansible.builtin.ping:\n" * PER_TASK_K,
            # Four different modules, as the scenario has: each needs its own AnsiballZ payload built.
            "distinct-4": "\n    - name: Ping\n      ansible.builtin.ping:\n"
            "    - name: Stat\n      ansible.builtin.stat:\n        path: /\n"
            f"    - name: Slurp\n      ansible.builtin.slurp:\n        src: {self.vars / 'hashes.json'}\n"
            f"    - name: Find\n      ansible.builtin.find:\n        paths: {self.vars}\n",
        }
        credentials = {
            "password": '        username: "{{ qbt_username }}"\n        password: "{{ qbt_password }}"\n',
            "api_key": '        api_key: "{{ qbt_api_key }}"\n',
        }
        for auth, lines in credentials.items():
            tag_task = (
                '    - name: One tag\n      community.qbittorrent.qbt_tag:\n        url: "{{ qbt_url }}"\n'
                + lines
                + "        tags: [bench-tag-000]\n"
            )
            floors[f"qbt_tag-{auth}-{PER_TASK_K}"] = "\n" + tag_task * PER_TASK_K
        for name, tasks in floors.items():
            (self.work / f"{name}.yml").write_text(head + tasks, encoding="utf-8")

    # ------------------------------------------------------------------ one measured run
    def playbook(
        self,
        playbook: Path,
        record: dict[str, Any],
        extra: list[Path] = (),
        execution: str | None = None,
        check: bool = False,
        proxy: str | None = None,
    ) -> dict[str, Any]:
        """Run one playbook and record wall time, CPU time, the proxy's counts and the per-task numbers."""
        argv = [self.ansible_playbook, "-i", "localhost,", "-c", "local", str(playbook)]
        for path in extra:
            argv += ["-e", f"@{path}"]
        if execution and self.switch:
            argv += ["-e", f"{self.switch}={execution}"]
        if check:
            argv.append("--check")
        tasks_file = self.raw / "tasks.json"
        tasks_file.unlink(missing_ok=True)
        env = dict(self.env, BENCH_TASKS_FILE=str(tasks_file), BENCH_PROXY_URL=proxy or "")
        return self._measure(argv, env, record, proxy, tasks_file)

    def process(self, argv: list[str], record: dict[str, Any], proxy: str | None = None) -> dict[str, Any]:
        return self._measure(argv, dict(self.env), record, proxy, None)

    def _measure(
        self, argv: list[str], env: dict[str, str], record: dict[str, Any], proxy: str | None, tasks_file: Path | None
    ) -> dict[str, Any]:
        if proxy:
            proxy_call(proxy, "reset", post=True)
        load = loadavg()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = run_child(argv, env, self.work)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        record = dict(record, wall=round(wall, 4), load=load, rc=proc.returncode)
        record["cpu"] = round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 4)
        if proxy:
            counts = proxy_call(proxy, "counts")["counts"]
            record["requests"] = counts
            record["total"] = sum(counts.values())
            record["writes"] = sum(n for key, n in counts.items() if is_write(key))
            record["logins"], record["logouts"] = counts.get(LOGIN, 0), counts.get(LOGOUT, 0)
        recap = re.search(r"ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", proc.stdout)
        if recap:
            record["changed_tasks"] = int(recap.group(2))
            record["failed_tasks"] = int(recap.group(4))
        if tasks_file is not None and tasks_file.is_file():
            record["tasks"] = json.loads(tasks_file.read_text(encoding="utf-8"))
        self.runs.append(record)
        with open(self.raw / "runs.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        if proc.returncode != 0 or (recap and int(recap.group(4))):
            name = "-".join(str(record.get(k)) for k in ("scenario", "version", "tool", "auth", "execution", "phase"))
            (self.raw / f"failed-{len(self.runs)}-{name}.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
            log(f"FAILED run {name} (rc {proc.returncode}); output in {self.raw}")
        return record

    def verify(self, servers: Servers, version: str, vars_file: Path) -> None:
        """Prove the converge run reached the declared end state; recorded on the run just measured."""
        declared = json.loads(vars_file.read_text(encoding="utf-8"))
        hashes = json.loads((self.vars / "hashes.json").read_text(encoding="utf-8"))
        problems = end_state(servers.entries[version], declared, hashes)
        self.runs[-1]["end_state"] = problems[:20] + ([f"... {len(problems) - 20} more"] if len(problems) > 20 else [])
        if problems:
            log(f"end state differs after {self.runs[-1]['tool']} converge on {version}: {', '.join(problems[:5])}")

    # ------------------------------------------------------------------ the parts of one repetition
    def floors(self, rep: int) -> None:
        """The Ansible floors: empty play, ping and debug tasks (no server)."""
        for name in ("empty", "ping-1", "ping-4", "debug-4", "distinct-4", f"ping-{PER_TASK_K}"):
            tool, tasks = name.split("-") if "-" in name else (name, "")
            self.playbook(
                self.work / f"{name}.yml",
                {"scenario": "floor", "tool": tool, "tasks_count": int(tasks or 0), "phase": "run", "rep": rep},
            )

    def collection(self, rep: int, auth: str, versions: list[str], per_task: bool = False) -> None:
        """Converge on a fresh server (first execution), then the idempotent re-run and --check in every execution."""
        with Servers(self, versions) as servers:
            for version in versions:
                conn, proxy = servers.connection(version, auth), servers.proxy(version)
                base = {"scenario": "scenario", "version": version, "tool": "collection", "auth": auth, "rep": rep,
                        "tasks_count": SCENARIO_TASKS}  # fmt: skip
                extra = [conn, self.vars / "scenario.json"]
                first = self.executions[0]
                self.playbook(PLAYBOOKS / "collection.yml", dict(base, phase="converge", execution=first), extra,
                              first, False, proxy)  # fmt: skip
                self.verify(servers, version, self.vars / "scenario.json")
                for phase, check in (("idempotent", False), ("check", True)):
                    for execution in self.executions:
                        record = dict(base, phase=phase, execution=execution)
                        self.playbook(PLAYBOOKS / "collection.yml", record, extra, execution, check, proxy)
                if per_task and version == versions[-1]:
                    self.per_task(rep, version, servers)

    def per_task(self, rep: int, version: str, servers: Servers) -> None:
        """PER_TASK_K qbt_tag tasks straight to the server, in both executions: with a password each task logs in,
        reads and logs out; with an API key (5.2+) it reads the version and the tags."""
        auths = ["password"] + (["api_key"] if servers.entries[version].get("api_key") else [])
        for auth, execution in [(auth, execution) for auth in auths for execution in self.executions]:
            self.playbook(
                self.work / f"qbt_tag-{auth}-{PER_TASK_K}.yml",
                {"scenario": "per_task", "version": version, "tool": "qbt_tag", "execution": execution, "auth": auth,
                 "phase": "idempotent", "rep": rep, "tasks_count": PER_TASK_K,
                 "server_seconds": server_share(servers.entries[version], auth)},
                [servers.connection(version, auth, direct=True)], execution,
            )  # fmt: skip

    def uri(self, rep: int) -> None:
        with Servers(self, self.versions) as servers:
            for version in self.versions:
                conn, proxy = servers.connection(version, "password"), servers.proxy(version)
                base = {"scenario": "scenario", "version": version, "tool": "uri", "auth": "password", "rep": rep,
                        "tasks_count": 6, "uri_items": self.uri_items(self.uri_vars),
                        "uri_full_items": self.uri_items(self.vars / "scenario.json")}  # fmt: skip
                for phase in ("converge", "idempotent"):
                    self.playbook(
                        PLAYBOOKS / "uri.yml", dict(base, phase=phase), [conn, self.uri_vars], None, False, proxy
                    )
                    if phase == "converge":
                        self.verify(servers, version, self.uri_vars)

    @staticmethod
    def uri_items(vars_file: Path) -> int:
        """Loop iterations of uri.yml for a vars file: one per category, tag, preference and torrent."""
        declared = json.loads(vars_file.read_text(encoding="utf-8"))
        return sum(
            len(declared.get(key, ())) for key in ("qbt_categories", "qbt_tags", "qbt_preferences", "qbt_torrents")
        )

    def http_floor(self, rep: int) -> None:
        with Servers(self, self.versions) as servers:
            for version in self.versions:
                conn, proxy = servers.connection(version, "password"), servers.proxy(version)
                argv = [sys.executable, str(BENCH / "http_floor.py"), str(conn), str(self.vars / "scenario.json"),
                        str(self.vars / "hashes.json")]  # fmt: skip
                base = {"scenario": "scenario", "version": version, "tool": "http_floor", "auth": "password",
                        "rep": rep}  # fmt: skip
                for phase in ("converge", "idempotent"):
                    self.process(argv, dict(base, phase=phase), proxy)
                    if phase == "converge":
                        self.verify(servers, version, self.vars / "scenario.json")

    def scaling(self, rep: int, size: int) -> None:
        """The torrent part alone: converge (first execution), then idempotent and --check in every execution."""
        with Servers(self, self.versions) as servers:
            for version in self.versions:
                conn, proxy = servers.connection(version, "password"), servers.proxy(version)
                base = {"scenario": f"torrents-{size}", "size": size, "version": version, "tool": "collection",
                        "auth": "password", "rep": rep, "tasks_count": 1}  # fmt: skip
                extra = [conn, self.vars / f"torrents-{size}.json"]
                first = self.executions[0]
                record = dict(base, phase="converge", execution=first)
                self.playbook(PLAYBOOKS / "torrents.yml", record, extra, first, False, proxy)
                self.verify(servers, version, self.vars / f"torrents-{size}.json")
                for phase, check in (("idempotent", False), ("check", True)):
                    for execution in self.executions:
                        record = dict(base, phase=phase, execution=execution)
                        self.playbook(PLAYBOOKS / "torrents.yml", record, extra, execution, check, proxy)

    def import_times(self, rep: int) -> None:
        """python -X importtime of what a module process imports: ansible.module_utils.basic, then the module.

        Split into basic, requests (with urllib3, charset detection, idna...), packaging and the collection's own
        files; plus the time to compile the collection's files from source, which a module process pays on every run
        (the AnsiballZ zip holds no bytecode).
        """
        env = dict(self.env, PYTHONPATH=str(self.work / "collections"), PYTHONDONTWRITEBYTECODE="1")
        for module in IMPORT_MODULES:
            fqn = module if module.startswith("ansible.") else f"{COLLECTION}.plugins.modules.{module}"
            proc = subprocess.run(
                [sys.executable, "-X", "importtime", "-c", f"import ansible.module_utils.basic; import {fqn}"],
                env=env, cwd=self.work, capture_output=True, text=True, check=False,
            )  # fmt: skip
            rows = []
            for line in proc.stderr.splitlines():
                match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
                if match:
                    rows.append((int(match.group(2)) / 1000, len(match.group(3)) // 2, match.group(4)))
            if proc.returncode != 0 or not rows:
                log(f"importtime of {module} failed: {proc.stderr[-300:]}")
                continue

            def cumulative(name: str, rows: tuple = tuple(rows)) -> float:
                return max((ms for ms, _depth, n in rows if n == name), default=0.0)

            own = [n for _ms, _depth, n in rows if n.startswith(COLLECTION + ".plugins.")]
            record = {
                "scenario": "imports", "tool": module, "phase": "import", "rep": rep, "rc": 0,
                "basic_ms": cumulative("ansible.module_utils.basic"),
                "module_ms": cumulative(fqn),
                "requests_ms": cumulative("requests"),
                "packaging_ms": max(cumulative("packaging.version"), cumulative("packaging")),
                "collection_compile_ms": compile_ms(own, self.args.collection),
            }  # fmt: skip
            record["collection_ms"] = max(0.0, record["module_ms"] - record["requests_ms"] - record["packaging_ms"])
            record["payload_build_ms"] = self.payload_build_ms(module)
            if module.startswith("ansible."):
                record.update(requests_ms=0.0, packaging_ms=0.0, collection_ms=0.0)
            self.runs.append(record)

    def payload_build_ms(self, module: str) -> float:
        """What the controller spends building the module's AnsiballZ payload, once per run and distinct module."""
        fqcn = (
            "ansible.builtin." + module.rpartition(".")[2]
            if module.startswith("ansible.")
            else f"community.qbittorrent.{module}"
        )
        proc = subprocess.run(
            [sys.executable, str(BENCH / "ansiballz_build.py"), str(self.work / "collections"), fqcn],
            env=self.env, cwd=self.work, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            log(f"building the payload of {module} failed: {proc.stderr[-300:]}")
            return 0.0
        return json.loads(proc.stdout)["ms"]

    # ------------------------------------------------------------------ the whole run
    def run(self) -> None:
        started = time.perf_counter()
        self.loads = [loadavg()]
        api_key_versions = [v for v in self.versions if v not in ("4.5.2", "5.1.0")]
        parts = self.args.parts
        for rep in range(1, self.args.reps + 1):
            log(f"repetition {rep}/{self.args.reps} (load {loadavg()})")
            if "floors" in parts:
                self.floors(rep)
                self.import_times(rep)
            if "password" in parts:
                self.collection(rep, "password", self.versions, per_task=True)
            if "api_key" in parts and api_key_versions:
                self.collection(rep, "api_key", api_key_versions)
            if "http_floor" in parts:
                self.http_floor(rep)
            if "uri" in parts and rep <= self.args.uri_reps:
                self.uri(rep)
            if "torrents" in parts:
                for size in self.sizes:
                    self.scaling(rep, size)
            self.loads.append(loadavg())
        self.seconds = time.perf_counter() - started


# ----------------------------------------------------------------------------------------- the report
def group_runs(runs: list[dict[str, Any]]) -> dict[tuple, list[dict[str, Any]]]:
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for run in runs:
        groups.setdefault(tuple(run.get(k) for k in KEY), []).append(run)
    return groups


KEY = ("scenario", "version", "tool", "auth", "execution", "phase", "tasks_count")


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians (min, max) of one variant's runs; request counts of its last good run (they do not vary)."""
    ok = [run for run in runs if run["rc"] == 0 and not run.get("failed_tasks")]
    last = ok[-1] if ok else runs[-1]
    summary: dict[str, Any] = {key: last.get(key) for key in KEY}
    summary.update(
        wall=stats([run["wall"] for run in ok]),
        cpu=stats([run["cpu"] for run in ok]),
        failures=len(runs) - len(ok),
        end_state=[problem for run in runs for problem in run.get("end_state", [])][:20],
        verified=any("end_state" in run for run in runs),
    )
    for name in ("uri_items", "uri_full_items"):
        if name in last:
            summary[name] = last[name]
    if "server_seconds" in last:
        summary["server_seconds"] = round(statistics.median(run["server_seconds"] for run in runs), 4)
    if "requests" in last:
        summary.update(
            requests=last["requests"],
            total=last["total"],
            totals_seen=sorted({run["total"] for run in ok}),
            writes=max((run["writes"] for run in ok), default=None),
            logins=max((run["logins"] for run in ok), default=None),
            logouts=max((run["logouts"] for run in ok), default=None),
            logins_equal_logouts=all(run["logins"] == run["logouts"] for run in ok),
        )
    if "changed_tasks" in last:
        summary["changed_tasks"] = last["changed_tasks"]
    if last.get("tasks") and ok:
        per_task = []
        for index, task in enumerate(last["tasks"]):
            requests = task.get("requests", {})
            seconds = [run["tasks"][index]["seconds"] for run in ok if len(run.get("tasks", [])) > index]
            read_backs = sorted({run["tasks"][index].get("read_back", 0) for run in ok if len(run["tasks"]) > index})
            per_task.append(
                {
                    "action": task["action"].rpartition(".")[2],
                    "seconds": round(statistics.median(seconds), 3),
                    "requests": sum(requests.values()),
                    "writes": sum(n for key, n in requests.items() if is_write(key)),
                    "by_endpoint": requests,
                    "read_back": max(read_backs),
                    "read_backs_seen": read_backs,
                    "changed": task["changed"],
                }
            )
        summary["per_task"] = per_task
    return summary


IMPORT_FIELDS = (
    "basic_ms",
    "requests_ms",
    "packaging_ms",
    "collection_ms",
    "collection_compile_ms",
    "module_ms",
    "payload_build_ms",
)


def summarize_imports(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per module, the median of every import-time field (milliseconds)."""
    result: dict[str, dict[str, float]] = {}
    for module in IMPORT_MODULES:
        mine = [run for run in runs if run["tool"] == module]
        if mine:
            result[module] = {f: round(statistics.median(run[f] for run in mine), 1) for f in IMPORT_FIELDS}
            result[module]["n"] = len(mine)
    return result


class Index:
    """The summaries of one run, found by their fields."""

    def __init__(self, summaries: list[dict[str, Any]]) -> None:
        self.summaries = summaries

    def find(self, **match: Any) -> dict[str, Any] | None:
        for summary in self.summaries:
            if all(summary.get(k) == v for k, v in match.items()):
                return summary
        return None

    def median(self, **match: Any) -> float | None:
        summary = self.find(**match)
        return summary["wall"]["median"] if summary and summary["wall"] else None

    def select(self, **match: Any) -> list[dict[str, Any]]:
        return [s for s in self.summaries if all(s.get(k) == v for k, v in match.items())]


def uri_wall(index: Index, version: str, phase: str) -> tuple[float | None, bool]:
    """The uri baseline's median wall time for the whole scenario, and whether it was extrapolated from a sample:
    the empty play's time plus the per-item time scaled to every item."""
    uri = index.find(scenario="scenario", version=version, tool="uri", phase=phase)
    if not uri or not uri["wall"]:
        return None, False
    wall = uri["wall"]["median"]
    if uri.get("uri_items") == uri.get("uri_full_items"):
        return wall, False
    empty = index.median(scenario="floor", tool="empty") or 0.0
    return empty + (wall - empty) * uri["uri_full_items"] / uri["uri_items"], True


def evaluate(result: dict[str, Any]) -> list[dict[str, Any]]:  # pylint: disable=too-many-locals,too-many-branches
    """One verdict per target and variant. Timing targets use medians of the same run."""
    index = Index(result["summaries"])
    verdicts: list[dict[str, Any]] = []

    def verdict(target: str, passed: bool | None, detail: str, **where: Any) -> None:
        status = "info" if passed is None else ("PASS" if passed else "FAIL")
        verdicts.append({"target": target, "status": status, "detail": detail, **where})

    collection = index.select(tool="collection")
    empty = index.median(scenario="floor", tool="empty")

    checked = [s for s in collection if s["phase"] in ("idempotent", "check")]
    bad = [s for s in checked if s.get("writes")]
    verdict(
        "idempotent_writes",
        not bad if checked else None,
        f"{len(checked)} idempotent and --check variants; with writes: "
        + (
            ", ".join(f"{s['scenario']} {s['version']} {s['execution']} {s['phase']}: {s['writes']}" for s in bad)
            or "none"
        ),
    )

    for s in [s for s in collection if s["phase"] == "idempotent" and s.get("per_task")]:
        limit = 2 if s["auth"] == "api_key" else 4
        over = [t for t in s["per_task"] if t["requests"] > limit]
        detail = ", ".join(f"{t['action']} {t['requests']}" for t in s["per_task"]) + f" (limit {limit})"
        if over:
            detail += "; over: " + "; ".join(
                f"{t['action']}: " + ", ".join(f"{k} x{n}" for k, n in sorted(t["by_endpoint"].items())) for t in over
            )
        where = {k: s[k] for k in ("scenario", "version", "auth", "execution")}
        verdict("requests_per_task", not over, detail, **where)

    for s in [s for s in collection if s["phase"] == "converge" and s.get("per_task")]:
        verdict(
            "read_back",
            all(t["read_back"] <= 1 for t in s["per_task"]),
            "reads after the first write, per task (most seen): "
            + ", ".join(f"{t['action']} {t['read_back']}" for t in s["per_task"]),
            **{k: s[k] for k in ("scenario", "version", "auth", "execution")},
        )

    for s in [s for s in collection if s["phase"] == "idempotent" and s["auth"] == "password" and s["wall"]]:
        where = {k: s[k] for k in ("scenario", "version", "execution")}
        floor = index.median(scenario="floor", tool="ping", tasks_count=s["tasks_count"])
        if floor:
            ratio = s["wall"]["median"] / floor
            main_scenario = s["scenario"] == "scenario"
            verdict(
                "vs_ansible_floor",
                ratio <= 1.5 if main_scenario else None,
                f"{s['wall']['median']:.2f} s vs {floor:.2f} s for {s['tasks_count']} ping task(s): {ratio:.2f}x"
                + ("" if main_scenario else " (the torrent part alone, for information)"),
                **where,
            )
        if s["scenario"] == "scenario":
            uri, estimated = uri_wall(index, s["version"], "idempotent")
            if uri:
                speedup = uri / s["wall"]["median"]
                verdict(
                    "vs_uri",
                    speedup >= 30,
                    f"uri re-run {'~' if estimated else ''}{uri:.1f} s vs {s['wall']['median']:.2f} s: "
                    f"{speedup:.0f}x faster" + (" (uri extrapolated from a sample)" if estimated else ""),
                    **where,
                )

    for version in result["versions"]:
        for execution in result["executions"]:
            small = index.median(scenario="torrents-10", version=version, execution=execution, phase="idempotent")
            large = index.median(scenario="torrents-1000", version=version, execution=execution, phase="idempotent")
            if small and large:
                verdict(
                    "scaling",
                    large <= 2 * small,
                    f"1000: {large:.2f} s, 10: {small:.2f} s ({large / small:.2f}x)",
                    version=version,
                    execution=execution,
                )

    password = [s for s in index.summaries if s.get("auth") == "password" and "logins" in s]
    keyed = [s for s in index.summaries if s.get("auth") == "api_key" and "logins" in s]
    unequal = [s for s in password if not s["logins_equal_logouts"]]
    with_login = [s for s in keyed if s["logins"]]
    verdict(
        "logins",
        not unequal and not with_login if password or keyed else None,
        f"{len(password)} password variants, {len(unequal)} with logins != logouts; {len(keyed)} API-key variants, "
        f"{len(with_login)} with a login",
    )

    ping_k = index.median(scenario="floor", tool="ping", tasks_count=PER_TASK_K)
    for s in index.select(scenario="per_task"):
        if empty is None or ping_k is None or not s["wall"]:
            continue
        qbt, ping = (s["wall"]["median"] - empty) / PER_TASK_K, (ping_k - empty) / PER_TASK_K
        server = s.get("server_seconds", 0.0)
        own = qbt - server
        verdict(
            "per_task",
            own <= 1.5 * ping,
            f"qbt_tag {qbt:.3f} s per task, of which {server:.3f} s the server's answers: {own:.3f} s its own, "
            f"ping {ping:.3f} s: {own / ping:.2f}x ({qbt / ping:.2f}x with the server's answers)",
            version=s["version"],
            auth=s["auth"],
            execution=s["execution"],
        )

    for s in index.select(scenario="scenario", tool="collection", phase="idempotent"):
        floor = index.median(scenario="scenario", version=s["version"], tool="http_floor", phase="idempotent")
        if floor and s["wall"]:
            verdict(
                "vs_http_floor",
                None,
                f"{s['wall']['median']:.2f} s vs {floor:.2f} s for one Python process: "
                f"{s['wall']['median'] / floor:.1f}x",
                version=s["version"],
                auth=s["auth"],
                execution=s["execution"],
            )

    distinct = index.median(scenario="floor", tool="distinct", tasks_count=SCENARIO_TASKS)
    for s in index.select(scenario="scenario", tool="collection", phase="idempotent", execution="module"):
        if distinct and s["wall"]:
            verdict(
                "vs_distinct",
                None,
                f"{s['wall']['median']:.2f} s vs {distinct:.2f} s for ping, stat, slurp and find: "
                f"{s['wall']['median'] / distinct:.2f}x",
                version=s["version"],
                auth=s["auth"],
                execution=s["execution"],
            )

    debug = index.median(scenario="floor", tool="debug", tasks_count=SCENARIO_TASKS)
    for s in index.select(scenario="scenario", tool="collection", phase="idempotent", execution="in_process"):
        if debug and s["wall"]:
            verdict(
                "vs_debug",
                None,
                f"{s['wall']['median']:.2f} s vs {debug:.2f} s for {SCENARIO_TASKS} debug tasks: "
                f"{s['wall']['median'] / debug:.2f}x",
                version=s["version"],
                auth=s["auth"],
                execution=s["execution"],
            )
    return verdicts


def fmt_wall(summary: dict[str, Any] | None, cpu: bool = False) -> str:
    if not summary or not summary.get("wall"):
        return "-"
    wall = summary["wall"]
    text = f"{wall['median']:.2f} ({wall['min']:.2f}-{wall['max']:.2f})"
    if cpu and summary.get("cpu"):
        text += f", cpu {summary['cpu']['median']:.2f}"
    return text


def fmt_requests(summary: dict[str, Any] | None) -> str:
    if not summary or "requests" not in summary:
        return "-"
    reads = summary["total"] - summary["writes"] - summary["logins"] - summary["logouts"]
    text = f"{summary['total']} (w {summary['writes']}, r {reads}, in/out {summary['logins']}/{summary['logouts']})"
    if len(summary.get("totals_seen", [])) > 1:
        text += f", varied {summary['totals_seen']}"
    return text


def fmt_end_state(summary: dict[str, Any] | None) -> str:
    if not summary or not summary.get("verified"):
        return "-"
    return "ok" if not summary["end_state"] else "DIFFERS: " + ", ".join(summary["end_state"][:3])


LABELS = {
    "collection": "collection",
    "uri": "uri tasks (baseline 1)",
    "http_floor": "HTTP floor: one Python process (baseline 2)",
}


def markdown(result: dict[str, Any]) -> str:  # pylint: disable=too-many-locals,too-many-statements
    index = Index(result["summaries"])
    machine = result["machine"]
    lines = [
        f"# Benchmark results ({result['finished']})",
        "",
        f"Command: `{result['command']}` ({result['seconds'] / 60:.1f} min). Repetitions: {result['reps']}, the uri "
        f"baseline {result['uri_reps']}"
        + (
            f" on a {result['uri_sample']}% sample of every list, extrapolated per item"
            if result["uri_sample"] < 100
            else ""
        )
        + ". Wall times in seconds: median (min-max) over the repetitions; cpu is the median user+system time of "
        "the run and every process it started, which a busy machine disturbs less than wall time.",
        "",
        f"Machine: {machine['cpus']} cores, load average {machine['load_start']} at the start, {machine['load_end']} "
        f"at the end, {machine['load_max']} at most (other work was running); Python {machine['python']}, ansible-core "
        f"{machine['ansible_core']}. Servers: "
        + ", ".join(f"{v} = qBittorrent {a} (WebAPI {w})" for v, (a, w) in result["servers"].items())
        + f"; the collection runs {' and '.join(result['executions'])}"
        + (f" (variable {result['switch']})" if result["switch"] else "")
        + ".",
        "",
        "Requests are counted by the proxy in front of each server: total (w mutating, r reads, in/out "
        "logins/logouts). End state: read back from the server after every converge run.",
        "",
    ]
    for version in result["versions"]:
        lines += [
            f"## Scenario on {version}: {N_CATEGORIES} categories, {N_TAGS} tags, {len(PREFERENCES)} preferences, "
            f"{N_TORRENTS} torrents",
            "",
            "| run | converge | idempotent | --check | requests: converge | requests: idempotent | end state |",
            "|---|---|---|---|---|---|---|",
        ]
        variants = []
        for summary in index.select(scenario="scenario", version=version):
            variant = {k: summary[k] for k in ("scenario", "version", "tool", "auth", "execution")}
            if variant not in variants:
                variants.append(variant)
        for match in variants:
            conv, idem = index.find(**match, phase="converge"), index.find(**match, phase="idempotent")
            check = index.find(**match, phase="check")
            s = conv or idem
            label = LABELS[s["tool"]] + (f", {s['auth']}, {s['execution']}" if s["tool"] == "collection" else "")
            if s.get("uri_items") and s["uri_items"] != s.get("uri_full_items"):
                label += f" ({s['uri_items']} of {s['uri_full_items']} items)"
            lines.append(
                f"| {label} | {fmt_wall(conv, True)} | {fmt_wall(idem, True)} | {fmt_wall(check, True)} | "
                f"{fmt_requests(conv)} | {fmt_requests(idem)} | {fmt_end_state(conv)} |"
            )
        for tool in ("ping", "debug", "distinct"):
            floor = index.find(scenario="floor", tool=tool, tasks_count=SCENARIO_TASKS)
            if floor:
                label = f"Ansible floor: {SCENARIO_TASKS} {tool} tasks (baseline 3)"
                if tool == "distinct":
                    label = "Ansible floor: ping, stat, slurp, find (4 different modules)"
                lines.append(f"| {label} | | {fmt_wall(floor, True)} | | | | |")
        lines.append("")
        per_task = [
            s for s in index.select(scenario="scenario", version=version, tool="collection") if s.get("per_task")
        ]
        if per_task:
            actions = [t["action"] for t in per_task[0]["per_task"]]
            lines += [
                "Per task: median seconds from the task's start to the next task's, and the requests the proxy saw.",
                "",
                "| run | phase | " + " | ".join(actions) + " |",
                "|---|---|" + "---|" * len(actions),
            ]
            for s in per_task:
                cells = " | ".join(f"{t['seconds']:.2f} s, {t['requests']} req" for t in s["per_task"])
                lines.append(f"| {s['auth']}, {s['execution']} | {s['phase']} | {cells} |")
            lines.append("")
    lines += [
        "## The torrent part alone (one qbt_torrent task)",
        "",
        "| version | torrents | execution | converge | idempotent | --check | requests: converge | "
        "requests: idempotent | end state |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for version in result["versions"]:
        for size in result["sizes"]:
            for execution in result["executions"]:
                match = {"scenario": f"torrents-{size}", "version": version, "execution": execution}
                conv, idem = index.find(**match, phase="converge"), index.find(**match, phase="idempotent")
                check = index.find(**match, phase="check")
                if idem:
                    lines.append(
                        f"| {version} | {size} | {execution} | {fmt_wall(conv, True)} | {fmt_wall(idem, True)} | "
                        f"{fmt_wall(check, True)} | {fmt_requests(conv)} | {fmt_requests(idem)} | "
                        f"{fmt_end_state(conv)} |"
                    )
    ping1 = index.find(scenario="floor", tool="ping", tasks_count=1)
    lines += ["", f"Ansible floor for one task (ping): {fmt_wall(ping1, True)}.", ""]
    empty = index.find(scenario="floor", tool="empty")
    lines += [
        "## Per-task cost",
        "",
        f"A play of {PER_TASK_K} identical qbt_tag tasks straight to the server (with a password each logs in, reads "
        "the WebAPI version and the tags and logs out; with an API key it reads the version, which proves the key, "
        f"and the tags) against a play of {PER_TASK_K} ping tasks; per task = (play - empty play) / {PER_TASK_K}. "
        "The server's answers: the same requests sent alone from one Python process over a new connection, median "
        f"of {SERVER_PROBES} in every repetition (with a password most of it is qBittorrent's PBKDF2 check); the "
        "task's own cost is the rest.",
        "",
        "| play | wall | per task | of which the server's answers | the task's own cost |",
        "|---|---|---|---|---|",
    ]
    for s in [
        empty,
        index.find(scenario="floor", tool="ping", tasks_count=PER_TASK_K),
        *index.select(scenario="per_task"),
    ]:
        if not s or not s.get("wall"):
            continue
        name = "empty play" if s is empty else f"{s['tool']} x{s['tasks_count']}"
        if s["scenario"] == "per_task":
            name += f" ({s['version']}, {s['auth']}, {s['execution']})"
        if s is empty or not empty:
            lines.append(f"| {name} | {fmt_wall(s, True)} | - | | |")
            continue
        cost = (s["wall"]["median"] - empty["wall"]["median"]) / PER_TASK_K
        if "server_seconds" in s:
            server = s["server_seconds"]
            lines.append(f"| {name} | {fmt_wall(s, True)} | {cost:.3f} | {server:.3f} | {cost - server:.3f} |")
        else:
            lines.append(f"| {name} | {fmt_wall(s, True)} | {cost:.3f} | | |")
    if result.get("imports"):
        lines += [
            "",
            "## Import time of a module process",
            "",
            "`python -X importtime -c 'import ansible.module_utils.basic; import <module>'`, median milliseconds "
            "(cumulative). A module process also compiles the collection's files from source on every run (the "
            "AnsiballZ zip holds no bytecode). Last column: what the controller spends building the module's AnsiballZ "
            "payload (`bench/ansiballz_build.py`, a fresh process each), once per playbook run and distinct module.",
            "",
            "| module | ansible.module_utils.basic | the module beyond basic | of which requests | of which packaging "
            "| of which the collection's files | compiling the collection's files | building the payload |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for module, t in result["imports"].items():
            lines.append(
                f"| {module} | {t['basic_ms']:.0f} | {t['module_ms']:.0f} | {t['requests_ms']:.0f} | "
                f"{t['packaging_ms']:.0f} | {t['collection_ms']:.0f} | {t['collection_compile_ms']:.0f} | "
                f"{t.get('payload_build_ms', 0):.0f} |"
            )
    lines += ["", "## Targets", "", "| target | where | verdict | measured |", "|---|---|---|---|"]
    merged: dict[tuple, list[str]] = {}
    for v in result["verdicts"]:
        where = " ".join(str(v[k]) for k in ("scenario", "version", "auth", "execution") if v.get(k))
        merged.setdefault((v["target"], v["status"], v["detail"]), []).append(where or "all")
    for (target, status, detail), places in merged.items():
        lines.append(f"| {TARGETS[target]} | {'; '.join(places)} | {status} | {detail} |")
    lines.append("")
    return "\n".join(lines)


def write_results(bench: Bench, out: Path) -> dict[str, Any]:
    from ansible.release import __version__ as ansible_version  # noqa: PLC0415  (the venv's ansible-core)

    loads = bench.loads
    result: dict[str, Any] = {
        "finished": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": bench.args.command_line,
        "reps": bench.args.reps,
        "uri_reps": min(bench.args.uri_reps, bench.args.reps),
        "uri_sample": bench.args.uri_sample,
        "versions": bench.versions,
        "sizes": bench.sizes,
        "parts": bench.args.parts,
        "executions": bench.executions,
        "switch": bench.switch,
        "seconds": round(bench.seconds, 1),
        "servers": bench.server_versions,
        "server_start_seconds": stats(bench.startup_seconds),
        "machine": {
            "cpus": os.cpu_count(),
            "load_start": loads[0],
            "load_end": loads[-1],
            "load_max": max(loads + [run["load"] for run in bench.runs if "load" in run]),
            "python": platform.python_version(),
            "ansible_core": ansible_version,
        },
        "scenario": {
            "categories": N_CATEGORIES,
            "tags": N_TAGS,
            "preferences": PREFERENCES,
            "torrents": N_TORRENTS,
            "torrent_bytes": TORRENT_SIZE,
        },
        "summaries": [
            summarize(runs) for runs in group_runs([r for r in bench.runs if r["scenario"] != "imports"]).values()
        ],
        "imports": summarize_imports([r for r in bench.runs if r["scenario"] == "imports"]),
    }
    result["verdicts"] = evaluate(result)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    (out / "latest.md").write_text(markdown(result), encoding="utf-8")
    if out.resolve() == (BENCH / "results").resolve():
        update_docs(result, bench.args.quick)
    raw = out / "raw"
    raw.mkdir(exist_ok=True)
    shutil.copy(bench.raw / "runs.jsonl", raw / f"runs-{time.strftime('%Y%m%d-%H%M%S')}.jsonl")
    return result


DOCS = REPO / "docs" / "performance.md"


def update_docs_block(mode: str, body: str, smoke: bool = False) -> None:
    """Put BODY between the markers of `bench/run MODE` in docs/performance.md (the rest of the file is left
    alone). A smoke run (small sizes, one repetition) leaves the recorded numbers as they are."""
    start, end = f"<!-- bench/run{mode} writes from here -->", f"<!-- bench/run{mode} writes up to here -->"
    text = DOCS.read_text(encoding="utf-8") if DOCS.is_file() else ""
    if smoke or start not in text or end not in text:
        log(f"{DOCS} not updated: " + ("a smoke run" if smoke else f"no markers for bench/run{mode}"))
        return
    head, rest = text.split(start, 1)
    DOCS.write_text(f"{head}{start}\n{body.strip()}\n{end}{rest.split(end, 1)[1]}", encoding="utf-8")


def update_docs(result: dict[str, Any], smoke: bool) -> None:
    body = markdown(result).split("\n", 1)[1]  # without the title: the section has its own
    body = re.sub(r"^(#+) ", r"\1## ", body, flags=re.M)  # ## -> ####: below the section's own level
    update_docs_block("", body, smoke)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--work", type=Path, help="scratch folder (servers, torrents, vars); required to measure")
    parser.add_argument(
        "--render", action="store_true", help="measure nothing: rewrite latest.md (and the docs) from OUT/latest.json"
    )
    parser.add_argument("--out", type=Path, default=BENCH / "results", help="where latest.md and latest.json go")
    parser.add_argument("--quick", action="store_true", help="a smoke run: one repetition, uri on a 5%% sample")
    parser.add_argument("--reps", type=int, help="repetitions (default 5, --quick 1)")
    parser.add_argument("--uri-reps", type=int, help="repetitions of the slow uri baseline (default 1)")
    parser.add_argument(
        "--uri-sample", type=int, help="percent of every list the uri baseline declares (default 25, --quick 5)"
    )
    parser.add_argument("--versions", default="4.5.2,sid", help="server versions (default %(default)s)")
    parser.add_argument(
        "--sizes", default="10,100,1000", help="torrent counts of the torrent part (default %(default)s)"
    )
    parser.add_argument("--parts", default=",".join(PARTS), help="what to measure (default %(default)s)")
    parser.add_argument(
        "--collection",
        type=Path,
        default=REPO,
        help="the collection to measure (default: this work tree), for before/after",
    )
    parser.add_argument("--command-line", default="bench/bench.py", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.render:
        result = json.loads((args.out / "latest.json").read_text(encoding="utf-8"))
        result["verdicts"] = evaluate(result)
        (args.out / "latest.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        (args.out / "latest.md").write_text(markdown(result), encoding="utf-8")
        if args.out.resolve() == (BENCH / "results").resolve():
            update_docs(result, smoke=False)
        print(markdown(result))
        return 0
    if args.work is None:
        parser.error("--work is required to measure")
    args.reps = args.reps or (1 if args.quick else 5)
    args.uri_reps = 1 if args.uri_reps is None else args.uri_reps
    args.uri_sample = args.uri_sample or (5 if args.quick else 25)
    if not 1 <= args.uri_sample <= 100:
        parser.error("--uri-sample is a percentage from 1 to 100")
    args.versions = [v.strip() for v in args.versions.split(",") if v.strip()]
    args.sizes = [int(n) for n in args.sizes.split(",") if n.strip()]
    args.parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(args.parts).difference(PARTS)
    if unknown:
        parser.error(f"unknown parts {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    # SIGTERM ends the run like Ctrl-C: the running playbook's process group is killed, the servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench(args)
    bench.prepare()
    log(f"executions: {', '.join(bench.executions)} (switch {bench.switch}); versions {', '.join(bench.versions)}")
    bench.run()
    result = write_results(bench, args.out)
    print(markdown(result))
    failed = [run for run in bench.runs if run["rc"] != 0 or run.get("failed_tasks")]
    differs = [run for run in bench.runs if run.get("end_state")]
    if failed or differs:
        log(f"{len(failed)} run(s) failed and {len(differs)} converge run(s) missed the end state; see {bench.raw}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
