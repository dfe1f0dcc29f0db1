# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qbt_info against a fake server: the torrent view on a 4.x server, matching articles by feed path (feeds with
the same name in two folders), and the version gate of rss/matchingArticles."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _client
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput, UnimplementedEndpoint
from ansible_collections.community.qbittorrent.plugins.modules import qbt_info
from ansible_collections.community.qbittorrent.tests.unit.plugins.module_utils.fake_server import (
    install,
    task_for,
)

ENTRY = {
    "hash": "aaaabbbbccccddddeeeeffff0000111122223333",
    "name": "debian.iso",
    "state": "pausedUP",
    "tags": "linux, iso",
    "up_limit": 0,
    "dl_limit": 1024,
    "seq_dl": False,
    "f_l_piece_prio": True,
    "total_size": 1000,
    "size": 1000,
}
ITEMS = {
    "Shows": {"uid": "{1}", "url": "http://127.0.0.1/shows.xml"},
    "A": {"Dup": {"uid": "{2}", "url": "http://127.0.0.1/a.xml"}},
    "B": {"Dup": {"uid": "{3}", "url": "http://127.0.0.1/b.xml"}},
}
RULES = {
    "show": {"enabled": False, "affectedFeeds": ["http://127.0.0.1/shows.xml", "http://127.0.0.1/a.xml"]},
    "dup": {"enabled": True, "affectedFeeds": ["http://127.0.0.1/a.xml", "http://127.0.0.1/b.xml"]},
}
MATCHING = {"show": {"Shows": ["S01E01", "S01E02"], "Dup": ["S01E01"]}, "dup": {"Dup": ["S01E03"]}}


def matching(request):
    rule = parse_qs(urlsplit(request.url).query)["ruleName"][0]
    return (200, json.dumps(MATCHING.get(rule, {})))


def routes(webapi="2.8.3"):
    return {
        ("POST", "auth/login"): (200, "Ok."),
        ("POST", "auth/logout"): (200, ""),
        ("GET", "app/webapiVersion"): (200, webapi),
        ("GET", "app/version"): (200, "v4.5.2"),
        ("GET", "torrents/info"): (200, json.dumps([ENTRY])),
        ("GET", "torrents/tags"): (200, json.dumps(["zz", "aa"])),
        ("GET", "rss/items"): (200, json.dumps(ITEMS)),
        ("GET", "rss/rules"): (200, json.dumps(RULES)),
        ("GET", "rss/matchingArticles"): matching,
        ("GET", "app/preferences"): (200, "{}"),
        ("GET", "torrents/categories"): (200, "{}"),
        ("GET", "search/plugins"): (200, json.dumps([{"name": "p", "enabled": True, "version": "1.0"}])),
        ("GET", "transfer/speedLimitsMode"): (200, "1"),
    }


def run(fail_on_unimplemented_endpoint=True, **params):
    options = {"fail_on_unimplemented_endpoint": fail_on_unimplemented_endpoint}
    task = task_for(qbt_info, diff=False, client_options=options, **params)
    return qbt_info.run(task), task.client


def endpoints(adapter):
    return [urlsplit(request.url).path.split("/api/v2/")[-1] for request, _kwargs in adapter.requests]


def test_torrents_read_as_qbt_torrent_returns_them_with_the_raw_entry(monkeypatch):
    install(monkeypatch, _client, routes())
    result, _client_ = run(gather_subset=["torrents", "tags"])
    torrent = result["torrents"][0]
    assert torrent["state"] == "stoppedUP"
    assert torrent["tags"] == ["iso", "linux"]
    assert (torrent["upload_limit"], torrent["download_limit"]) == (0, 1024)
    assert torrent["sequential_download"] is False and torrent["first_last_piece_priority"] is True
    assert torrent["has_metadata"] is True
    assert "up_limit" not in torrent and torrent["size"] == 1000 and "total_size" not in torrent
    assert torrent["raw"] == ENTRY
    assert result["tags"] == ["aa", "zz"]


def test_matching_articles_by_feed_path(monkeypatch):
    adapter = install(monkeypatch, _client, routes())
    result, _client_ = run(gather_subset=["rss_matching"])
    assert result["rss_matching"] == {
        # Dup is the name of one of the rule's feeds (A\Dup): its path
        "show": {"Shows": ["S01E01", "S01E02"], "A\\Dup": ["S01E01"]},
        # two of the rule's feeds are named Dup: the server's name stays
        "dup": {"Dup": ["S01E03"]},
    }
    assert endpoints(adapter).count("rss/matchingArticles") == 2


def test_matching_articles_of_named_rules_only(monkeypatch):
    adapter = install(monkeypatch, _client, routes())
    result, _client_ = run(gather_subset=["rss_matching"], rss_rules=["dup"])
    assert result["rss_matching"] == {"dup": {"Dup": ["S01E03"]}}
    assert endpoints(adapter).count("rss/matchingArticles") == 1


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (
            {"gather_subset": ["rss_matching"], "rss_rules": ["dup", "typo"]},
            r"no rule named 'typo'; its rules are 'dup', 'show'",
        ),
    ],
)
def test_bad_rule_names_fail_before_matching(monkeypatch, params, words):
    adapter = install(monkeypatch, _client, routes())
    with pytest.raises(InvalidInput, match=words):
        run(**params)
    assert "rss/matchingArticles" not in endpoints(adapter)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"gather_subset": ["rss"], "rss_rules": ["dup"]}, "rss_rules: it only selects rules for the rss_matching"),
        ({"gather_subset": ["rss_matching"], "rss_rules": ["dup", "a\nb"]}, r"rss_rules\[1\]: .*control character"),
    ],
)
def test_bad_rule_options_fail_before_any_request(monkeypatch, params, words):
    adapter = install(monkeypatch, _client, routes())
    with pytest.raises(InvalidInput, match=words):
        run(**params)
    assert adapter.requests == []


def test_matching_articles_needs_4_2_5(monkeypatch):
    install(monkeypatch, _client, routes(webapi="2.2.0"))
    with pytest.raises(UnimplementedEndpoint, match=r"gather_subset rss_matching needs qBittorrent 4\.2\.5"):
        run(gather_subset=["rss_matching"])
    result, client = run(fail_on_unimplemented_endpoint=False, gather_subset=["rss_matching"])
    assert "rss_matching" not in result and "skipped" in client.warnings[0]
    result, client = run(gather_subset=["all"])
    assert "rss_matching" not in result and client.warnings == []
    assert result["search_plugins"]["p"]["enabled"] is True and result["search_plugins"]["p"]["version"] == "1.0"
    assert result["transfer"] == {"alternative_speed_limits": True}
