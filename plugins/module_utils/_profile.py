# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a qBittorrent profile keeps qBittorrent.conf, and whether a qBittorrent process is using it.

Paths follow src/base/profile_p.cpp: with --profile=DIR (CustomProfile::CustomProfile) the configuration is
DIR/qBittorrent/config/qBittorrent.conf; without it (DefaultProfile::configLocation, QStandardPaths'
GenericConfigLocation) it is $XDG_CONFIG_HOME/qBittorrent/qBittorrent.conf, ~/.config when XDG_CONFIG_HOME is unset.
--configuration=NAME makes the folder qBittorrent_NAME (profileName). The linuxserver image runs qbittorrent-nox with
HOME and XDG_CONFIG_HOME at /config, hence /config/qBittorrent/qBittorrent.conf.

A running qBittorrent holds a lock on the file "lockfile" next to qBittorrent.conf (src/app/localpeer.cpp,
LocalPeer::LocalPeer and isClient: a QLockFile since 5.2, whose first line is the process id; the QtLockedFile of
src/app/qtlocalpeer before that, an fcntl lock). Linux lists every such lock in /proc/locks, and the processes'
command lines in /proc/<pid>/cmdline: both are read here, so a server started by hand, by systemd or by a test is
found alike.
"""

from __future__ import annotations

import os
import pwd

CONF_NAME = "qBittorrent.conf"
LINUXSERVER_CONF = "/config/qBittorrent/qBittorrent.conf"


def folder_name(configuration: str | None) -> str:
    """profileName(): qBittorrent, or qBittorrent_NAME for --configuration=NAME."""
    return f"qBittorrent_{configuration}" if configuration else "qBittorrent"


def profile_conf(profile: str, configuration: str | None = None) -> str:
    """qBittorrent.conf of a --profile directory."""
    return os.path.join(profile, folder_name(configuration), "config", CONF_NAME)


def default_conf(home: str | None = None, xdg_config_home: str | None = None, configuration: str | None = None) -> str:
    """qBittorrent.conf of the default profile for a user with HOME (and XDG_CONFIG_HOME)."""
    base = xdg_config_home or os.path.join(home or os.path.expanduser("~"), ".config")
    return os.path.join(base, folder_name(configuration), CONF_NAME)


def candidates(configuration: str | None = None) -> list[str]:
    """The places looked at when no path or profile is given, in order."""
    found = [default_conf(os.path.expanduser("~"), os.environ.get("XDG_CONFIG_HOME"), configuration)]
    if not configuration:
        found.append(LINUXSERVER_CONF)
    return found


def locate(path: str | None, profile: str | None, configuration: str | None = None) -> tuple[str, str]:
    """(qBittorrent.conf, how it was chosen): PATH, else PROFILE's, else the first candidate that exists, else the
    first candidate (the default profile of the user the module runs as)."""
    if path:
        return os.path.abspath(os.path.expanduser(path)), "path"
    if profile:
        return os.path.abspath(profile_conf(os.path.expanduser(profile), configuration)), "profile"
    places = candidates(configuration)
    for place in places:
        if os.path.isfile(place):
            return place, "found"
    return places[0], "default"


def _same_file(one: str, other: str) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return os.path.realpath(one) == os.path.realpath(other)


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def cmdline(pid: int, proc: str = "/proc") -> list[str]:
    data = _read(f"{proc}/{pid}/cmdline") or b""
    return [arg.decode("utf-8", "surrogateescape") for arg in data.split(b"\0") if arg]


def is_qbittorrent(argv: list[str]) -> bool:
    """Whether a command line runs qBittorrent (directly, or through a loader as an unpacked build does)."""
    return any(os.path.basename(arg) in ("qbittorrent", "qbittorrent-nox") for arg in argv if not arg.startswith("-"))


def _option(argv: list[str], name: str) -> str | None:
    for index, arg in enumerate(argv):
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
        if arg == name and index + 1 < len(argv):
            return argv[index + 1]
    return None


def _environ(pid: int, proc: str) -> dict[str, str]:
    data = _read(f"{proc}/{pid}/environ") or b""
    pairs = (item.decode("utf-8", "surrogateescape").split("=", 1) for item in data.split(b"\0") if b"=" in item)
    return dict(pair for pair in pairs if len(pair) == 2)


def _home_of(pid: int, proc: str) -> str | None:
    try:
        return pwd.getpwuid(os.stat(f"{proc}/{pid}").st_uid).pw_dir
    except (OSError, KeyError):
        return None


def process_conf(pid: int, argv: list[str], proc: str = "/proc") -> str | None:
    """The qBittorrent.conf a qBittorrent process with ARGV uses (None when it cannot be told)."""
    configuration = _option(argv, "--configuration")
    profile = _option(argv, "--profile")
    if profile:
        if not os.path.isabs(profile):
            try:
                profile = os.path.join(os.readlink(f"{proc}/{pid}/cwd"), profile)
            except OSError:
                return None
        return profile_conf(profile, configuration)
    env = _environ(pid, proc)
    home = env.get("HOME") or _home_of(pid, proc)
    if not home and not env.get("XDG_CONFIG_HOME"):
        return None
    return default_conf(home, env.get("XDG_CONFIG_HOME"), configuration)


def _lock_holders(lockfile: str, proc: str) -> list[int]:
    """The processes that /proc/locks says hold a lock on LOCKFILE."""
    try:
        info = os.stat(lockfile)
    except OSError:
        return []
    device = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    holders = []
    for line in (_read(f"{proc}/locks") or b"").decode("ascii", "replace").splitlines():
        fields = line.split()
        # "1: POSIX  ADVISORY  WRITE 20817 fe:00:2172996 0 EOF" (a blocked waiter has "->" after the number)
        fields = [f for f in fields if f != "->"]
        if len(fields) >= 6 and fields[5] == device and fields[4].isdigit():
            holders.append(int(fields[4]))
    return holders


def running(conf: str, proc: str = "/proc") -> list[dict]:
    """The qBittorrent processes using CONF: [{pid, how}], found by the profile's lockfile or a command line."""
    found: dict[int, str] = {}
    lockfile = os.path.join(os.path.dirname(conf), "lockfile")
    for pid in _lock_holders(lockfile, proc):
        if os.path.isdir(f"{proc}/{pid}"):
            found.setdefault(pid, f"holds the lock on {lockfile}")
    first = (_read(lockfile) or b"").split(b"\n", 1)[0].strip()
    if first.isdigit() and int(first) != os.getpid() and is_qbittorrent(cmdline(int(first), proc)):
        found.setdefault(int(first), f"is the process id written in {lockfile}")
    try:
        pids = [int(name) for name in os.listdir(proc) if name.isdigit()]
    except OSError:
        pids = []
    for pid in pids:
        if pid in found or pid == os.getpid():
            continue
        argv = cmdline(pid, proc)
        if argv and is_qbittorrent(argv):
            used = process_conf(pid, argv, proc)
            if used and _same_file(used, conf):
                found[pid] = "runs qBittorrent with this profile: " + " ".join(argv)[:300]
    return [{"pid": pid, "how": how} for pid, how in sorted(found.items())]
