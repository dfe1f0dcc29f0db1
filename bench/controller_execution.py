# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-task cost of controller-side execution (plugins/plugin_utils/_action.py), for docs/performance.md.

    python3 bench/controller_execution.py --state STATE/servers.json --collections DIR [--tasks 20] [--reps 5]

STATE is a running tests/harness/qbt_harness.py state (tests/dev-target starts one); DIR holds
ansible_collections/community/qbittorrent. Run it with the Python of the venv that has ansible-core, requests and
packaging (the modules run with that interpreter too).

Method: each measured playbook is one warm-up debug task plus N tasks of one kind on localhost (local
connection); the baseline is the warm-up task alone. Per-task cost = (time of the playbook - time of the baseline)
/ N, with wall-clock times of whole ansible-playbook runs, repetitions interleaved so that the machine's load hits
every variant alike, medians reported. The qbt task is idempotent (qbt_tag, one existing tag), so it reads and
writes nothing else. The server-side login time is measured directly (POST auth/login, then logout).
Then the fleet scenario: 3 idempotent tasks on 10 inventory hosts (ansible_connection=local, forks 5), spread over
the plain-HTTP servers, with passwords, in-process and as modules.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

KINDS = {
    "debug": ("ansible.builtin.debug", {"msg": "x"}, "auto"),
    "ping": ("ansible.builtin.ping", {}, "auto"),
    "qbt key in-process": ("community.qbittorrent.qbt_tag", "key", "in_process"),
    "qbt key module": ("community.qbittorrent.qbt_tag", "key", "module"),
    "qbt password in-process": ("community.qbittorrent.qbt_tag", "password", "in_process"),
    "qbt password module": ("community.qbittorrent.qbt_tag", "password", "module"),
}


def playbook(path: Path, tasks: list[dict]) -> Path:
    path.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    return path


def qbt_args(server: dict, auth: str) -> dict:
    args = {"url": server["url"], "tags": ["bench-controller"]}
    if auth == "key":
        args["api_key"] = server["api_key"]
    else:
        args.update(username=server["username"], password=server["password"])
    return args


def run(args: list[str], env: dict) -> float:
    started = time.monotonic()
    done = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    took = time.monotonic() - started
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout[-3000:]}")
    return took


