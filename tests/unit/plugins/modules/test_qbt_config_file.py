# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qbt_config_file run as Ansible runs a module (a process with its arguments file), on files in a temporary folder.
The real-server proof is tests/run's bootstrap step (examples/bootstrap on every harness version)."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils._password_hash import verify_pbkdf2
from ansible_collections.community.qbittorrent.plugins.module_utils._qsettings import QSettingsFile

PASSWORD = "correct horse battery staple"


def run(tmp_path, check=False, **args):
    args_file = tmp_path / "args.json"
    args_file.write_text(
        json.dumps({"ANSIBLE_MODULE_ARGS": dict(args, _ansible_check_mode=check, _ansible_diff=True)}),
        encoding="utf-8",
    )
    module = "ansible_collections.community.qbittorrent.plugins.modules.qbt_config_file"
    proc = subprocess.run(
        [sys.executable, "-m", module, str(args_file)],
        capture_output=True, text=True, check=False, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
    )  # fmt: skip
    result = json.loads(proc.stdout)
    assert PASSWORD not in proc.stdout + proc.stderr
    assert "@ByteArray" not in proc.stdout
    return result


def conf_of(tmp_path):
    return QSettingsFile((tmp_path / "p/qBittorrent/config/qBittorrent.conf").read_text(encoding="utf-8"))


def test_first_boot_then_no_change(tmp_path):
    args = {
        "profile": str(tmp_path / "p"),
        "web_ui_username": "admin",
        "web_ui_password": PASSWORD,
        "web_ui_address": "127.0.0.1",
        "web_ui_port": 18080,
        "settings": [{"section": "BitTorrent", "key": "Session\\DHTEnabled", "value": False}],
    }
    first = run(tmp_path, **args)
    assert first["changed"] and first["found_by"] == "profile" and not first["running"]
    assert "[Preferences] WebUI\\Password_PBKDF2" in first["changed_keys"]
    assert first["diff"]["after"]["Preferences"]["WebUI\\Password_PBKDF2"] == "********"
    conf = conf_of(tmp_path)
    assert conf.get("Preferences", "WebUI/Port") == "18080"
    assert conf.get("BitTorrent", "Session/DHTEnabled") == "false"
    assert verify_pbkdf2(conf.get("Preferences", "WebUI/Password_PBKDF2"), PASSWORD)
    assert oct(os.stat(tmp_path / "p/qBittorrent/config/qBittorrent.conf").st_mode & 0o777) == "0o600"
    second = run(tmp_path, **args)
    assert not second["changed"] and second["changed_keys"] == []
    args["web_ui_password"] = PASSWORD + "!"
    changed = run(tmp_path, **args)
    assert changed["changed_keys"] == ["[Preferences] WebUI\\Password_PBKDF2"]
    assert changed["diff"]["before"]["Preferences"]["WebUI\\Password_PBKDF2"] == "********"
    assert changed["diff"]["after"]["Preferences"]["WebUI\\Password_PBKDF2"] == "******** (changed)"


def test_check_mode_writes_nothing(tmp_path):
    result = run(tmp_path, check=True, profile=str(tmp_path / "p"), web_ui_port=1234)
    assert result["changed"] and not (tmp_path / "p").exists()


def test_other_keys_and_lines_stay(tmp_path):
    path = tmp_path / "qBittorrent.conf"
    original = '; mine\n[Preferences]\nWebUI\\Port=8080\nGeneral\\Locale=fr\n\n[RSS]\nX="a, b"\n'
    path.write_text(original, encoding="utf-8")
    result = run(
        tmp_path, path=str(path), web_ui_port=9090, settings=[{"section": "RSS", "key": "X", "state": "absent"}]
    )
    assert result["changed_keys"] == ["[Preferences] WebUI\\Port", "[RSS] X"]
    assert path.read_text(encoding="utf-8") == "; mine\n[Preferences]\nWebUI\\Port=9090\nGeneral\\Locale=fr\n\n[RSS]\n"


def test_webui_section_after_the_53_migration(tmp_path):
    path = tmp_path / "qBittorrent.conf"
    path.write_text("[Meta]\nMigrationVersion=12\n\n[WebUI]\nPort=8080\n", encoding="utf-8")
    result = run(
        tmp_path,
        path=str(path),
        web_ui_port=9090,
        settings=[{"section": "Preferences", "key": "WebUI\\HostHeaderValidation", "value": True}],
    )
    assert result["changed_keys"] == ["[WebUI] Port", "[WebUI] HostHeaderValidation"]
    assert "Preferences" not in path.read_text(encoding="utf-8")


def test_secret_settings_are_masked(tmp_path):
    result = run(
        tmp_path,
        path=str(tmp_path / "q.conf"),
        settings=[{"section": "Network", "key": "Proxy\\Password", "value": PASSWORD}],
    )
    assert result["diff"]["after"]["Network"]["Proxy\\Password"] == "********"


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"web_ui_port": 70000}, "web_ui_port"),
        ({"web_ui_password": ""}, "web_ui_password"),
        ({"settings": [{"section": "A", "key": "k"}]}, "no value"),
        ({"settings": [{"section": "A", "key": "k", "value": [1]}]}, "list"),
        (
            {"web_ui_port": 1, "settings": [{"section": "Preferences", "key": "WebUI\\Port", "value": 2}]},
            "declare it once",
        ),
    ],
)
def test_refusals(tmp_path, args, match):
    result = run(tmp_path, path=str(tmp_path / "q.conf"), **args)
    assert result.get("failed") and match in result["msg"]
    assert not (tmp_path / "q.conf").exists()


def test_refuses_to_write_while_qbittorrent_runs(tmp_path):
    """A lock on the profile's lockfile (here taken by this test process) means a running qBittorrent."""
    folder = tmp_path / "p/qBittorrent/config"
    folder.mkdir(parents=True)
    (folder / "qBittorrent.conf").write_text("[Preferences]\nWebUI\\Port=8080\n", encoding="utf-8")
    with open(folder / "lockfile", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        refused = run(tmp_path, profile=str(tmp_path / "p"), web_ui_port=9090)
        assert refused.get("failed") and "running: ignore" in refused["msg"] and str(os.getpid()) in refused["msg"]
        assert "WebUI\\Port=8080" in (folder / "qBittorrent.conf").read_text(encoding="utf-8")
        same = run(tmp_path, profile=str(tmp_path / "p"), web_ui_port=8080)
        assert not same.get("failed") and not same["changed"] and same["running"]
        forced = run(tmp_path, profile=str(tmp_path / "p"), web_ui_port=9090, running="ignore")
        assert forced["changed"] and forced["warnings"]
