# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qbt_torrent_policy against a fake 4.5.2-like server (every tracker URL in sync/maindata, the trackers' messages
read per torrent) or 5.0-like server (trackers read per torrent): the issue's example exactly as written (host
names that tests on real servers may not use), which torrents get which policy in both modes, grouped writes,
tracker edits, max_changes before any write, and masked passkeys."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _client
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput
from ansible_collections.community.qbittorrent.plugins.modules import qbt_torrent_policy
from ansible_collections.community.qbittorrent.tests.unit.plugins.module_utils.fake_server import (
    form,
    install,
    run_task,
    task_for,
    writes,
)

PASSKEY = "0123456789abcdef0123456789abcdef"
EXAMPLE = [
    {
        "name": "private tracker",
        "match": {"tracker_hosts": ["*.tracker.example"]},
        "set": {"add_tags": ["private"], "ratio_limit": 2.0, "seeding_time_limit": 20160},
    },
    {"name": "tv stops after two weeks", "match": {"categories": ["tv"]}, "set": {"seeding_time_limit": 20160}},
    {
        "name": "rotate the passkey",
        "match": {"tracker_hosts": ["old.tracker.example"]},
        "trackers": {
            "replace": [
                {
                    "regex": "^https://old\\.tracker\\.example/(\\w+)/announce$",
                    "replacement": "https://new.tracker.example/\\1/announce",
                }
            ]
        },
    },
    {"name": "unregistered", "match": {"tracker_message": "(?i)unregistered"}, "set": {"state": "absent"}},
]


def torrent(letter, category="", tags="", **extra):
    entry = {
        "hash": letter * 40,
        "name": f"t-{letter}",
        "category": category,
        "tags": tags,
        "state": "stalledUP",
        "save_path": "/data",
        "size": 1000,
        "ratio": 0.5,
        "added_on": 1_700_000_000,
        "seeding_time": 3600,
        "ratio_limit": -2,
        "seeding_time_limit": -2,
        "up_limit": 0,
        "dl_limit": 0,
        "auto_tmm": False,
        "trackers_count": 1,
    }
    entry.update(extra)
    return entry


class Server:
    """torrents/info, sync/maindata (every tracker URL, 4.3 to 4.5), torrents/trackers (per hash, as before 5.1)
    and the writes, applied to the entries."""

    def __init__(self, torrents, trackers, webapi="2.8.19"):
        self.torrents = {entry["hash"]: entry for entry in torrents}
        self.trackers = trackers  # hash -> [{url, tier, msg}]
        self.webapi = webapi
        self.reads = []

    def maindata(self, request):
        assert parse_qs(urlsplit(request.url).query)["rid"] == ["0"]
        self.reads.append("maindata")
        by_url = {}
        for torrent_hash, items in self.trackers.items():
            for item in items:
                by_url.setdefault(item["url"], []).append(torrent_hash)
        torrents = {h: {k: v for k, v in e.items() if k != "hash"} for h, e in self.torrents.items()}
        return 200, json.dumps({"rid": 1, "full_update": True, "torrents": torrents, "trackers": by_url})

    def info(self, request):
        query = parse_qs(urlsplit(request.url).query)
        wanted = query.get("hashes", [""])[0].split("|") if "hashes" in query else None
        self.reads.append("info")
        return 200, json.dumps([e for h, e in self.torrents.items() if wanted is None or h in wanted])

    def tracker_list(self, request):
        torrent_hash = parse_qs(urlsplit(request.url).query)["hash"][0]
        self.reads.append(f"trackers {torrent_hash[:1]}")
        return 200, json.dumps(self.trackers.get(torrent_hash, []))

    def add_tags(self, request):
        fields = form(request)
        for torrent_hash in fields["hashes"].split("|"):
            entry = self.torrents[torrent_hash]
            tags = {tag for tag in entry["tags"].split(", ") if tag} | set(fields["tags"].split(","))
            entry["tags"] = ", ".join(sorted(tags))
        return 200, ""

    def share_limits(self, request):
        fields = form(request)
        for torrent_hash in fields["hashes"].split("|"):
            self.torrents[torrent_hash]["ratio_limit"] = float(fields["ratioLimit"])
            self.torrents[torrent_hash]["seeding_time_limit"] = int(fields["seedingTimeLimit"])
        return 200, ""

    def edit_tracker(self, request):
        fields = form(request)
        for item in self.trackers[fields["hash"]]:
            if item["url"] == fields["origUrl"]:
                item["url"] = fields["newUrl"]
        return 200, ""

    def delete(self, request):
        for torrent_hash in form(request)["hashes"].split("|"):
            self.torrents.pop(torrent_hash)
        return 200, ""

    def routes(self):
        return {
            ("POST", "auth/login"): (200, "Ok."),
            ("POST", "auth/logout"): (200, ""),
            ("GET", "app/webapiVersion"): (200, self.webapi),
            ("GET", "torrents/info"): self.info,
            ("GET", "sync/maindata"): self.maindata,
            ("GET", "torrents/trackers"): self.tracker_list,
            ("GET", "torrents/categories"): (200, json.dumps({"tv": {"name": "tv", "savePath": ""}})),
            ("POST", "torrents/addTags"): self.add_tags,
            ("POST", "torrents/setShareLimits"): self.share_limits,
            ("POST", "torrents/editTracker"): self.edit_tracker,
            ("POST", "torrents/delete"): self.delete,
        }


