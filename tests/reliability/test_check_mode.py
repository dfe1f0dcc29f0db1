# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check mode writes nothing: every module, every kind of change, run with --check --diff against the seeded
servers (5.3+ and 4.5.2), through the counting proxy under one URL tag per scenario.

Each scenario must report changed (so it is a change the module would make, and the proof is not empty), the proxy
must see no request that can write (every POST but login and logout) under its tag, and the whole state of the
server, read directly, must be identical before and after.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import Any

import pytest
import relkit

NEW_PROXY_PASSWORD = "rel-check-proxy-" + relkit.qbt_harness.secrets.token_urlsafe(10)
NEW_WEBUI_PASSWORD = "rel-check-webui-" + relkit.qbt_harness.secrets.token_urlsafe(10)
relkit.SECRETS.add(NEW_PROXY_PASSWORD, "a secret preference declared in check mode")
relkit.SECRETS.add(NEW_WEBUI_PASSWORD, "a WebUI password declared in check mode")
NEW_COOKIE_VALUE = "rel-check-cookie-" + relkit.qbt_harness.secrets.token_urlsafe(10)
relkit.SECRETS.add(NEW_COOKIE_VALUE, "a cookie value declared in check mode")


def scenarios(seeded: dict, server: str, workdir: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(id, module, args) of changes the module would make on the seeded server."""
    seed = seeded["torrent"]
    link, _hash = relkit.magnet(f"rel-check-{server}")
    files = relkit.make_torrents(Path(workdir) / f"check-{server}", "rel-check-", 2)
    feed = "http://127.0.0.1:9/rel-feed.xml"
    items: list[tuple[str, str, dict[str, Any]]] = [
        ("info", "qbt_info", {"gather_subset": ["all"]}),
        ("category create", "qbt_category", {"name": "rel-check", "save_path": "/tmp/rel-check"}),
        ("category modify", "qbt_category", {"name": "rel-movies", "save_path": "/tmp/rel-elsewhere"}),
        ("category download path", "qbt_category", {"name": "rel-tv", "download_path": "/tmp/rel-incomplete"}),
        ("category remove", "qbt_category", {"name": "rel-tv", "state": "absent"}),
        ("category purge", "qbt_category", {"categories": [{"name": "rel-movies"}, {"name": "rel-new/hd"}],
                                            "purge": True}),
        ("search plugin install", "qbt_search_plugin", {"plugins": [{"name": "relcheck", "enabled": False,
                                                                     "source": "http://127.0.0.1:9/relcheck.py"}]}),
        ("tag create", "qbt_tag", {"tags": ["rel-check-tag"]}),
        ("tag delete", "qbt_tag", {"tags": ["rel-hd"], "state": "absent"}),
        ("tag purge", "qbt_tag", {"tags": ["rel-keep"], "purge": True}),
        ("preferences", "qbt_preferences", {"preferences": {"dl_limit": 1048576, "max_ratio": 1.5,
                                                            "scan_dirs": {f"{workdir}/watch": 1}}}),
        ("preferences secret", "qbt_preferences", {"secret_preferences": {"proxy_password": NEW_PROXY_PASSWORD}}),
        ("preferences webui port", "qbt_preferences", {"preferences": {"web_ui_port": relkit.free_port()}}),
        ("preferences webui password", "qbt_preferences",
         {"secret_preferences": {"web_ui_password": NEW_WEBUI_PASSWORD}}),
        ("torrent add magnet", "qbt_torrent", {"source": link, "category": "rel-movies", "tags": ["rel-new"]}),
        ("torrent add file", "qbt_torrent", {"source": files[0]["torrent"], "save_path": str(Path(
            files[0]["data"]).parent), "state": "stopped"}),
        ("torrent stop", "qbt_torrent", {"hash": seed["id"], "state": "stopped"}),
        ("torrent start", "qbt_torrent", {"hash": seeded["magnet_hash"], "state": "started"}),
        ("torrent properties", "qbt_torrent", {"hash": seed["id"], "category": "rel-tv", "tags": ["rel-hd"],
                                               "purge_tags": True, "upload_limit": 102400, "ratio_limit": 2,
                                               "name": "rel renamed", "super_seeding": True}),
        ("torrent move", "qbt_torrent", {"hash": seed["id"], "save_path": "/tmp/rel-moved"}),
        ("torrent trackers", "qbt_torrent", {"hash": seed["id"], "trackers": ["http://127.0.0.1:9/announce"]}),
        ("torrent new category", "qbt_torrent", {"hash": seed["id"], "category": "rel-made", "create_category": True}),
        ("torrent remove", "qbt_torrent", {"hash": seeded["magnet_hash"], "state": "absent", "delete_files": True}),
        ("torrents bulk", "qbt_torrent", {"torrents": [
            {"source": files[1]["torrent"], "save_path": str(Path(files[1]["data"]).parent)},
            {"hash": seed["id"], "download_limit": 204800},
            {"hash": seeded["magnet_hash"], "state": "absent"}]}),
        ("feed add", "qbt_rss_feed", {"path": "Rel\\New", "feed_url": "http://127.0.0.1:9/rel-new.xml"}),
        ("feed folder", "qbt_rss_feed", {"path": "Rel\\Sub\\Folder"}),
        ("feed move", "qbt_rss_feed", {"feeds": [{"path": "Rel\\Feed", "state": "absent"},
                                                 {"path": "Moved\\Feed", "url": feed}]}),
        ("feed url", "qbt_rss_feed", {"path": "Rel\\Feed", "feed_url": "http://127.0.0.1:9/rel-other.xml"}),
        ("feed remove", "qbt_rss_feed", {"path": "Rel", "state": "absent"}),
        ("feed purge", "qbt_rss_feed", {"feeds": [{"path": "Other"}], "purge": True}),
        ("rule add", "qbt_rss_rule", {"name": "Rel check rule", "must_contain": "check", "affected_feeds": [feed]}),
        ("rule modify", "qbt_rss_rule", {"name": "Rel rule", "enabled": True, "category": "rel-movies"}),
        ("rule remove", "qbt_rss_rule", {"name": "Rel rule", "state": "absent"}),
        ("rule purge", "qbt_rss_rule", {"rules": [{"name": "Other rule"}], "purge": True}),
        ("transfer alternative on", "qbt_transfer", {"alternative_speed_limits": True}),
        ("policy tag every torrent", "qbt_torrent_policy",
         {"policies": [{"name": "rel", "match": {"all": True}, "set": {"add_tags": ["rel-policy"]}}]}),
    ]  # fmt: skip
    if server == "new":
        items += [
            ("api key rotate", "qbt_api_key", {"rotate": True}),
            ("api key delete", "qbt_api_key", {"state": "absent"}),
            ("feed interval", "qbt_rss_feed", {"path": "Rel\\Feed", "feed_url": feed, "refresh_interval": 600}),
            ("torrent share action", "qbt_torrent", {"hash": seed["id"], "share_limit_action": "Stop"}),
            (
                "category share limits",
                "qbt_category",
                {"name": "rel-movies", "ratio_limit": 2, "share_limit_action": "Stop"},
            ),
            ("cookie create", "qbt_cookie", {"name": "rel-check", "domain": "tracker.example.org",
                                             "value": NEW_COOKIE_VALUE, "expiration": 4102444800}),
        ]  # fmt: skip
    return items


@pytest.fixture(scope="module")
def check_runs(fleet, ansible, seeded, workdir):
    """One --check --diff run per server, side by side; the module path (one scenario of each module) on new."""
    chosen = {server: scenarios(seeded, server, str(workdir)) for server in ("new", "old")}
    plays = {}
    for server, items in chosen.items():
        plays[server] = [
            relkit.task(f"{server}: {name}", module, {**fleet[server].login_options(tag=_tag(server, name,
                        "in_process")), **args}, ignore_errors=True)
            for name, module, args in items
        ]  # fmt: skip
    first = {}
    for name, module, args in chosen["new"]:
        first.setdefault(module, (name, args))
    plays["new"] += [
        relkit.task(f"module: {name}", module, {**fleet["new"].login_options(tag=_tag("new", name, "module")), **args},
                    ignore_errors=True, vars={"qbt_execution": "module"})
        for module, (name, args) in first.items()
    ]  # fmt: skip
    before = {server: fleet[server].api.snapshot() for server in chosen}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = {
            server: pool.submit(ansible.play, tasks, f"check-mode-{server}", check=True, diff=True)
            for server, tasks in plays.items()
        }
        runs = {server: future.result() for server, future in futures.items()}
    after = {server: fleet[server].api.snapshot() for server in chosen}
    return {"runs": runs, "scenarios": chosen, "module": first, "before": before, "after": after}


def _tag(server: str, name: str, path: str) -> str:
    return f"check-{path}-{server}-{name.replace(' ', '-')}"


@pytest.mark.parametrize("server", ["new", "old"])
def test_check_mode_writes_nothing(check_runs, fleet, server):
    run = check_runs["runs"][server]
    problems = []
    rows = [
        (f"{server}: {name}", name, module, "in_process") for name, module, _args in check_runs["scenarios"][server]
    ]
    if server == "new":
        rows += [(f"module: {name}", name, module, "module") for module, (name, _args) in check_runs["module"].items()]
    for task_name, name, module, path in rows:
        record = run.record(task_name)
        result = record["result"]
        writes = fleet[server].proxy.writes(_tag(server, name, path))
        relkit.TALLY.check_writes += len(writes)
        relkit.TALLY.check_scenarios += 1
        if record["status"] != "ok":
            problems.append(f"{task_name} ({module}) failed in check mode: {result.get('msg')}")
        elif module != "qbt_info" and not result.get("changed"):
            problems.append(f"{task_name} ({module}) reports no change, so it proves nothing")
        elif module != "qbt_info" and not result.get("diff"):
            problems.append(f"{task_name} ({module}) shows no diff")
        if writes:
            problems.append(f"{task_name} ({module}) sent writes in check mode: {[w.endpoint for w in writes]}")
        if fleet[server].proxy.count(_tag(server, name, path)) == 0:
            problems.append(f"{task_name} ({module}) sent nothing through the proxy: the count proves nothing")
    assert not problems, "\n".join(problems)
    for part, value in check_runs["before"][server].items():
        assert check_runs["after"][server][part] == value, f"{server}: {part} changed during the check-mode run"