def login_seconds(server: dict, reps: int) -> list[float]:
    """The server's answer times to password logins (qBittorrent checks the password with PBKDF2)."""
    times = []
    body = f"username={server['username']}&password={server['password']}".encode()
    for _repetition in range(reps):
        started = time.monotonic()
        with urllib.request.urlopen(urllib.request.Request(f"{server['url']}/api/v2/auth/login", data=body)) as answer:
            cookie = answer.headers.get("Set-Cookie", "").split(";", 1)[0]
        times.append(time.monotonic() - started)
        logout = urllib.request.Request(f"{server['url']}/api/v2/auth/logout", data=b"", headers={"Cookie": cookie})
        urllib.request.urlopen(logout).close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--state", required=True, type=Path)
    parser.add_argument("--collections", required=True)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--fleet-reps", type=int, default=3, help="0 skips the fleet scenario")
    parser.add_argument("--kinds", help="comma-separated subset of: " + ", ".join(KINDS))
    parser.add_argument(
        "--also-collections",
        help="a second collections path (say, a changed copy): its in-process kinds run interleaved with the others",
    )
    options = parser.parse_args()
    servers = json.loads(options.state.read_text())["servers"]
    keyed = next(s for s in servers if s["api_key"] and not s["https"])
    plain = [s for s in servers if not s["https"]]
    bindir = Path(sys.executable).parent
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=options.collections,
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
    )
    command = [str(bindir / "ansible-playbook"), "-i", "localhost,", "-c", "local"]
    work = Path(tempfile.mkdtemp(prefix="qbt-controller-bench."))
    warm = {"name": "warm-up", "ansible.builtin.debug": {"msg": "start"}}

    # Converge once, so every measured qbt task is idempotent.
    for server in (keyed, *plain):
        run(
            [
                *command,
                str(playbook(work / "converge.yml", [{"community.qbittorrent.qbt_tag": qbt_args(server, "password")}])),
            ],
            env,
        )

    books = {"baseline": (playbook(work / "baseline.yml", [warm]), "auto", env)}
    kinds = {kind: KINDS[kind] for kind in (options.kinds.split(",") if options.kinds else KINDS)}
    kinds.setdefault("debug", KINDS["debug"])
    variants = [("", env)]
    if options.also_collections:
        variants.append(
            (f" [{options.also_collections}]", dict(env, ANSIBLE_COLLECTIONS_PATH=options.also_collections))
        )
    for kind, (action, args, switch) in kinds.items():
        if isinstance(args, str):
            args = qbt_args(keyed, args)
        tasks = [warm] + [{"name": f"t{i}", action: args} for i in range(options.tasks)]
        book = playbook(work / f"{len(books)}.yml", tasks)
        for suffix, variant_env in variants if switch == "in_process" else variants[:1]:
            books[kind + suffix] = (book, switch, variant_env)
    times: dict[str, list[float]] = {kind: [] for kind in books}
    logins: list[float] = []
    load = [os.getloadavg()[0]]
    for _repetition in range(options.reps):
        for kind, (book, switch, book_env) in books.items():
            times[kind].append(run([*command, str(book), "-e", f"qbt_execution={switch}"], book_env))
        logins += login_seconds(keyed, 3)  # in every repetition, under the same load
        load.append(os.getloadavg()[0])
    base = statistics.median(times["baseline"])
    per_task = {kind: (statistics.median(t) - base) / options.tasks for kind, t in times.items() if kind != "baseline"}
    login = statistics.median(logins)

    print(f"1-minute load average at the start and after each repetition: {load}")
    print(f"baseline (one debug task): {base:.2f} s; {options.tasks} tasks per playbook; median of {options.reps}")
    print(f"{'kind':40} {'per task':>9} {'over debug':>11}")
    for kind, cost in per_task.items():
        print(f"{kind:40} {cost:8.3f}s {cost - per_task['debug']:10.3f}s")
    print(f"server login (PBKDF2), median of {len(logins)}: {login:.3f} s")

    if not options.fleet_reps:
        return 0
    # The fleet scenario: 10 hosts over the plain servers, 3 idempotent tasks, forks 5.
    inventory = work / "fleet.ini"
    lines = ["[fleet]"]
    for index in range(10):
        server = plain[index % len(plain)]
        lines.append(
            f"qbt-{index} ansible_connection=local qbt_url={server['url']} qbt_username={server['username']} "
            f"qbt_password={server['password']}"
        )
    inventory.write_text("\n".join(lines) + "\n")
    connection = {"url": "{{ qbt_url }}", "username": "{{ qbt_username }}", "password": "{{ qbt_password }}"}
    fleet = work / "fleet.yml"
    fleet.write_text(
        json.dumps(
            [
                {
                    "hosts": "fleet",
                    "gather_facts": False,
                    "tasks": [
                        {"community.qbittorrent.qbt_tag": dict(connection, tags=["bench-controller"])},
                        {"community.qbittorrent.qbt_category": dict(connection, name="bench-controller")},
                        {"community.qbittorrent.qbt_info": dict(connection, gather_subset=["version"])},
                    ],
                }
            ]
        )
    )
    fleet_command = [str(bindir / "ansible-playbook"), "-i", str(inventory), "--forks", "5", str(fleet)]
    run([*fleet_command, "-e", "qbt_execution=module"], env)  # converge
    fleet_times: dict[str, list[float]] = {"in_process": [], "module": []}
    for _repetition in range(options.fleet_reps):
        for switch in fleet_times:
            fleet_times[switch].append(run([*fleet_command, "-e", f"qbt_execution={switch}"], env))
    for switch, values in fleet_times.items():
        print(f"fleet, 3 tasks x 10 hosts, {switch}: {statistics.median(values):.2f} s (runs: {values})")

    # Leave the servers as they were.
    cleanup = work / "cleanup.yml"
    cleanup.write_text(
        json.dumps(
            [
                {
                    "hosts": "fleet",
                    "gather_facts": False,
                    "tasks": [
                        {"community.qbittorrent.qbt_tag": dict(connection, tags=["bench-controller"], state="absent")},
                        {
                            "community.qbittorrent.qbt_category": dict(
                                connection, name="bench-controller", state="absent"
                            )
                        },
                    ],
                }
            ]
        )
    )
    run([str(bindir / "ansible-playbook"), "-i", str(inventory), str(cleanup)], env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
