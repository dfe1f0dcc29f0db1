# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RSS paths, the feed tree, rule serialisation (4.5 legacy and 4.6+ torrentParams), normalisation and planning.

The server shapes below are what rss/items and rss/rules answered on 4.5.2, 5.1.0 and 5.3.0.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _fields
from ansible_collections.community.qbittorrent.plugins.module_utils import _rss_feeds as feeds
from ansible_collections.community.qbittorrent.plugins.module_utils import _rss_rules as rules
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput, QbtError

# rss/rules on 4.5.2 for a rule made from {"torrentParams": {...}}: the legacy keys only.
RULE_45 = {
    "addPaused": None,
    "affectedFeeds": [],
    "assignedCategory": "",
    "enabled": True,
    "episodeFilter": "",
    "ignoreDays": 0,
    "lastMatch": "",
    "mustContain": "",
    "mustNotContain": "",
    "previouslyMatchedEpisodes": [],
    "savePath": "",
    "smartFilter": False,
    "torrentContentLayout": None,
    "useRegex": False,
}
# rss/rules on 5.1.0 after a match: legacy keys mirror torrentParams.
RULE_51 = {
    "addPaused": True,
    "affectedFeeds": ["http://127.0.0.1:18710/feed.xml"],
    "assignedCategory": "tv",
    "enabled": True,
    "episodeFilter": "",
    "ignoreDays": 0,
    "lastMatch": "25 Nov 2026 06:09:04 +0000",
    "mustContain": "Show S01E02",
    "mustNotContain": "",
    "previouslyMatchedEpisodes": ["1x2"],
    "priority": 0,
    "savePath": "/tmp/x",
    "smartFilter": True,
    "torrentContentLayout": "Subfolder",
    "torrentParams": {
        "category": "tv",
        "content_layout": "Subfolder",
        "download_limit": -1,
        "download_path": "",
        "inactive_seeding_time_limit": -2,
        "operating_mode": "AutoManaged",
        "ratio_limit": -2,
        "save_path": "/tmp/x",
        "seeding_time_limit": -2,
        "share_limit_action": "Default",
        "skip_checking": False,
        "ssl_certificate": "",
        "ssl_dh_params": "",
        "ssl_private_key": "",
        "stopped": True,
        "tags": ["a", "b"],
        "upload_limit": -1,
        "use_auto_tmm": False,
    },
    "useRegex": False,
}


# ----------------------------------------------------------------------------------------------- validation
@pytest.mark.parametrize("path", ["A", "Series\\Anime", "A\\B\\C", "Slash/Name", "with space\\x"])
def test_valid_item_paths(path):
    assert feeds.item_path("path", path) == path


@pytest.mark.parametrize(
    "path, message",
    [
        ("", "cannot be empty"),
        ("A\\", "not a valid RSS path"),
        ("\\A", "not a valid RSS path"),
        ("A\\\\B", "not a valid RSS path"),
        ("\\", "not a valid RSS path"),
        (" A", "starts or ends with spaces"),
        ("A ", "starts or ends with spaces"),
    ],
)
def test_invalid_item_paths(path, message):
    with pytest.raises(InvalidInput, match=message):
        feeds.item_path("path", path)


def test_rule_names_and_urls():
    assert _fields.text("name", "My Show", "rule name", True) == "My Show"
    for bad in ("", "  ", " x", "x ", "a\nb"):
        with pytest.raises(InvalidInput):
            _fields.text("name", bad, "rule name", True)
    with pytest.raises(InvalidInput, match="cannot be empty"):
        _fields.url("url", " ")
    with pytest.raises(InvalidInput, match="spaces"):
        _fields.url("url", "http://x/ ")


def test_regex_check_warns_where_python_cannot_read_the_pattern():
    assert rules.regex_warning("must_contain", r"^Show S0[1-3]E\d+") is None
    assert rules.regex_warning("must_contain", r"(?<show>Show) (?<=Show )S01") is None  # PCRE named group, lookbehind
    assert rules.regex_warning("must_contain", "") is None
    assert "must_contain: Python cannot read 'Show (S01'" in rules.regex_warning("must_contain", "Show (S01")
    # valid PCRE that Python's re does not know: a warning, never a refusal
    assert "sent as it is" in rules.regex_warning("must_contain", r"\p{L}+")


