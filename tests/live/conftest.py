# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the live suites: the servers that tests/harness/qbt_harness.py started (QBT_SERVERS_JSON).

`server` runs a test on every listed server and `plain_server` on every plain-HTTP one; the other fixtures pick
one server by role and skip when the run has none.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

COLLECTION = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(COLLECTION / "tests" / "harness"))
if COLLECTION.parent.parent.name == "ansible_collections":  # importable as ansible_collections.community.qbittorrent
    sys.path.insert(0, str(COLLECTION.parents[2]))

import qbt_harness  # noqa: E402  pylint: disable=wrong-import-position


def _load() -> dict | None:
    path = os.environ.get("QBT_SERVERS_JSON")
    if not path:
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _webapi(server: dict) -> tuple[int, ...]:
    return tuple(int(n) for n in server["webapi_version"].split("."))


def pytest_collection_modifyitems(items):
    """Without QBT_SERVERS_JSON there is nothing to test against: skip the whole suite."""
    if os.environ.get("QBT_SERVERS_JSON"):
        return
    skip = pytest.mark.skip(reason="QBT_SERVERS_JSON is not set (start servers with tests/harness/qbt_harness.py)")
    for item in items:
        item.add_marker(skip)


def pytest_generate_tests(metafunc):
    """`server`: once for every server in servers.json; `plain_server`: once for every plain-HTTP one."""
    listed = (_load() or {"servers": []})["servers"]
    for name, chosen in (("server", listed), ("plain_server", [s for s in listed if not s["https"]])):
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, chosen, ids=[s["name"] for s in chosen])


@pytest.fixture(scope="session")
def harness_state() -> dict:
    """The whole servers.json: servers, tls, builds."""
    listing = _load()
    if listing is None:
        pytest.skip("QBT_SERVERS_JSON is not set")
    return listing


@pytest.fixture(scope="session")
def servers(harness_state) -> list[dict]:
    """Every started server's servers.json entry."""
    return harness_state["servers"]


@pytest.fixture(scope="session")
def tls(harness_state) -> dict:
    """Paths of the private CA, the leaf it signed and a separate self-signed pair."""
    if not harness_state["tls"]:
        pytest.skip("no TLS material: the harness ran without --https")
    return harness_state["tls"]


def _pick(servers: list[dict], why: str, test) -> dict:
    chosen = [s for s in servers if test(s)]
    if not chosen:
        pytest.skip(f"no server in this run is {why}")
    return max(chosen, key=_webapi)  # the newest that fits


@pytest.fixture(scope="session")
def https_server(servers) -> dict:
    """The server that speaks HTTPS with the private CA's certificate."""
    return _pick(servers, "serving HTTPS", lambda s: s["https"])


@pytest.fixture(scope="session")
def key_server(servers) -> dict:
    """A plain-HTTP server with an API key (5.2+)."""
    return _pick(servers, "a plain-HTTP server with an API key", lambda s: s["api_key"] and not s["https"])


@pytest.fixture(scope="session")
def old_server(servers) -> dict:
    """The newest server without API keys (before 5.2)."""
    return _pick(servers, "a server without API keys", lambda s: not s["api_key"] and not s["https"])


@pytest.fixture(scope="session")
def v4_server(servers) -> dict:
    """A 4.x server."""
    return _pick(servers, "a 4.x server", lambda s: s["version"].startswith("4.") and not s["https"])


@pytest.fixture(scope="session")
def new_server(servers) -> dict:
    """The newest plain-HTTP server (5.x)."""
    return _pick(servers, "a plain-HTTP 5.x server", lambda s: not s["version"].startswith("4.") and not s["https"])


@pytest.fixture
def ban_server(harness_state, tmp_path):
    """A fresh server of the newest build that bans an IP after 2 failed logins; stopped after the test."""
    builds = harness_state["builds"]
    version = max(builds, key=lambda v: qbt_harness.version_tuple(builds[v]["version"]))
    server = qbt_harness.Server(
        qbt_harness.fetch_build(version),
        tmp_path / "ban",
        name="qbt_ban",
        extra_config={"Preferences": {"WebUI\\MaxAuthenticationFailCount": "2", "WebUI\\BanDuration": "3600"}},
    )
    server.start()
    try:
        yield server.describe()
    finally:
        server.stop()