def example_server(webapi="2.8.19"):
    torrents = [
        torrent("a"),  # a.tracker.example: private tracker
        torrent("b", category="tv"),  # no tracker
        torrent("c"),  # old.tracker.example with a passkey
        torrent("d"),  # unregistered
    ]
    torrents[1]["trackers_count"] = 0
    trackers = {
        "a" * 40: [{"url": "https://a.tracker.example/announce", "tier": 0, "msg": ""}],
        "c" * 40: [
            {"url": "udp://127.0.0.1:1/announce", "tier": 0, "msg": ""},
            {"url": f"https://old.tracker.example/{PASSKEY}/announce", "tier": 1, "msg": ""},
        ],
        "d" * 40: [{"url": "http://127.0.0.1:2/announce", "tier": 0, "msg": "Unregistered torrent"}],
    }
    return Server(torrents, trackers, webapi)


def run(monkeypatch, server, check_mode=False, **params):
    adapter = install(monkeypatch, _client, server.routes())
    result = run_task(qbt_torrent_policy, task_for(qbt_torrent_policy, check_mode, **params))
    return result, [(endpoint, form(request)) for endpoint, request in writes(adapter)]


def by_hash(result):
    return {entry["hash"][:1]: entry for entry in result["torrents"]}


@pytest.mark.parametrize(
    ("webapi", "first_read"),
    [("2.8.19", "maindata"), ("2.11.2", "info")],  # 4.5.2: URLs in sync/maindata; 5.0.0: per torrent
)
def test_the_example_as_written_in_check_mode_first_match(monkeypatch, webapi, first_read):
    server = example_server(webapi)
    result, writes = run(monkeypatch, server, check_mode=True, max_changes=500, policies=EXAMPLE)
    assert writes == []
    shown = by_hash(result)
    assert shown["a"]["policies"] == ["private tracker"]
    assert shown["a"]["changes"]["tags"] == {"before": [], "after": ["private"]}
    assert shown["b"]["policies"] == ["tv stops after two weeks"]
    # old.tracker.example matches *.tracker.example too: with first_match the rotation never reaches c
    assert shown["c"]["policies"] == ["private tracker"]
    assert "trackers" not in shown["c"]["changes"]
    assert shown["d"]["removed"] is True
    assert PASSKEY not in json.dumps(result)
    # one read of every torrent, then trackers only of torrents that have some (b has none): on 5.0 for their URLs;
    # on 4.5.2, where sync/maindata lists the URLs, only for the unregistered policy's messages, and only of d: a
    # and c match the first policy on their URLs, so with first_match the unregistered one never sees them
    expected = ["trackers d"] if first_read == "maindata" else ["trackers a", "trackers c", "trackers d"]
    assert server.reads == [first_read, *expected]
    assert result["counts"] == {"torrents": 4, "matched": 4, "changed": 4, "removed": 1}
    assert result["diff"]["after"]["d" * 40]["state"] == "absent"