def test_episode_filter_warns_where_qbittorrent_matches_nothing():
    for good in ("", "1x01-;", "1x2;8-15;5;30-;", "12X3;"):
        assert rules.episode_filter_warning("episode_filter", good) is None, good
    for bad in ("1x2", "S01E02", "2x01-2x10;3x01-;", "x1;", "1x;", "1xabc;"):
        assert "matches no article" in rules.episode_filter_warning("episode_filter", bad), bad


def test_rule_fields_check_and_normalise():
    problems = _fields.Problems()
    for name, value, message in [
        ("save_path", "rel", "not an absolute path"),
        ("tags", ["a,b"], "contains a comma"),
        ("ignore_days", -1, "ignore_days: -1 is out of range"),
        ("download_limit", -2, "download_limit: -2 is out of range"),
        ("seeding_time_limit", -3, "out of range"),
        ("ratio_limit", -1.5, "out of range"),
        ("ratio_limit", 1e300, "out of range"),
        ("affected_feeds", [""], "cannot be empty"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            rules.FIELDS[name].check(name, value)
    assert not problems.messages
    assert rules.FIELDS["tags"].check("tags", [" a ", "b"]) == ["a", "b"]
    assert rules.FIELDS["ratio_limit"].check("ratio_limit", -1) == -1


# ----------------------------------------------------------------------------------------------- normalisation
@pytest.mark.parametrize(
    "given, stored",
    [
        ("/srv/a//b/./c/", "/srv/a/b/c"),
        ("/srv/a/../b", "/srv/b"),
        ("/", "/"),
        ("/..", "/"),
        ("", ""),
        (None, None),
        ("C:\\dl\\tv\\", "C:/dl/tv"),
        ("C:/dl/tv", "C:/dl/tv"),
    ],
)
def test_clean_path_as_the_server_stores_paths(given, stored):
    assert _fields.normalize_path(given) == stored


def test_clean_tags_as_the_server_stores_tags():
    assert _fields.normalize_tags(["b", "a", "a", " c "]) == ["a", "b", "c"]
    assert _fields.normalize_tags([]) == []
    assert _fields.normalize_tags(None) is None


# ----------------------------------------------------------------------------------------------- the feed tree
ITEMS = {
    "Series": {
        "Anime": {"uid": "{1}", "url": "http://127.0.0.1/anime.xml", "refreshInterval": 900},
        "Empty": {},
        # A folder may hold a feed named 'url': it is still a folder.
        "Odd": {"url": {"uid": "{2}", "url": "http://127.0.0.1/odd.xml"}},
    },
    "Top": {"uid": "{3}", "url": "http://127.0.0.1/top.xml"},
}


def test_flatten_items_parents_first():
    flat = feeds.flatten_items(ITEMS, with_intervals=True)
    assert list(flat) == ["Series", "Series\\Anime", "Series\\Empty", "Series\\Odd", "Series\\Odd\\url", "Top"]
    assert flat["Series"] == {"path": "Series", "type": "folder"}
    assert flat["Series\\Odd"]["type"] == "folder"
    assert flat["Series\\Anime"] == {
        "path": "Series\\Anime",
        "type": "feed",
        "url": "http://127.0.0.1/anime.xml",
        "uid": "{1}",
        "refresh_interval": 900,
    }
    assert flat["Top"]["refresh_interval"] == 0  # the key is missing when the feed follows the global interval
    assert feeds.flatten_items(ITEMS, with_intervals=False)["Series\\Anime"]["refresh_interval"] is None


def test_flatten_items_with_data():
    tree = {"F": {"uid": "{1}", "url": "u", "title": "T", "lastBuildDate": "", "isLoading": False, "hasError": True,
                  "articles": [{"id": "a1", "title": "x"}]}}  # fmt: skip
    item = feeds.flatten_items(tree, with_intervals=False)["F"]
    assert item["has_error"] is True
    assert item["articles"] == [{"id": "a1", "title": "x"}]
    assert item["title"] == "T"


# ----------------------------------------------------------------------------------------------- rules
def test_rule_from_a_45_server_has_only_the_legacy_options():
    rule = rules.rule_from_server(RULE_45, modern=False)
    assert rule == {
        "enabled": True,
        "must_contain": "",
        "must_not_contain": "",
        "use_regex": False,
        "episode_filter": "",
        "smart_filter": False,
        "affected_feeds": [],
        "ignore_days": 0,
        "category": "",
        "save_path": "",
        "stopped": None,
        "content_layout": "Default",
        "last_match": "",
        "previously_matched_episodes": [],
    }


def test_rule_from_a_modern_server_reads_torrent_params():
    rule = rules.rule_from_server(RULE_51, modern=True)
    assert rule["category"] == "tv"
    assert rule["tags"] == ["a", "b"]
    assert rule["stopped"] is True
    assert rule["content_layout"] == "Subfolder"
    assert rule["ratio_limit"] == -2.0 and isinstance(rule["ratio_limit"], float)
    assert rule["share_limit_action"] == "Default"
    assert rule["priority"] == 0
    assert rule["last_match"] == "25 Nov 2026 06:09:04 +0000"
    assert rule["previously_matched_episodes"] == ["1x2"]
    assert "share_limit_action" not in rules.rule_from_server(RULE_51, modern=True, share_limits=False)


def test_rule_from_server_takes_single_strings_as_lists():
    rule = rules.rule_from_server({"affectedFeeds": "http://x", "previouslyMatchedEpisodes": "1x2"}, modern=False)
    assert rule["affected_feeds"] == ["http://x"]
    assert rule["previously_matched_episodes"] == ["1x2"]


def test_new_rule_is_the_servers_default():
    assert rules.new_rule(modern=True) == rules.rule_from_server({}, modern=True)
    assert rules.new_rule(modern=True)["enabled"] is True
    assert "tags" not in rules.new_rule(modern=False)


def test_round_trip_changes_nothing():
    assert rules.rule_to_server(RULE_45, {}, modern=False) == RULE_45
    modern = rules.rule_to_server(RULE_51, {}, modern=True)
    assert modern == {key: value for key, value in RULE_51.items() if key not in rules.LEGACY_KEYS}


def test_update_keeps_everything_else_and_the_server_owned_fields():
    sent = rules.rule_to_server(RULE_51, {"must_not_contain": "x265", "tags": ["z", "a"]}, modern=True)
    assert sent["mustNotContain"] == "x265"
    assert sent["lastMatch"] == "25 Nov 2026 06:09:04 +0000"
    assert sent["previouslyMatchedEpisodes"] == ["1x2"]
    assert sent["torrentParams"]["tags"] == ["a", "z"]
    assert sent["torrentParams"]["category"] == "tv"
    assert sent["torrentParams"]["skip_checking"] is False  # keys this module does not know are kept
    assert "assignedCategory" not in sent  # 4.6+ ignores legacy keys next to torrentParams
    assert RULE_51["torrentParams"]["tags"] == ["a", "b"]  # the server's object is not modified
    json.dumps(sent)


def test_modern_torrent_params():
    sent = rules.rule_to_server(RULE_51, {"save_path": "", "stopped": None, "content_layout": "Default"}, modern=True)
    params = sent["torrentParams"]
    assert params["save_path"] == ""
    assert "use_auto_tmm" not in params  # no save path: automatic management follows the global setting
    assert "stopped" not in params and "content_layout" not in params
    sent = rules.rule_to_server(None, {"save_path": "/d", "download_path": "/i", "ratio_limit": 1.5}, modern=True)
    assert sent["torrentParams"] == {
        "save_path": "/d",
        "use_auto_tmm": False,
        "download_path": "/i",
        "use_download_path": True,
        "ratio_limit": 1.5,
    }
    sent = rules.rule_to_server(sent, {"download_path": ""}, modern=True)
    assert "use_download_path" not in sent["torrentParams"]


def test_legacy_torrent_fields():
    sent = rules.rule_to_server(
        RULE_45,
        {"category": "tv", "save_path": "/tv", "stopped": True, "content_layout": "NoSubfolder", "enabled": False},
        modern=False,
    )
    assert sent["assignedCategory"] == "tv"
    assert sent["savePath"] == "/tv"
    assert sent["addPaused"] is True
    assert sent["torrentContentLayout"] == "NoSubfolder"
    assert sent["enabled"] is False
    assert "torrentParams" not in sent
    assert rules.rule_to_server(sent, {"content_layout": "Default"}, modern=False)["torrentContentLayout"] is None


def test_normalisers_make_a_second_run_quiet():
    from ansible_collections.community.qbittorrent.plugins.module_utils._diff import differences

    current = rules.rule_from_server(RULE_51, modern=True)
    desired = {
        "tags": ["b", "a", "b"],
        "save_path": "/tmp//x/",
        "ratio_limit": -2,
        "affected_feeds": ["http://127.0.0.1:18710/feed.xml"],
        "content_layout": "Subfolder",
    }
    assert differences(current, desired, rules.RULE_NORMALIZERS) == {}
    assert differences(current, {"content_layout": "Default"}, rules.RULE_NORMALIZERS) == {
        "content_layout": ("Subfolder", "Default")
    }


def test_resolve_feeds():
    items = feeds.flatten_items(ITEMS, with_intervals=False)
    warnings = []
    urls = rules.resolve_feeds(
        "affected_feeds", ["Series\\Anime", "http://127.0.0.1/top.xml", "https://new/x"], items, warnings.append
    )
    assert urls == ["http://127.0.0.1/anime.xml", "http://127.0.0.1/top.xml", "https://new/x"]
    assert len(warnings) == 1 and "https://new/x" in warnings[0]
    with pytest.raises(InvalidInput, match="'Series' is a folder"):
        rules.resolve_feeds("affected_feeds", ["Series"], items, warnings.append)
    with pytest.raises(InvalidInput, match="neither the path of a feed"):
        rules.resolve_feeds("affected_feeds", ["Series\\Missing"], items, warnings.append)
    with pytest.raises(InvalidInput, match="more than once"):
        rules.resolve_feeds("affected_feeds", ["Top", "http://127.0.0.1/top.xml"], items, warnings.append)
    # In check mode a missing path only warns: an earlier task of the run may only have predicted the feed.
    assert rules.resolve_feeds("f", ["Series\\Missing"], items, warnings.append, check_mode=True) == ["Series\\Missing"]
    assert "in check mode" in warnings[-1]
    with pytest.raises(InvalidInput, match="is a folder"):
        rules.resolve_feeds("f", ["Series"], items, warnings.append, check_mode=True)


class _Task:
    params = {"purge": False}
    client = None


def test_verify_rules_accepts_grown_server_fields_but_not_lost_ones():
    resource = rules.Rules(_Task())
    had = {"r": {"last_match": "d1", "previously_matched_episodes": ["1x2"]}}
    plan = resource.plan(had, {"r": {"must_contain": "x"}}, False)
    grown = {"r": {"must_contain": "x", "last_match": "d2", "previously_matched_episodes": ["1x2", "1x3"]}}
    resource.verify(grown, plan, had, {"r": {"must_contain": "x"}})
    with pytest.raises(QbtError, match="lost the server's last_match"):
        resource.verify({"r": {"must_contain": "x", "last_match": ""}}, plan, had, {"r": {"must_contain": "x"}})
    with pytest.raises(QbtError, match="lost the server's previously_matched_episodes"):
        lost = {"r": {"must_contain": "x", "last_match": "d1", "previously_matched_episodes": []}}
        resource.verify(lost, plan, had, {"r": {"must_contain": "x"}})
    with pytest.raises(QbtError, match="did not keep what the task declared: 'r'"):
        resource.verify({"r": {"must_contain": "y"}}, plan, had, {"r": {"must_contain": "x"}})
    with pytest.raises(QbtError, match="did not keep"):
        resource.verify({"gone": {}}, plan, had, {"gone": None})


# ----------------------------------------------------------------------------------------------- feed plans
def feed(url, interval=None):
    return {"type": "feed", "url": url, "uid": "{" + url + "}", "refresh_interval": interval}


FOLDER = {"type": "folder"}


def test_plan_creates_parents_top_down():
    plan = feeds.plan_feeds({}, {"A\\B\\F": {"type": "feed", "url": "u"}, "A\\B": FOLDER})
    assert plan.create_folders == ["A", "A\\B"]
    assert plan.add_feeds == {"A\\B\\F": {"url": "u", "refresh_interval": None}}
    assert plan.after["A\\B\\F"] == {"state": "present", "type": "feed", "url": "u"}
    with pytest.raises(InvalidInput, match="parent folder 'A' does not exist"):
        feeds.plan_feeds({}, {"A\\B\\F": {"type": "feed", "url": "u"}}, create_parents=False)
    # A parent declared in the same task is created even without create_parents.
    plan = feeds.plan_feeds({}, {"A": FOLDER, "A\\F": {"type": "feed", "url": "u"}}, create_parents=False)
    assert plan.create_folders == ["A"]


def test_plan_nothing_to_do():
    current = {"A": FOLDER, "A\\F": feed("u", 0)}
    assert not feeds.plan_feeds(current, {"A\\F": {"type": "feed", "url": "u", "refresh_interval": 0}, "A": FOLDER})
    assert not feeds.plan_feeds(current, {"A\\F": {"type": "feed", "url": "u"}}, purge=True)


def test_plan_url_and_interval_changes():
    current = {"F": feed("u", 0)}
    plan = feeds.plan_feeds(current, {"F": {"type": "feed", "url": "v", "refresh_interval": 60}})
    assert plan.set_url == {"F": ("u", "v")}
    assert plan.set_interval == {"F": (0, 60)}
    assert plan.diff.as_dict() == {
        "before": {"F": {"url": "u", "refresh_interval": 0}},
        "after": {"F": {"url": "v", "refresh_interval": 60}},
    }


def test_plan_refuses_a_url_held_by_another_feed():
    current = {"X": feed("u"), "Y": feed("v")}
    with pytest.raises(InvalidInput, match="already belongs to the feed 'X'"):
        feeds.plan_feeds(current, {"N": {"type": "feed", "url": "u"}})
    # Swapping two URLs is refused too: the first setFeedURL would collide.
    with pytest.raises(InvalidInput, match="already belongs"):
        feeds.plan_feeds(current, {"X": {"type": "feed", "url": "v"}, "Y": {"type": "feed", "url": "u"}})


def test_plan_moves_a_feed_whose_old_path_goes_away():
    current = {"Old": FOLDER, "Old\\F": feed("u"), "Old\\G": feed("w")}
    plan = feeds.plan_feeds(current, {"Old": None, "New\\F": {"type": "feed", "url": "u"}})
    assert plan.create_folders == ["New"]
    assert plan.moves == [("Old\\F", "New\\F")]
    assert plan.remove == ["Old"]  # removed after the move; Old\G goes with it
    assert plan.add_feeds == {}
    assert plan.after["Old\\F"] == {"state": "absent", "moved_to": "New\\F"}
    assert plan.after["Old\\G"] == {"state": "absent"}
    predicted = feeds.predicted_items(current, plan, intervals=False)
    assert list(predicted) == ["New", "New\\F"]
    assert predicted["New\\F"]["uid"] == "{u}"


def test_plan_frees_a_url_before_taking_it():
    current = {"X": feed("u"), "N": feed("v")}
    plan = feeds.plan_feeds(current, {"X": None, "N": {"type": "feed", "url": "u"}})
    assert plan.remove == ["X"] and plan.set_url == {"N": ("v", "u")} and not plan.moves


def test_plan_purge_keeps_parents_and_removes_top_items_only():
    current = {
        "A": FOLDER,
        "A\\B": FOLDER,
        "A\\B\\F": feed("u"),
        "A\\C": FOLDER,
        "A\\C\\D": FOLDER,
        "A\\C\\D\\G": feed("v"),
        "Z": feed("z"),
    }
    plan = feeds.plan_feeds(current, {"A\\B\\F": {"type": "feed", "url": "u"}}, purge=True)
    assert plan.remove == ["A\\C", "Z"]
    assert sorted(plan.after) == ["A\\C", "A\\C\\D", "A\\C\\D\\G", "Z"]
    assert list(feeds.predicted_items(current, plan, intervals=False)) == ["A", "A\\B", "A\\B\\F"]
    # Deepest first when two top items are removed.
    plan = feeds.plan_feeds(current, {"A\\B\\F": None, "Z": None})
    assert plan.remove == ["A\\B\\F", "Z"]


def test_plan_refuses_type_changes_and_contradictions():
    current = {"A": FOLDER, "F": feed("u")}
    with pytest.raises(InvalidInput, match="'A' is a folder on the server"):
        feeds.plan_feeds(current, {"A": {"type": "feed", "url": "x"}})
    with pytest.raises(InvalidInput, match="'F' is a feed on the server"):
        feeds.plan_feeds(current, {"F": FOLDER})
    with pytest.raises(InvalidInput, match="'F' is a feed on the server, not a folder"):
        feeds.plan_feeds(current, {"F\\X": FOLDER})
    with pytest.raises(InvalidInput, match="above it is declared absent"):
        feeds.check_declared_tree({"A": None, "A\\B\\X": FOLDER})
    with pytest.raises(InvalidInput, match="which is declared as a feed"):
        feeds.check_declared_tree({"A": {"type": "feed", "url": "u"}, "A\\X": FOLDER})
    feeds.check_declared_tree({"A": FOLDER, "A\\X": {"type": "feed", "url": "u"}, "B": None})


class RecordingClient:
    """Records writes; answers rss/rules from a dict."""

    def __init__(self, rules=None):
        self.posts = []
        self.rules = rules or {}

    def post(self, endpoint, data=None, **kwargs):
        self.posts.append((endpoint, dict(data or {})))

    def get_json(self, endpoint, params=None, **kwargs):
        assert endpoint == "rss/rules"
        return self.rules


def test_apply_runs_writes_in_a_safe_order():
    current = {"Old": FOLDER, "Old\\F": feed("u"), "T": feed("t", 0)}
    desired = {
        "Old": None,
        "New\\F": {"type": "feed", "url": "u"},
        "New\\G": {"type": "feed", "url": "g", "refresh_interval": 30},
        "T": {"type": "feed", "url": "t2", "refresh_interval": 60},
    }
    client = RecordingClient()
    plan = feeds.plan_feeds(current, desired)
    assert feeds.apply_feed_plan(client, plan, can_set_url=True) == []
    assert client.posts == [
        ("rss/addFolder", {"path": "New"}),
        ("rss/moveItem", {"itemPath": "Old\\F", "destPath": "New\\F"}),
        ("rss/removeItem", {"path": "Old"}),
        ("rss/addFeed", {"url": "g", "path": "New\\G", "refreshInterval": 30}),
        ("rss/setFeedURL", {"path": "T", "url": "t2"}),
        ("rss/setFeedRefreshInterval", {"path": "T", "refreshInterval": 60}),
    ]


def test_apply_recreates_a_feed_without_setfeedurl_and_repoints_rules():
    rules = {"r": dict(RULE_45, affectedFeeds=["u", "other"]), "s": dict(RULE_45, affectedFeeds=["other"])}
    client = RecordingClient(rules)
    plan = feeds.plan_feeds({"F": feed("u")}, {"F": {"type": "feed", "url": "v"}})
    assert feeds.apply_feed_plan(client, plan, can_set_url=False) == ["F"]
    assert [endpoint for endpoint, _fields in client.posts] == ["rss/removeItem", "rss/addFeed", "rss/setRule"]
    sent = client.posts[2][1]
    assert sent["ruleName"] == "r"
    assert json.loads(sent["ruleDef"]) == dict(RULE_45, affectedFeeds=["v", "other"])
