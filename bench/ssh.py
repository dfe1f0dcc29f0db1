# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-task cost of the modules over SSH against ansible.builtin.ping over the same connection (issue 21).

    python3 bench/ssh.py --state STATE/servers.json --collections DIR [--tasks 15] [--reps 3] [--out FILE.md]

STATE is a running tests/harness/qbt_harness.py state with a server that has an API key (5.2 or later); DIR holds
ansible_collections/community/qbittorrent. Run it with the Python of a venv that has ansible-core, requests and
packaging: it is both the controller and, over SSH, the remote host's interpreter. bench/run --ssh does all that.

Method: a throwaway sshd on 127.0.0.1 (tests/harness/ssh_server.py); the inventory host is reached over `ssh` to it,
so every task is a module process there. Each measured playbook is one warm-up ping (which opens the ssh master
connection) plus N tasks of one kind; the baseline is the warm-up alone. Per-task cost = (time of the playbook -
time of the baseline) / N: it holds the payload build once per run (amortised over N) and each task's transfer and
process. Wall-clock times of whole ansible-playbook runs, repetitions interleaved so that the machine's load hits
every kind alike, medians reported, pipelining off and on. The qbt tasks are idempotent and authenticate with the
server's API key, so no login (qBittorrent's PBKDF2 check of a password) is in the numbers: the server's login is
excluded, as the target says.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5  # issue 21: at most 1.5x ping per task over SSH
KINDS = {
    "ping": ("ansible.builtin.ping", {}),
    "qbt_tag": ("community.qbittorrent.qbt_tag", {"tags": ["bench-ssh"]}),
    "qbt_info": ("community.qbittorrent.qbt_info", {"gather_subset": ["version"]}),
    "qbt_preferences": ("community.qbittorrent.qbt_preferences", {"preferences": {"web_ui_address": "127.0.0.1"}}),
}


def run(args: list[str], env: dict) -> float:
    started = time.monotonic()
    done = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    took = time.monotonic() - started
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout[-3000:]}")
    return took


def playbook(path: Path, tasks: list[dict]) -> Path:
    path.write_text(json.dumps([{"hosts": "remote", "gather_facts": False, "tasks": tasks}]))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--state", required=True, type=Path)
    parser.add_argument("--collections", required=True)
    parser.add_argument("--tasks", type=int, default=15)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    options = parser.parse_args()
    server = next(s for s in json.loads(options.state.read_text())["servers"] if s["api_key"] and not s["https"])
    work = Path(tempfile.mkdtemp(prefix="qbt-ssh-bench."))
    sshd = [sys.executable, str(ROOT / "tests" / "harness" / "ssh_server.py")]
    subprocess.run([*sshd, "start", "--state", str(work / "sshd")], check=True, stdout=subprocess.DEVNULL)
    try:
        return measure(options, server, work)
    finally:
        for socket in (work / "cp").glob("*"):
            subprocess.run(
                ["ssh", "-O", "exit", "-o", f"ControlPath={socket}", "127.0.0.1"], check=False, capture_output=True
            )
        subprocess.run([*sshd, "stop", "--state", str(work / "sshd")], check=False, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


def measure(options: argparse.Namespace, server: dict, work: Path) -> int:
    info = json.loads((work / "sshd" / "ssh.json").read_text())
    (work / "hosts").write_text(
        "[remote]\n"
        f"sshhost ansible_connection=ssh ansible_host=127.0.0.1 ansible_port={info['port']} ansible_user={info['user']}"
        f" ansible_ssh_private_key_file={info['private_key']} ansible_ssh_common_args='{info['ssh_args']}'"
        f" ansible_python_interpreter={sys.executable}\n"
    )
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=options.collections,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_SSH_CONTROL_PATH_DIR=str(work / "cp"),
    )
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(work / "hosts")]
    warm = {"name": "warm-up", "ansible.builtin.ping": {}}
    connection = {"url": server["url"], "api_key": server["api_key"]}

    def task(kind: str, index: int) -> dict:
        action, args = KINDS[kind]
        return {"name": f"t{index}", action: dict(connection, **args) if action.startswith("community.") else args}

    run([*command, str(playbook(work / "converge.yml", [task(k, 0) for k in KINDS if k != "ping"]))], env)
    books = {"baseline": playbook(work / "baseline.yml", [warm])}
    for kind in KINDS:
        books[kind] = playbook(work / f"{kind}.yml", [warm] + [task(kind, i) for i in range(options.tasks)])
    modes = {"off": "False", "on": "True"}
    times = {(mode, kind): [] for mode in modes for kind in books}
    load = [os.getloadavg()[0]]
    for _repetition in range(options.reps):
        for mode, value in modes.items():
            for kind, book in books.items():
                times[mode, kind].append(run([*command, str(book)], dict(env, ANSIBLE_PIPELINING=value)))
        load.append(round(os.getloadavg()[0], 2))
        print(f"repetition {len(load) - 1} of {options.reps} done", file=sys.stderr, flush=True)
    run(
        [
            *command,
            str(
                playbook(
                    work / "cleanup.yml",
                    [{"community.qbittorrent.qbt_tag": dict(connection, tags=["bench-ssh"], state="absent")}],
                )
            ),
        ],
        env,
    )

    lines = [
        f"Over SSH to 127.0.0.1, {options.tasks} tasks per playbook, median of {options.reps} runs (one run of"
        f" bench/ssh.py; 1-minute load {load[0]:.2f} at the start, {load[1:]} after each repetition).",
        "",
        "| module | pipelining | per task | x ping |",
        "|---|---|---:|---:|",
    ]
    verdict = []
    for mode in modes:
        base = statistics.median(times[mode, "baseline"])
        per_task = {k: (statistics.median(times[mode, k]) - base) / options.tasks for k in KINDS}
        for kind, cost in per_task.items():
            ratio = cost / per_task["ping"]
            lines.append(f"| {kind} | {mode} | {cost * 1000:.0f} ms | {ratio:.2f} |")
            if kind != "ping":
                verdict.append(ratio <= TARGET)
    met = "met" if all(verdict) else "not met"
    lines += ["", f"Target (at most {TARGET}x ping per task over SSH, server login excluded): {met}."]
    text = "\n".join(lines) + "\n"
    print(text)
    if options.out:
        options.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
