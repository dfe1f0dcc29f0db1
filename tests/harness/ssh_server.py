# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A throwaway OpenSSH server on 127.0.0.1, for the tests and benchmarks that run modules over SSH.

Pure standard library. Each start makes a new host key and a new user key in the state folder, writes an sshd_config
that listens on 127.0.0.1 only, accepts that one key for the current user and no password, and starts sshd (as the
current user: root when the test runs as root, else an unprivileged sshd that can only log in that same user).

CLI::

    python3 tests/harness/ssh_server.py start --state DIR    # prints the port; writes DIR/ssh.json
    python3 tests/harness/ssh_server.py stop --state DIR

DIR/ssh.json holds host, port, user, the private key file, a known_hosts file with the host key, the ssh options
that use them (ssh_args) and sshd's pid.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

START_TIMEOUT = 15.0
POLL = 0.05


def log(msg: str) -> None:
    print(f"[ssh_server] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
        tcp.bind(("127.0.0.1", 0))
        return tcp.getsockname()[1]


# Debian's sshd is built with /run/sshd as its privilege separation directory, and refuses to start without it.
# The package's init script or systemd-tmpfiles makes it at boot; in a container neither may have run since /run
# was emptied.
PRIVSEP_DIR = Path("/run/sshd")


def _privilege_separation_directory() -> None:
    if PRIVSEP_DIR.is_dir():
        return
    try:
        PRIVSEP_DIR.mkdir(mode=0o755, parents=True)
    except OSError as exc:
        raise SystemExit(f"sshd needs its privilege separation directory {PRIVSEP_DIR}, which is missing and could "
                         f"not be made ({exc}): make it as root (mkdir -m 755 {PRIVSEP_DIR})") from exc  # fmt: skip


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if not found:
        raise SystemExit(f"{name} not found: install openssh-server and openssh-client (tests/setup.sh does)")
    return found


def _keygen(path: Path, comment: str) -> None:
    for old in (path, path.with_name(path.name + ".pub")):
        old.unlink(missing_ok=True)
    subprocess.run(
        [_tool("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
        stdin=subprocess.DEVNULL,
    )


def _alive(pid: int | None, marker: str) -> bool:
    """Whether PID still runs a command line holding MARKER (so we never signal a stranger)."""
    if not pid:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return marker in cmdline


def stop(state: Path) -> bool:
    """Stop the sshd started in STATE; returns whether one was running."""
    listing = state / "ssh.json"
    if not listing.is_file():
        return False
    info = json.loads(listing.read_text(encoding="utf-8"))
    marker = info["config"]
    if not _alive(info.get("pid"), marker):
        return False
    # sshd's listener only: sessions it forked end with their connections (ansible's ControlPersist closes them)
    os.kill(info["pid"], signal.SIGTERM)
    deadline = time.monotonic() + 10
    while _alive(info["pid"], marker) and time.monotonic() < deadline:
        time.sleep(POLL)
    if _alive(info["pid"], marker):
        os.kill(info["pid"], signal.SIGKILL)
    return True


def start(state: Path) -> dict[str, Any]:
    """Start a fresh sshd for STATE (stopping one left there) and write STATE/ssh.json."""
    state = state.resolve()
    if stop(state):
        log(f"stopped the sshd still running from a previous start in {state}")
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o700)
    host_key, user_key = state / "ssh_host_ed25519_key", state / "id_ed25519"
    _keygen(host_key, "qbt-test-host")
    _keygen(user_key, "qbt-test-user")
    authorized = state / "authorized_keys"
    authorized.write_text(user_key.with_name("id_ed25519.pub").read_text(encoding="utf-8"), encoding="utf-8")
    authorized.chmod(0o600)
    port = free_port()
    user = getpass.getuser()
    config = state / "sshd_config"
    pid_file = state / "sshd.pid"
    pid_file.unlink(missing_ok=True)
    config.write_text(
        "\n".join(
            [
                f"ListenAddress 127.0.0.1:{port}",
                f"HostKey {host_key}",
                f"PidFile {pid_file}",
                f"AuthorizedKeysFile {authorized}",
                f"AllowUsers {user}",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                # the state folder may sit under /tmp (world-writable): StrictModes would refuse the key file there
                "StrictModes no",
                "PermitTTY no",
                "X11Forwarding no",
                "AllowTcpForwarding no",
                "PrintMotd no",
                "MaxStartups 100",
                "MaxSessions 100",
                "Subsystem sftp internal-sftp",
                "LogLevel INFO",
                "",
            ]
        ),
        encoding="utf-8",
    )
    sshd = _tool("sshd")
    log_file = state / "sshd.log"
    # -D: no daemon fork, so the pid is the listener's; -E: its log in the state folder
    argv = [sshd, "-D", "-f", str(config), "-E", str(log_file)]
    _privilege_separation_directory()
    subprocess.run([*argv[:1], "-t", *argv[2:4]], check=True)  # the config is valid before we start it
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"sshd exited ({proc.returncode}); see {log_file}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                if conn.recv(4).startswith(b"SSH-"):
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"sshd did not listen on 127.0.0.1:{port}; see {log_file}")
        time.sleep(POLL)
    known_hosts = state / "known_hosts"
    host_pub = host_key.with_name(host_key.name + ".pub").read_text(encoding="utf-8").split()
    known_hosts.write_text(f"[127.0.0.1]:{port} {host_pub[0]} {host_pub[1]}\n", encoding="utf-8")
    ssh_args = [
        "-o",
        f"UserKnownHostsFile={known_hosts}",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "PasswordAuthentication=no",
    ]
    info = {
        "host": "127.0.0.1",
        "port": port,
        "user": user,
        "private_key": str(user_key),
        "known_hosts": str(known_hosts),
        "ssh_args": " ".join(ssh_args),
        "pid": proc.pid,
        "config": str(config),
        "log": str(log_file),
    }
    (state / "ssh.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("command", choices=["start", "stop"])
    parser.add_argument("--state", type=Path, required=True, help="folder for the keys, sshd_config and ssh.json")
    args = parser.parse_args(argv)
    if args.command == "stop":
        log("stopped sshd" if stop(args.state) else "no sshd was running")
        return 0
    info = start(args.state)
    log(f"sshd for {info['user']} on 127.0.0.1:{info['port']} (pid {info['pid']})")
    print(info["port"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