def test_the_example_in_mode_all_groups_writes_and_keeps_the_tier(monkeypatch):
    server = example_server()
    result, writes = run(monkeypatch, server, max_changes=500, mode="all", policies=EXAMPLE)
    assert result["changed"]
    shown = by_hash(result)
    assert shown["c"]["policies"] == ["private tracker", "rotate the passkey"]
    assert shown["c"]["changes"]["trackers"]["after"][1] == "https://new.tracker.example/********/announce"
    assert PASSKEY not in json.dumps(result)
    endpoints = [endpoint for endpoint, _fields in writes]
    assert endpoints == [
        "torrents/setShareLimits",  # a and c (ratio and seeding time), one request
        "torrents/setShareLimits",  # b (seeding time only, its ratio limit kept)
        "torrents/addTags",  # a and c, one request
        "torrents/editTracker",
        "torrents/delete",
    ]
    assert writes[0][1]["hashes"] == "a" * 40 + "|" + "c" * 40
    assert writes[1][1] == {"hashes": "b" * 40, "ratioLimit": "-2", "seedingTimeLimit": "20160"}
    edit = writes[3][1]
    assert edit == {
        "hash": "c" * 40,
        "origUrl": f"https://old.tracker.example/{PASSKEY}/announce",
        "newUrl": f"https://new.tracker.example/{PASSKEY}/announce",
    }
    assert server.trackers["c" * 40][1]["tier"] == 1
    assert "d" * 40 not in server.torrents
    again, writes = run(monkeypatch, server, max_changes=500, mode="all", policies=EXAMPLE)
    assert not again["changed"] and writes == []


def test_mode_all_applies_every_matching_policy_and_a_later_value_wins(monkeypatch):
    server = example_server()
    policies = [
        {"name": "everything", "match": {"all": True}, "set": {"ratio_limit": 1.0, "add_tags": ["x"]}},
        {"name": "a", "match": {"name": "^t-a$"}, "set": {"ratio_limit": 3.0, "remove_tags": ["x"]}},
    ]
    result, writes = run(monkeypatch, server, check_mode=True, mode="all", policies=policies)
    shown = by_hash(result)
    assert shown["a"]["changes"] == {"ratio_limit": {"before": -2, "after": 3.0}}
    assert shown["a"]["policies"] == ["a"]
    assert shown["b"]["changes"]["ratio_limit"]["after"] == 1.0
    assert shown["b"]["policies"] == ["everything"]
    assert [p["matched"] for p in result["policies"]] == [4, 1]


def test_max_changes_refuses_before_any_write(monkeypatch):
    server = example_server()
    with pytest.raises(InvalidInput, match=r"4 torrents would change .*raise max_changes to 4"):
        run(monkeypatch, server, max_changes=3, policies=EXAMPLE)
    assert len(server.torrents) == 4


@pytest.mark.parametrize(
    "policy, problem",
    [
        ({"name": "p", "match": {}, "set": {"add_tags": ["x"]}}, "the match is empty"),
        ({"name": "p", "match": {"name": "("}, "set": {"add_tags": ["x"]}}, "not a valid regular expression"),
        ({"name": "p", "match": {"all": True, "name": "x"}, "set": {"add_tags": ["x"]}}, "cannot be given too"),
        ({"name": "p", "match": {"all": True}}, "the policy sets nothing"),
        ({"name": "p", "match": {"all": True}, "set": {"delete_files": True}}, "only applies with state: absent"),
        ({"name": "p", "match": {"added_before": "soon"}, "set": {"add_tags": ["x"]}}, "is not a date"),
        ({"name": "p", "match": {"all": True}, "trackers": {"add": ["ftp://x"]}}, "is not a tracker URL"),
    ],
)
def test_bad_policies_are_refused_before_any_request_but_the_version(monkeypatch, policy, problem):
    server = example_server()
    with pytest.raises(InvalidInput, match=problem):
        run(monkeypatch, server, policies=[policy])
    assert server.reads == []


def test_criteria_the_server_lacks_are_refused_by_option_before_any_read(monkeypatch):
    server = example_server()
    routes = server.routes
    server.routes = lambda: {**routes(), ("GET", "app/webapiVersion"): (200, "2.5.1")}  # qBittorrent 4.2.5
    policies = [
        {"name": "p", "match": {"private": False}, "set": {"add_tags": ["x"]}},
        {"name": "s", "match": {"min_seeding_time": 1, "max_seeding_time": 600}, "set": {"add_tags": ["y"]}},
    ]
    with pytest.raises(InvalidInput) as refused:
        run(monkeypatch, server, policies=policies)
    message = str(refused.value)
    assert "policies[0].match.private: matching on private needs qBittorrent 4.5.1" in message
    assert "policies[1].match.min_seeding_time: matching on seeding time needs qBittorrent 4.3.4" in message
    assert "policies[1].match.max_seeding_time" in message
    assert server.reads == []


