# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Concurrency: five forks changing different categories, tags and torrents on one server at once, and three
servers changed at once. Every task succeeds and the final state, read directly, is exactly the state before plus
what was declared: nothing lost, nothing extra, nothing else touched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import relkit

WORKERS = 5


def inventory(folder: Path, hosts: dict[str, dict[str, Any]]) -> Path:
    path = folder / "inventory.json"
    common = {"ansible_connection": "local", "ansible_python_interpreter": relkit.PYTHON}
    data = {"all": {"hosts": {name: {**common, **values} for name, values in hosts.items()}}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def declared_tasks() -> list[dict[str, Any]]:
    """What every host declares, from its own host variables: create, then change (a second write on the same
    objects while the other forks write theirs)."""
    login = {"url": "{{ qbt_url }}", "username": "{{ qbt_username }}", "password": "{{ qbt_password }}"}
    return [
        relkit.task("category", "qbt_category", {**login, "name": "{{ name }}", "save_path": "{{ base }}/first"}),
        relkit.task("tag", "qbt_tag", {**login, "tags": ["{{ name }}"]}),
        relkit.task(
            "torrent",
            "qbt_torrent",
            {
                **login,
                "source": "{{ torrent }}",
                "save_path": "{{ data }}",
                "category": "{{ name }}",
                "tags": ["{{ name }}"],
            },
        ),  # fmt: skip
        relkit.task("category again", "qbt_category", {**login, "name": "{{ name }}", "save_path": "{{ base }}/end"}),
        relkit.task(
            "torrent again",
            "qbt_torrent",
            {**login, "hash": "{{ hash }}", "state": "stopped", "upload_limit": "{{ limit }}"},
        ),  # fmt: skip
    ]


def expected_after(before: dict, plan: dict[str, dict[str, Any]]) -> dict[str, Any]:
    categories = dict(before["categories"])
    tags = set(before["tags"])
    torrents = {h: dict(t) for h, t in before["torrents"].items()}
    for values in plan.values():
        categories[values["name"]] = f"{values['base']}/end"
        tags.add(values["name"])
        torrents[values["hash"]] = {"category": values["name"], "tags": [values["name"]], "state": "stopped",
                                    "up_limit": values["limit"]}  # fmt: skip
    return {"categories": categories, "tags": sorted(tags), "torrents": torrents}


def matches(after: dict, expected: dict) -> list[str]:
    problems = []
    have_categories = {name: entry["savePath"].rstrip("/") for name, entry in after["categories"].items()}
    for name, path in expected["categories"].items():
        if isinstance(path, dict):
            path = path["savePath"].rstrip("/")
        if have_categories.get(name) != path:
            problems.append(f"category {name}: {have_categories.get(name)!r}, expected {path!r}")
    problems += [f"unexpected category {name}" for name in set(have_categories) - set(expected["categories"])]
    if after["tags"] != expected["tags"]:
        problems.append(f"tags {after['tags']}, expected {expected['tags']}")
    if set(after["torrents"]) != set(expected["torrents"]):
        problems.append(f"torrents {sorted(after['torrents'])}, expected {sorted(expected['torrents'])}")
    for torrent_hash, wanted in expected["torrents"].items():
        have = after["torrents"].get(torrent_hash, {})
        different = {key: (have.get(key), value) for key, value in wanted.items() if have.get(key) != value}
        if different:
            problems.append(f"torrent {torrent_hash}: {different}")
    return problems


def settle(handles: list[relkit.Handle], befores: dict[str, dict], plans: dict[str, dict]) -> dict[str, list[str]]:
    """Read each server until it matches what was declared (stopping is asynchronous); the remaining problems."""
    problems: dict[str, list[str]] = {}

    def check() -> bool:
        problems.clear()
        for handle in handles:
            found = matches(handle.api.snapshot(), expected_after(befores[handle.key], plans[handle.key]))
            if found:
                problems[handle.key] = found
        return not problems

    try:
        relkit.poll(check, timeout=20, interval=0.3, what="the declared state")
    except AssertionError:
        pass
    return problems


def test_five_forks_on_one_server(fleet, ansible, workdir, seeded):
    handle = fleet["new"]
    folder = workdir / "concurrency-one"
    made = relkit.make_torrents(folder, "rel-fork-", WORKERS)
    hosts, plan = {}, {}
    for index, torrent in enumerate(made):
        name = f"w{index}"
        plan[name] = {
            "name": f"rel-fork-{index}", "base": f"{folder}/paths/{index}", "torrent": torrent["torrent"],
            "data": str(Path(torrent["data"]).parent), "hash": torrent["id"], "limit": 10240 * (index + 1),
        }  # fmt: skip
        hosts[name] = {
            **plan[name],
            "qbt_url": handle.proxy.tagged(f"fork-{index}"),
            "qbt_username": handle.username,
            "qbt_password": handle.password,
            "qbt_execution": "module" if index >= 3 else "in_process",  # both paths at once
        }
    path = inventory(folder, hosts)
    before = handle.api.snapshot()
    run = ansible.play(declared_tasks(), "concurrency-forks", hosts="all", inventory=path, forks=WORKERS)
    failed = [(r["host"], r["task"], r["result"].get("msg")) for r in run.records if r["status"] != "ok"]
    assert not failed and run.rc == 0, failed or run.output[-2000:]
    assert len(run.records) == WORKERS * len(declared_tasks())
    problems = settle([handle], {"new": before}, {"new": {n: plan[n] for n in plan}})
    assert not problems, problems
    # the five forks really overlapped: their first logins all came before the last fork's last request
    events = handle.proxy.requests_for()
    first_login = max(next(i for i, e in enumerate(events) if e.tag == f"fork-{n}") for n in range(WORKERS))
    last_request = min(max(i for i, e in enumerate(events) if e.tag == f"fork-{n}") for n in range(WORKERS))
    assert first_login < last_request, "the forks ran one after the other"


def test_three_servers_at_once(fleet, ansible, workdir, seeded):
    folder = workdir / "concurrency-three"
    hosts, plans, befores, handles = {}, {}, {}, []
    for key in ("old", "mid", "new"):
        handle = fleet[key]
        handles.append(handle)
        torrent = relkit.make_torrents(folder / key, "rel-three-", 1)[0]
        values = {
            "name": "rel-three", "base": f"{folder}/paths", "torrent": torrent["torrent"],
            "data": str(Path(torrent["data"]).parent), "hash": torrent["id"], "limit": 51200,
        }  # fmt: skip
        plans[key] = {key: values}
        hosts[f"qbt-{key}"] = {
            **values,
            "qbt_url": handle.proxy.tagged("three"),
            "qbt_username": handle.username,
            "qbt_password": handle.password,
        }
        befores[key] = handle.api.snapshot()
    path = inventory(folder, hosts)
    run = ansible.play(declared_tasks(), "concurrency-servers", hosts="all", inventory=path, forks=3)
    failed = [(r["host"], r["task"], r["result"].get("msg")) for r in run.records if r["status"] != "ok"]
    assert not failed and run.rc == 0, failed or run.output[-2000:]
    problems = settle(handles, befores, plans)
    assert not problems, problems
