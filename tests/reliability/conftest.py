# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the reliability suite: its own servers (through the harness), the playbook runner, the tally.

The suite starts the servers it needs itself (tests/harness/qbt_harness.py, profiles locked to loopback) and
stops them at the end; it needs no other step of tests/run. After every test, no proxy may hold a session that
was neither logged out nor dropped by the server. The counts are printed last and written to
tests/output/reliability/counts.json.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
COLLECTION = HERE.parents[1]
if COLLECTION.parent.parent.name == "ansible_collections":  # importable as ansible_collections.community.qbittorrent
    sys.path.insert(0, str(COLLECTION.parents[2]))

import relkit  # noqa: E402  pylint: disable=wrong-import-position

_IMPORT_ROOT: list[Path] = []
if COLLECTION.parent.parent.name != "ansible_collections":  # a checkout: import through a symlink tree
    _IMPORT_ROOT.append(relkit.tempdir("rel-import-"))
    _LINK = _IMPORT_ROOT[0] / "ansible_collections" / "community" / "qbittorrent"
    _LINK.parent.mkdir(parents=True)
    _LINK.symlink_to(COLLECTION)
    sys.path.insert(0, str(_IMPORT_ROOT[0]))


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("reliability")


def _interrupted(signum, frame):  # pylint: disable=unused-argument
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def fleet(workdir):
    """old (4.5.2), mid (5.1.x), new (5.3+) and tls (5.3+ over HTTPS), each behind a SessionProxy.

    Stopped at the end, also when the run is interrupted or terminated (SIGTERM runs the teardown); their profiles
    are deleted unless REL_KEEP=1."""
    previous = signal.signal(signal.SIGTERM, _interrupted)
    started = relkit.Fleet(workdir / "servers")
    try:
        yield started
    finally:
        started.stop()
        signal.signal(signal.SIGTERM, previous)
        if os.environ.get("REL_KEEP") != "1":
            shutil.rmtree(workdir / "servers", ignore_errors=True)


@pytest.fixture(scope="session")
def ansible(workdir) -> relkit.Ansible:
    return relkit.Ansible(workdir / "ansible")


@pytest.fixture(scope="session")
def seeded(fleet, workdir) -> dict:
    """The same non-trivial state on every main server, written directly (not by the collection): two categories,
    two tags, a seeding .torrent in a category with a tag, a stopped magnet, an RSS folder with a feed and a rule.
    Returns what was seeded (hashes, paths)."""
    made = relkit.make_torrents(workdir / "seed", "rel-seed-", 1)[0]
    link, link_hash = relkit.magnet("rel-seed-magnet")
    base = str(workdir / "seed")
    for handle in fleet.handles.values():
        api = handle.api
        api.post("torrents/createCategory", {"category": "rel-movies", "savePath": base + "/movies"})
        api.post("torrents/createCategory", {"category": "rel-tv", "savePath": ""})
        api.post("torrents/createTags", {"tags": "rel-keep,rel-hd"})
        with open(made["torrent"], "rb") as handle_file:
            api.post(
                "torrents/add",
                {"savepath": str(Path(made["data"]).parent), "category": "rel-movies", "tags": "rel-keep"},
                files={"torrents": ("seed.torrent", handle_file.read(), "application/x-bittorrent")},
            )
        stopped = "stopped" if handle.webapi >= (2, 11) else "paused"
        api.post("torrents/add", {"urls": link, "savepath": base + "/magnets", stopped: "true"})
        api.post("rss/addFolder", {"path": "Rel"})
        api.post("rss/addFeed", {"url": "http://127.0.0.1:9/rel-feed.xml", "path": "Rel\\Feed"})
        rule = {"enabled": False, "mustContain": "rel", "affectedFeeds": ["http://127.0.0.1:9/rel-feed.xml"]}
        api.post("rss/setRule", {"ruleName": "Rel rule", "ruleDef": json.dumps(rule)})
    for handle in fleet.handles.values():
        relkit.poll(
            lambda api=handle.api: (
                {t["hash"]: t for t in api.get("torrents/info")}.get(made["id"], {}).get("progress") == 1
            ),
            what="the seed torrent to be checked",
        )
    return {"torrent": made, "magnet": link, "magnet_hash": link_hash, "base": base}


def _open_sessions() -> set[tuple[str, str, str]]:
    return {(proxy.name, tag, sid[:6]) for proxy in relkit.TALLY.proxies for sid, tag in proxy.open_sessions().items()}


@pytest.fixture(autouse=True)
def no_session_left_open():
    """Every session a module opened through a proxy during the test is logged out (or was dropped by the server:
    a restart, an expiry). The total over the suite is in the counts."""
    before = _open_sessions()
    yield
    leaks = sorted(_open_sessions() - before)
    assert not leaks, f"sessions neither logged out nor dropped by the server (proxy, case, cookie): {leaks}"


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # pylint: disable=unused-argument
    data = relkit.TALLY.as_dict()
    relkit.OUTPUT.mkdir(parents=True, exist_ok=True)
    (relkit.OUTPUT / "counts.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    (relkit.OUTPUT / "counts.txt").write_text(relkit.TALLY.line() + "\n", encoding="utf-8")
    terminalreporter.section("reliability counts")
    for leak in data["secret_leaks"]:
        terminalreporter.write_line(f"SECRET LEAK: {leak}")
    for note in data["notes"]:
        terminalreporter.write_line(f"note: {note}")
    terminalreporter.write_line(f"faults survived: {', '.join(data['faults'])}")
    terminalreporter.write_line(relkit.TALLY.line())


def pytest_unconfigure(config):  # pylint: disable=unused-argument
    for root in _IMPORT_ROOT:
        shutil.rmtree(root, ignore_errors=True)