def test_tracker_urls_on_4_5_cost_one_read_and_messages_only_the_torrents_the_urls_selected(monkeypatch):
    server = example_server()
    server.trackers["e" * 40] = [{"url": "https://old.tracker.example/x/announce", "tier": 0, "msg": "Unregistered"}]
    server.torrents["e" * 40] = torrent("e")
    policies = EXAMPLE[:3] + [
        {
            "name": "unregistered on old",
            "match": {"tracker_hosts": ["old.tracker.example"], "tracker_message": "(?i)unregistered"},
            "set": {"state": "absent"},
        }
    ]
    result, writes = run(monkeypatch, server, check_mode=True, mode="all", policies=policies)
    assert writes == []
    # the URLs of every torrent come with the one maindata read; messages only of c and e (old.tracker.example)
    assert server.reads == ["maindata", "trackers c", "trackers e"]
    shown = by_hash(result)
    assert shown["e"]["removed"] is True
    assert "removed" not in shown["c"] or shown["c"]["removed"] is not True
    assert "d" not in shown  # unregistered, but not on old.tracker.example
    # c was read for its messages: its list is the server's, in tier order
    assert shown["c"]["changes"]["trackers"]["after"] == [
        "udp://127.0.0.1:1/announce",
        "https://new.tracker.example/********/announce",
    ]


def test_without_a_message_criterion_4_5_reads_the_trackers_only_of_torrents_they_change(monkeypatch):
    server = example_server()
    result, writes = run(monkeypatch, server, check_mode=True, max_changes=500, mode="all", policies=EXAMPLE[:3])
    # maindata lists a torrent's URLs in no order: only c, whose trackers change, is read again for its list in
    # tier order
    assert server.reads == ["maindata", "trackers c"]
    assert by_hash(result)["c"]["changes"]["trackers"] == {
        "before": ["udp://127.0.0.1:1/announce", "https://old.tracker.example/********/announce"],
        "after": ["udp://127.0.0.1:1/announce", "https://new.tracker.example/********/announce"],
    }
    result, writes = run(monkeypatch, server, max_changes=500, mode="all", policies=EXAMPLE[:3])
    assert ("torrents/editTracker", {"hash": "c" * 40, "origUrl": f"https://old.tracker.example/{PASSKEY}/announce",
            "newUrl": f"https://new.tracker.example/{PASSKEY}/announce"}) in writes  # fmt: skip
    assert server.trackers["c" * 40][1] == {
        "url": f"https://new.tracker.example/{PASSKEY}/announce", "tier": 1, "msg": ""}  # fmt: skip
    assert result["changed"] is True
    server.reads.clear()
    result, writes = run(monkeypatch, server, max_changes=500, mode="all", policies=EXAMPLE[:3])
    assert (server.reads, writes, result["changed"]) == (["maindata"], [], False)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("first_match", ["info", "trackers a", "trackers c", "trackers d"]),
     ("all", ["info", "trackers a", "trackers b", "trackers c", "trackers d"])],
)  # fmt: skip
def test_first_match_reads_no_trackers_of_a_torrent_an_earlier_policy_takes_on_5_0(monkeypatch, mode, expected):
    server = example_server("2.11.2")
    server.torrents["b" * 40]["trackers_count"] = 1  # b has a tracker too, and is in tv
    policies = [EXAMPLE[1], EXAMPLE[0]]  # tv first: decided by torrents/info alone
    result, writes = run(monkeypatch, server, check_mode=True, mode=mode, policies=policies)
    assert server.reads == expected
    assert by_hash(result)["b"]["policies"] == ["tv stops after two weeks"]


def test_an_earlier_policy_on_private_does_not_hide_a_later_one_before_5_0(monkeypatch):
    # before 5.0 private is read per torrent: a policy testing it cannot say on torrents/info alone that it matches,
    # so the later tracker policy still reads the trackers of every torrent with some
    server = example_server("2.11.2")
    policies = [
        {"name": "public tv", "match": {"categories": ["tv"], "private": False}, "set": {"ratio_limit": 1.0}},
        EXAMPLE[0],
    ]
    server.torrents["b" * 40]["trackers_count"] = 1
    properties = {"is_private": False}
    routes = server.routes
    server.routes = lambda: {**routes(), ("GET", "torrents/properties"): (200, json.dumps(properties))}
    run(monkeypatch, server, check_mode=True, policies=policies)
    assert [read for read in server.reads if read.startswith("trackers")] == [
        "trackers a", "trackers b", "trackers c", "trackers d"]  # fmt: skip
