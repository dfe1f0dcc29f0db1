# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writes the inventory with which tests/run's bootstrap step runs examples/bootstrap/site.yml on this machine.

One host per server version the harness runs (qbt_harness.VERSIONS), each with an empty --profile directory of its
own, free loopback ports and a random password. This machine has no systemd, and apt has only one of the versions,
so every host uses qbt_service_manager=command: the playbook starts the harness's build of that version itself
(qbt_nox_command and qbt_nox_environment, from qbt_harness.fetch_build) in place of the package and the unit.
The profile the playbook writes is loopback-only (its qbt_loopback_settings, the keys of the harness's
LOOPBACK_LOCK): this script refuses to write an inventory when the playbook's settings miss one of those keys.
Usage: bootstrap_inventory.py WORKDIR OUT (the inventory holds passwords: mode 0600).
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests/harness"))
import qbt_harness  # noqa: E402  # pylint: disable=wrong-import-position


def check_loopback_lock() -> None:
    """Every key of the harness's loopback lock is in the example's settings, with the same value (the legacy names
    of the harness's LEGACY_LOOPBACK_LOCK, where it has one, in qbt_legacy_loopback_settings)."""
    group_vars = yaml.safe_load((ROOT / "examples/bootstrap/group_vars/qbittorrent.yml").read_text(encoding="utf-8"))
    declared = {
        (item["section"], item["key"]): str(item["value"]).lower()
        for name in ("qbt_loopback_settings", "qbt_legacy_loopback_settings")
        for item in group_vars[name]
    }
    locks = [qbt_harness.LOOPBACK_LOCK, getattr(qbt_harness, "LEGACY_LOOPBACK_LOCK", {})]
    # web_ui_address: 127.0.0.1 is an option of the playbook's task; queueing is no network setting (the harness turns
    # it off so that the tests' torrents start at once)
    exempt = {"WebUI\\Address", "Session\\QueueingSystemEnabled", "Queueing\\QueueingEnabled"}
    missing = [
        f"[{section}] {key}={value}"
        for lock in locks
        for section, keys in lock.items()
        for key, value in keys.items()
        if (section, key) not in declared
        and key not in exempt
        or (section, key) in declared
        and declared[(section, key)] != value.lower()
    ]
    if missing:
        sys.exit(f"examples/bootstrap's qbt_loopback_settings lack the loopback lock's {', '.join(missing)}")


def main() -> int:
    workdir, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    check_loopback_lock()
    hosts = {}
    for version in qbt_harness.VERSIONS:
        argv, env = qbt_harness.fetch_build(version).command([])
        profile = workdir / f"bootstrap-{version}"
        profile.mkdir(parents=True, exist_ok=True)
        hosts[f"qbt-{version}"] = {
            "ansible_connection": "local",
            "qbt_become": False,
            "qbt_service_manager": "command",
            "qbt_nox_command": argv,
            "qbt_nox_environment": {k: v for k, v in env.items() if os.environ.get(k) != v},
            "qbt_profile": str(profile),
            "qbt_webui_port": qbt_harness.free_port(),
            "qbt_torrent_port": qbt_harness.free_port(),
            "qbt_password": secrets.token_urlsafe(18),
        }
    out.touch(mode=0o600)
    out.write_text(json.dumps({"qbittorrent": {"hosts": hosts}}, indent=2) + "\n", encoding="utf-8")
    print(" ".join(hosts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
