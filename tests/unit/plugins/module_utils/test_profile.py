# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where qBittorrent.conf is, and whether a qBittorrent uses it: a fake /proc for command lines, real locks."""

from __future__ import annotations

import fcntl
import os

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _profile


def fake_process(proc, pid, argv, cwd=None, environ=None):
    folder = proc / str(pid)
    folder.mkdir(parents=True)
    (folder / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
    (folder / "environ").write_bytes(b"\0".join(f"{k}={v}".encode() for k, v in (environ or {}).items()))
    if cwd:
        os.symlink(cwd, folder / "cwd")


@pytest.fixture
def proc(tmp_path):
    path = tmp_path / "proc"
    path.mkdir()
    (path / "locks").write_text("")
    return path


def test_paths():
    assert _profile.profile_conf("/srv/p") == "/srv/p/qBittorrent/config/qBittorrent.conf"
    assert _profile.profile_conf("/srv/p", "two") == "/srv/p/qBittorrent_two/config/qBittorrent.conf"
    assert _profile.default_conf("/home/u") == "/home/u/.config/qBittorrent/qBittorrent.conf"
    assert _profile.default_conf("/home/u", "/x") == "/x/qBittorrent/qBittorrent.conf"
    assert _profile.locate("/a/b.conf", None) == ("/a/b.conf", "path")
    assert _profile.locate(None, "/srv/p") == ("/srv/p/qBittorrent/config/qBittorrent.conf", "profile")


def test_locate_takes_the_first_existing_place(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    default = str(tmp_path / ".config/qBittorrent/qBittorrent.conf")
    monkeypatch.setattr(_profile, "LINUXSERVER_CONF", str(tmp_path / "config/qBittorrent/qBittorrent.conf"))
    assert _profile.locate(None, None) == (default, "default")
    os.makedirs(tmp_path / "config/qBittorrent")
    (tmp_path / "config/qBittorrent/qBittorrent.conf").write_text("")
    assert _profile.locate(None, None) == (_profile.LINUXSERVER_CONF, "found")


def test_a_process_with_the_profile_is_found(proc, tmp_path):
    conf = _profile.profile_conf(str(tmp_path / "p"))
    fake_process(proc, 101, ["/usr/bin/qbittorrent-nox", f"--profile={tmp_path / 'p'}"])
    fake_process(proc, 102, ["/usr/bin/qbittorrent-nox", f"--profile={tmp_path / 'other'}"])
    fake_process(proc, 103, ["/usr/bin/vim", conf])
    found = _profile.running(conf, str(proc))
    assert [p["pid"] for p in found] == [101]
    assert "runs qBittorrent with this profile" in found[0]["how"]


def test_loader_relative_profile_and_separate_argument(proc, tmp_path):
    conf = _profile.profile_conf(str(tmp_path / "p"))
    fake_process(proc, 201, ["/b/ld-linux-x86-64.so.2", "--library-path", "/b", "/b/qbittorrent-nox", "--profile", "p"],
                 cwd=str(tmp_path))  # fmt: skip
    assert [p["pid"] for p in _profile.running(conf, str(proc))] == [201]


def test_default_profile_from_the_process_environment(proc, tmp_path):
    conf = _profile.default_conf(str(tmp_path))
    fake_process(proc, 301, ["qbittorrent-nox"], environ={"HOME": str(tmp_path)})
    fake_process(proc, 302, ["qbittorrent-nox", "--configuration=two"], environ={"HOME": str(tmp_path)})
    fake_process(proc, 303, ["qbittorrent-nox"], environ={"HOME": "/elsewhere"})
    assert [p["pid"] for p in _profile.running(conf, str(proc))] == [301]


def test_nothing_running(proc, tmp_path):
    assert _profile.running(_profile.profile_conf(str(tmp_path / "p")), str(proc)) == []


@pytest.mark.parametrize("kind", ["posix", "flock"])
def test_the_profile_lockfile_held_by_a_process(tmp_path, kind):
    """qBittorrent before 5.2 holds an fcntl lock on <config>/lockfile (QtLockedFile), 5.2 and later a QLockFile
    (flock): /proc/locks shows either. The lock is taken here by this test's own process, on the real /proc."""
    if not os.path.exists("/proc/locks"):
        pytest.skip("no /proc/locks on this system")
    conf = _profile.profile_conf(str(tmp_path / "p"))
    os.makedirs(os.path.dirname(conf))
    with open(os.path.join(os.path.dirname(conf), "lockfile"), "w") as lock:
        (fcntl.lockf if kind == "posix" else fcntl.flock)(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        found = _profile.running(conf)
        assert [p["pid"] for p in found] == [os.getpid()]
        assert "holds the lock" in found[0]["how"]
    assert _profile.running(conf) == []


def test_qlockfile_pid_line(proc, tmp_path):
    """A QLockFile's first line is the process id; it counts when that process is a qBittorrent."""
    conf = _profile.profile_conf(str(tmp_path / "p"))
    os.makedirs(os.path.dirname(conf))
    fake_process(proc, 401, ["/usr/bin/qbittorrent-nox", "--profile=/somewhere/else"])
    lockfile = os.path.join(os.path.dirname(conf), "lockfile")
    with open(lockfile, "w") as out:
        out.write("401\nqbittorrent-nox\nhost\n")
    assert [p["pid"] for p in _profile.running(conf, str(proc))] == [401]
    with open(lockfile, "w") as out:
        out.write("402\nqbittorrent-nox\nhost\n")  # a stale lock file: no such process
    assert _profile.running(conf, str(proc)) == []
