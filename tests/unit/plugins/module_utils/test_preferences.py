# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _preference_resolve as resolution
from ansible_collections.community.qbittorrent.plugins.module_utils import _preference_table as table
from ansible_collections.community.qbittorrent.plugins.module_utils import _preference_values as values
from ansible_collections.community.qbittorrent.plugins.module_utils import _preferences as prefs

# Excerpts of app/preferences as the real servers return them (types and spellings as seen).
SERVER_45 = {
    "dl_limit": 0,
    "max_ratio": -1,
    "max_ratio_enabled": False,
    "max_seeding_time": -1,
    "max_seeding_time_enabled": False,
    "schedule_from_hour": 8,
    "schedule_from_min": 0,
    "schedule_to_hour": 20,
    "schedule_to_min": 0,
    "start_paused_enabled": False,
    "proxy_type": 0,
    "proxy_auth_enabled": False,
    "save_path": "/data",
    "scan_dirs": {},
    "preallocate_all": False,
    "web_ui_port": 8080,
    "web_ui_username": "admin",
    "proxy_password": "",
}
SERVER_51 = dict(SERVER_45, proxy_type="None", max_inactive_seeding_time=-1, max_inactive_seeding_time_enabled=False)
del SERVER_51["start_paused_enabled"]
SERVER_51["add_stopped_enabled"] = False


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("int", "5", 5),
        ("int", " -1 ", -1),
        ("int", 5.0, 5),
        ("int", "5120.0", 5120),
        ("int", 7, 7),
        ("float", "1.5", 1.5),
        ("float", 2, 2.0),
        ("float", "-1", -1.0),
        ("bool", "yes", True),
        ("bool", "True", True),
        ("bool", "on", True),
        ("bool", "1", True),
        ("bool", 1, True),
        ("bool", "false", False),
        ("bool", "no", False),
        ("bool", "off", False),
        ("bool", 0, False),
        ("bool", False, False),
        ("str", "/data", "/data"),
        ("str", 12345, "12345"),
        ("dict", '{"/watch": 1}', {"/watch": 1}),
        ("dict", {"/watch": "0"}, {"/watch": 0}),
        ("dict", {"/watch": "/out"}, {"/watch": "/out"}),
    ],
)
def test_coerce_templated_values(kind, value, expected):
    key = "scan_dirs" if kind == "dict" else "some_key"
    result = values.coerce(key, value, kind)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("kind", "value", "words"),
    [
        ("int", "fast", ["dl_limit: expected an integer, got 'fast' (a string)"]),
        ("int", True, ["an integer", "True (a boolean)"]),
        ("int", 1.5, ["an integer", "fraction"]),
        ("int", [1], ["an integer", "a list"]),
        ("int", None, ["an integer", "null"]),
        ("float", "1,5", ["a number", "'1,5'"]),
        ("float", "nan", ["a number", "finite"]),
        ("float", False, ["a number", "a boolean"]),
        ("bool", "maybe", ["a boolean", "'maybe'"]),
        ("bool", 5, ["a boolean, got 5 (an integer): use true/false, yes/no, on/off or 1/0"]),
        ("str", True, ["a string", "quote it"]),
        ("str", {"a": 1}, ["a string", "a mapping"]),
        ("dict", "not json", ["a mapping", "JSON"]),
        ("dict", 5, ["a mapping", "an integer"]),
    ],
)
def test_coerce_failures_name_key_value_and_type(kind, value, words):
    with pytest.raises(ValueError) as info:
        values.coerce("dl_limit", value, kind)
    message = str(info.value)
    assert message.startswith("dl_limit: expected")
    assert "could not convert" not in message and "Valid booleans include" not in message
    for word in words:
        assert word in message


def test_scan_dirs_targets():
    with pytest.raises(ValueError, match="^scan_dirs: the target of '/watch' must be 0 .* 1 .* or a path"):
        values.coerce("scan_dirs", {"/watch": 2}, "dict")
    with pytest.raises(ValueError, match="non-empty path"):
        values.coerce("scan_dirs", {"": 1}, "dict")


def test_secret_values_never_appear_in_messages():
    with pytest.raises(ValueError) as info:
        values.coerce("proxy_password", {"nested": "s3cret-value"}, "str")
    assert "s3cret-value" not in str(info.value)
    assert "(hidden)" in str(info.value)


def test_leaf_texts_find_every_part_of_a_secret():
    assert prefs.leaf_texts("pw") == ["pw"]
    assert prefs.leaf_texts(123456) == ["123456"]
    assert sorted(prefs.leaf_texts({"a": ["x", {"y": 7}]})) == ["7", "x"]
    assert prefs.leaf_texts(None) == [] and prefs.leaf_texts(True) == []


def test_value_rules():
    assert values.coerce("dl_limit", "2048", "int") == 2048
    with pytest.raises(ValueError, match="multiple of 1024"):
        values.coerce("dl_limit", 1500, "int")
    with pytest.raises(ValueError, match="multiple of 1024"):
        values.coerce("up_limit", -1, "int")
    assert values.coerce("torrent_content_layout", "subfolder", "str") == "Subfolder"
    with pytest.raises(ValueError, match="Original .*, Subfolder .*, NoSubfolder "):
        values.coerce("torrent_content_layout", "Sideways", "str")
    with pytest.raises(ValueError, match="outside 1..65535"):
        values.coerce("web_ui_port", 0, "int")
    with pytest.raises(ValueError, match="outside 0..23"):
        values.coerce("schedule_from_hour", "24", "int")


def test_lists_are_joined_with_the_server_separator():
    assert values.coerce("banned_IPs", ["10.0.0.1", "10.0.0.2"], "str") == "10.0.0.1\n10.0.0.2"
    assert values.coerce("web_ui_domain_list", ["a.example", "b.example"], "str") == "a.example;b.example"
    with pytest.raises(ValueError):
        values.coerce("save_path", ["/a", "/b"], "str")


def test_kind_comes_from_the_server_value_then_the_table():
    assert values.kind_of("dl_limit", 0, known=True) == "int"
    assert values.kind_of("max_ratio", -1, known=True) == "float"  # JSON writes -1.0 as -1
    assert values.kind_of("proxy_type", 0, known=True) == "int"
    assert values.kind_of("proxy_type", "None", known=True) == "str"
    assert values.kind_of("brand_new_key", True, known=True) == "bool"
    assert values.kind_of("dl_limit") == "int"
    assert values.kind_of("brand_new_key") is None


def test_static_problems_need_no_server():
    problems = prefs.static_problems(
        {"web_ui_api_key": "qbt_x", "current_interface_name": "eth0", "dl_limit": "fast", "no_such": 1, "dht": False}
    )
    assert len(problems) == 3
    assert "qbt_api_key" in problems[0]
    assert "read-only" in problems[1]
    assert problems[2].startswith("dl_limit: expected an integer")
    # proxy_type's type depends on the version: left to the server
    assert prefs.static_problems({"proxy_type": 2}) == []
    assert prefs.static_problems({"proxy_type": "SOCKS5"}) == []


def test_schema_flags():
    assert prefs.SECRET_KEYS >= {
        "web_ui_password",
        "web_ui_api_key",
        "proxy_password",
        "mail_notification_password",
        "dyndns_password",
    }
    assert prefs.WRITE_ONLY_KEYS == {"web_ui_password"}
    assert {"web_ui_port", "web_ui_address", "use_https", "web_ui_username", "web_ui_password"} <= table.WEBUI_KEYS
    assert "web_ui_username" not in table.ENDPOINT_KEYS
    for pref in prefs.SCHEMA.values():
        assert pref.kind in table.KIND_NAMES


def test_masked():
    copy, found = prefs.masked({"proxy_password": "pw", "dyndns_password": "", "dl_limit": 5})
    assert copy == {"proxy_password": "********", "dyndns_password": "", "dl_limit": 5}
    assert found == {"pw"}


def test_closest_keys_and_unknown_message():
    assert prefs.closest_keys("dl_limt", SERVER_45)[0] == "dl_limit"
    message = prefs.unknown_key_message("dl_limt", SERVER_45, "v4.5.2", "2.8.19")
    assert "qBittorrent v4.5.2 (WebAPI 2.8.19) has no such preference" in message
    assert "Closest known: dl_limit" in message
    assert "first appears in qBittorrent 4.6.0" in prefs.unknown_key_message("merge_trackers", {}, "v4.5.2", "2.8.19")
    assert "removed in qBittorrent 5.2.0" in prefs.unknown_key_message("use_subcategories", {}, "v5.3.0", "2.16.2")


def test_renamed_keys_follow_the_server():
    res = resolution.resolve({"start_paused_enabled": "yes"}, SERVER_51)
    assert res.desired == {"add_stopped_enabled": True}
    assert res.names == {"add_stopped_enabled": "start_paused_enabled"}
    assert res.translated == ["start_paused_enabled -> add_stopped_enabled"]
    res = resolution.resolve({"add_stopped_enabled": True}, SERVER_45)
    assert res.desired == {"start_paused_enabled": True}
    res = resolution.resolve({"start_paused_enabled": True}, SERVER_45)
    assert res.translated == [] and res.desired == {"start_paused_enabled": True}
    res = resolution.resolve({"start_paused_enabled": True, "add_stopped_enabled": True}, SERVER_51)
    assert "declare only one" in res.problems[0]


def test_unknown_keys_are_those_the_server_lacks():
    res = resolution.resolve({"merge_trackers": True, "dl_limit": 1024}, SERVER_45)
    assert res.unknown == ["merge_trackers"]
    assert res.desired == {"dl_limit": 1024}


def test_problems_name_the_declared_key():
    res = resolution.resolve({"start_paused_enabled": "maybe"}, SERVER_51)
    assert res.problems[0].startswith("start_paused_enabled: expected a boolean")


@pytest.mark.parametrize(
    ("declared", "server", "desired"),
    [
        ({"proxy_type": "SOCKS5"}, SERVER_45, {"proxy_type": 2}),
        (
            {"proxy_type": "socks5", "proxy_auth_enabled": True},
            SERVER_45,
            {"proxy_type": 4, "proxy_auth_enabled": True},
        ),
        ({"proxy_type": "HTTP_PW"}, SERVER_45, {"proxy_type": 3}),
        ({"proxy_type": 2, "proxy_auth_enabled": True}, SERVER_45, {"proxy_type": 4, "proxy_auth_enabled": True}),
        ({"proxy_type": "4"}, SERVER_45, {"proxy_type": 4}),
        ({"proxy_type": 2}, SERVER_51, {"proxy_type": "SOCKS5"}),
        ({"proxy_type": 4}, SERVER_51, {"proxy_type": "SOCKS5", "proxy_auth_enabled": True}),
        ({"proxy_type": 5}, SERVER_51, {"proxy_type": "SOCKS4"}),
        ({"proxy_type": "none"}, SERVER_51, {"proxy_type": "None"}),
        ({"proxy_type": "SOCKS5_PW"}, SERVER_51, {"proxy_type": "SOCKS5", "proxy_auth_enabled": True}),
        ({"proxy_type": "HTTP"}, SERVER_51, {"proxy_type": "HTTP"}),
    ],
)
def test_proxy_type_both_ways(declared, server, desired):
    res = resolution.resolve(declared, server)
    assert res.problems == []
    assert res.desired == desired


def test_proxy_auth_alone_on_an_int_server_changes_the_type():
    res = resolution.resolve({"proxy_auth_enabled": True}, dict(SERVER_45, proxy_type=1))
    assert res.desired == {"proxy_auth_enabled": True, "proxy_type": 3}
    assert "proxy_type" in res.implied


@pytest.mark.parametrize(
    ("declared", "server", "words"),
    [
        ({"proxy_type": "carrier-pigeon"}, SERVER_51, "expected one of None, HTTP, SOCKS5, SOCKS4"),
        ({"proxy_type": 9}, SERVER_45, "is not a proxy type"),
        ({"proxy_type": 4, "proxy_auth_enabled": False}, SERVER_51, "proxy_auth_enabled is false"),
        ({"proxy_type": "SOCKS4", "proxy_auth_enabled": True}, SERVER_45, "only HTTP and SOCKS5"),
    ],
)
def test_proxy_type_problems(declared, server, words):
    res = resolution.resolve(declared, server)
    assert words in " ".join(res.problems)


def test_share_limits_are_completed():
    res = resolution.resolve({"max_ratio": "1.5"}, SERVER_51)
    assert res.desired == {"max_ratio": 1.5, "max_ratio_enabled": True}
    assert res.implied == {"max_ratio_enabled"}
    res = resolution.resolve({"max_seeding_time_enabled": False}, SERVER_51)
    assert res.desired == {"max_seeding_time_enabled": False, "max_seeding_time": -1}
    res = resolution.resolve({"max_ratio": -1}, SERVER_51)
    assert res.desired == {"max_ratio": -1.0, "max_ratio_enabled": False}
    res = resolution.resolve({"max_ratio_enabled": True}, dict(SERVER_51, max_ratio=2, max_ratio_enabled=True))
    assert res.problems == [] and res.desired == {"max_ratio_enabled": True}


@pytest.mark.parametrize(
    ("declared", "words"),
    [
        ({"max_ratio": 2, "max_ratio_enabled": False}, "does not agree with max_ratio_enabled"),
        ({"max_ratio": -1, "max_ratio_enabled": True}, "does not agree"),
        ({"max_ratio_enabled": True}, "needs max_ratio as well"),
        ({"max_seeding_time": -5}, "-5 is outside 0..525600 minutes; -1 (no limit)"),
    ],
)
def test_share_limit_problems(declared, words):
    assert words in " ".join(resolution.resolve(declared, SERVER_51).problems)


def test_partners_are_sent_together():
    desired = {"schedule_from_hour": 3, "max_ratio": 1.5, "max_ratio_enabled": True}
    payload = {"schedule_from_hour": 3, "max_ratio": 1.5}
    assert resolution.partners(payload, desired, SERVER_51, coupled=True) == {
        "schedule_from_min": 0,
        "max_ratio_enabled": True,
    }
    assert resolution.partners(payload, desired, SERVER_51, coupled=False) == {"schedule_from_min": 0}
    assert resolution.partners({"dl_limit": 1024}, desired, SERVER_51, coupled=True) == {}


def test_normalizers_follow_what_the_server_rewrites():
    assert values.normalizer("save_path", "str")("/data//x/../y/") == values.normalizer("save_path", "str")("/data/y")
    assert values.normalizer("banned_IPs", "str")("10.0.0.2\n10.0.0.1\n10.0.0.1") == ["10.0.0.1", "10.0.0.2"]
    whitelist = values.normalizer("bypass_auth_subnet_whitelist", "str")
    assert whitelist("10.0.0.0/8, 172.16.0.1") == whitelist("172.16.0.1/32\n10.0.0.0/8")
    scan = values.normalizer("scan_dirs", "dict")
    assert scan({"/watch/": "/out/"}) == scan({"/watch": "/out"})
    assert values.normalizer("max_ratio", "float")(1) == values.normalizer("max_ratio", "float")(1.0000001)
    assert values.normalizer("locale", "str")("de") == "de"


def test_every_key_seen_on_the_test_servers_is_in_the_table():
    # The keys 4.5.2, 5.1.0 and 5.3.0 returned (docs/dev/test-servers.md); the table documents all of them.
    seen = {"dl_limit", "web_ui_api_key", "add_stopped_enabled", "start_paused_enabled", "proxy_torrents_only"}
    assert seen <= set(prefs.SCHEMA)


INT_MAX = 2**31 - 1


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        # ints past the C++ int the server converts to, and negative counts
        ("dl_limit", 2**31, "outside 0..2147482624 bytes/s"),
        ("dl_limit", 2**63, "outside 0..2147482624 bytes/s"),
        ("up_limit", 2147483647, "multiple of 1024"),
        ("alt_dl_limit", -1024, "multiple of 1024"),
        ("file_pool_size", INT_MAX + 1, "outside 1..2147483647 files"),
        ("bdecode_depth_limit", -1, "outside 0..2147483647"),
        ("some_int_key_without_a_rule", 2**31, "the C++ int"),
        ("max_connec", 0, "outside 1..2147483647 connections; -1 (no limit)"),
        ("max_connec", -2, "-1 (no limit)"),
        ("max_active_downloads", -2, "outside 0..2147483647 torrents"),
        ("web_ui_session_timeout", -1, "outside 0..2147483647 seconds"),
        ("web_ui_ban_duration", 0, "outside 1..2147483647 seconds"),
        ("file_log_max_size", 2**21, "outside 1..2097151 KiB"),
        ("listen_port", 65536, "outside 0..65535 port"),
        ("peer_tos", 256, "outside 0..255"),
        ("checking_memory_use", 1025, "outside 1..1024 MiB"),
        ("refresh_interval", 29, "outside 30..99999 milliseconds"),
        ("max_ratio", 1e300, "outside 0..9999 ratio; -1 (no limit)"),
        ("max_ratio", -0.5, "outside 0..9999"),
        ("max_seeding_time", 525601, "outside 0..525600 minutes"),
        # enums
        ("encryption", 7, "not one of 0 (prefer encryption), 1 (require encryption), 2 (disable encryption)"),
        ("upload_slots_behavior", 9, "not one of 0 (fixed slots), 1 (upload rate based)"),
        ("utp_tcp_mixed_mode", 9, "0 (prefer TCP), 1 (peer proportional)"),
        ("max_ratio_act", 4, "3 (remove it with its files)"),
        ("dyndns_service", 2, "0 (DynDNS), 1 (No-IP)"),
        ("dyndns_service", -1, "not one of"),
        ("scheduler_days", 10, "9 (Sunday)"),
        ("bittorrent_protocol", 3, "2 (uTP)"),
        ("disk_io_write_mode", 3, "2 (write-through"),
        ("share_limits_mode", "Sometimes", "MatchAny (any limit reached)"),
        # paths
        ("save_path", "data/complete", "is not absolute"),
        ("save_path", "./data", "is not absolute"),
        ("save_path", "", "the path is empty"),
        ("temp_path", "../incomplete", "is not absolute"),
        ("ip_filter_path", "filters/ip.dat", "is not absolute"),
        ("scan_dirs", {"watch": 1}, "the watched folder 'watch' is not absolute"),
        ("scan_dirs", {"/watch": "out"}, "the target of '/watch' 'out' is not absolute"),
        # addresses
        ("announce_ip", "example.org", "not an IP address, or empty for none"),
        ("announce_ip", "300.1.1.1", "not an IP address"),
        ("current_interface_address", "eth0", "not an IP address"),
        ("web_ui_address", "localhost", "not an IP address, or * (or empty)"),
        ("bypass_auth_subnet_whitelist", "10.0.0.0/8,10.0.0.0/33", "'10.0.0.0/33': expected IP addresses or subnets"),
        ("bypass_auth_subnet_whitelist", ["192.168.1.0/24", "lan"], "'lan'"),
        ("web_ui_reverse_proxies_list", "10.0.0.1;proxy.example", "'proxy.example'"),
        ("banned_IPs", "10.0.0.1\nnot-an-ip", "'not-an-ip'"),
        ("banned_IPs", "10.0.0.1 - ::1", "'10.0.0.1 - ::1'"),
    ],
)
def test_refused_values_name_the_value_the_rule_and_the_unit(key, value, words):
    kind = prefs.SCHEMA[key].kind if key in prefs.SCHEMA else "int"
    with pytest.raises(ValueError) as info:
        values.coerce(key, value, kind)
    assert str(info.value).startswith(f"{key}: ")
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("dl_limit", 2147482624, 2147482624),
        ("dl_limit", 0, 0),
        ("some_int_key_without_a_rule", INT_MAX, INT_MAX),
        ("some_int_key_without_a_rule", -(2**31), -(2**31)),
        ("file_pool_size", INT_MAX, INT_MAX),
        ("torrent_file_size_limit", 2**40, 2**40),
        ("max_connec", -1, -1),
        ("max_connec", 1, 1),
        ("max_active_downloads", -1, -1),
        ("max_active_downloads", 0, 0),
        ("web_ui_session_timeout", 0, 0),
        ("listen_port", 0, 0),
        ("listen_port", 65535, 65535),
        ("web_ui_port", 1, 1),
        ("max_ratio", 9999, 9999.0),
        ("max_ratio", "-1", -1.0),
        ("max_seeding_time", 525600, 525600),
        ("encryption", "2", 2),
        ("scheduler_days", 9, 9),
        ("max_ratio_act", 3, 3),
        ("share_limits_mode", "matchall", "MatchAll"),
        ("save_path", "/data//complete/./x/../", "/data/complete"),
        ("save_path", "//data/", "/data"),
        ("save_path", "C:\\Downloads", "C:\\Downloads"),  # the platform is unknown: both forms
        ("save_path", "\\\\nas\\share\\dl", "\\\\nas\\share\\dl"),
        ("ip_filter_path", "", ""),
        ("scan_dirs", {"/watch/": "/out/../done", "/w2": 0}, {"/watch": "/done", "/w2": 0}),
        ("announce_ip", " 2001:DB8::1 ", "2001:db8::1"),
        ("announce_ip", "", ""),
        ("web_ui_address", "*", "*"),
        ("web_ui_address", "::", "::"),
        ("web_ui_address", "127.0.0.1", "127.0.0.1"),
        ("bypass_auth_subnet_whitelist", "10.0.0.0/8, 172.16.0.1\n::1/128", "10.0.0.0/8, 172.16.0.1\n::1/128"),
        ("web_ui_reverse_proxies_list", "10.0.0.1;10.1.0.0/16", "10.0.0.1;10.1.0.0/16"),
        ("banned_IPs", ["10.0.0.1", "10.0.0.0/8", "10.0.0.1 - 10.0.0.9"], "10.0.0.1\n10.0.0.0/8\n10.0.0.1 - 10.0.0.9"),
    ],
)
def test_boundaries_and_forms_are_accepted(key, value, expected):
    kind = prefs.SCHEMA[key].kind if key in prefs.SCHEMA else "int"
    assert values.coerce(key, value, kind) == expected


def test_windows_paths_follow_the_server_platform():
    assert values.coerce("save_path", "D:/dl", "str", "windows") == "D:/dl"
    assert values.coerce("save_path", "/data", "str", "windows") == "/data"
    for platform in ("linux", "macos", "unknown"):
        with pytest.raises(ValueError, match=f"is a Windows path, but the server runs on {platform}"):
            values.coerce("temp_path", "D:\\incomplete", "str", platform)
    with pytest.raises(ValueError, match="the target of '/watch' 'E:\\\\\\\\out' is a Windows path"):
        values.coerce("scan_dirs", {"/watch": "E:\\out"}, "dict", "linux")
    assert values.path_platform_matters({"/w": "C:\\x"}) and not values.path_platform_matters("/data")
    res = resolution.resolve({"save_path": "C:\\dl"}, SERVER_51, "linux")
    assert "Windows path" in res.problems[0]


def test_secret_values_stay_hidden_in_rule_messages(monkeypatch):
    monkeypatch.setitem(table.RULES, "proxy_password", table.Rule(form="ip"))
    with pytest.raises(ValueError) as info:
        values.coerce("proxy_password", "s3cret-value", "str")
    assert "s3cret" not in str(info.value) and "(hidden)" in str(info.value)


def test_every_rule_belongs_to_a_known_key_of_a_matching_type():
    for key, rule in table.RULES.items():
        assert key in prefs.SCHEMA, key
        kind = prefs.SCHEMA[key].kind
        if rule.low is not None:
            assert kind in ("int", "float") and rule.low <= rule.high, key
            if kind == "int":
                assert table.INT64[0] <= rule.low and rule.high <= table.INT64[1], key
        if rule.choices:
            assert {type(choice) for choice in rule.choices} == {str if kind == "str" else int}, key
        if rule.form:
            assert kind == "str", key
    assert table.RATE_KEYS == {"dl_limit", "up_limit", "alt_dl_limit", "alt_up_limit"}
    assert table.CHOICES["torrent_content_layout"] == ("Original", "Subfolder", "NoSubfolder")


def test_the_committed_preferences_reference_is_what_the_generator_writes():
    root = Path(__file__).resolve().parents[4]
    # Loaded by file: runpy would meet the path hook of Ansible's collection loader.
    spec = importlib.util.spec_from_file_location(
        "gen_reference", root / "docs" / "dev" / "gen_preferences_reference.py"
    )
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    committed = (root / "docs" / "docsite" / "rst" / "preferences_reference.rst").read_text(encoding="utf-8")
    assert committed == generator.render(), "run: python3 docs/dev/gen_preferences_reference.py"
    for key in ("max_ratio_act", "web_ui_port", "start_paused_enabled", "dl_limit"):
        assert f"``{key}``" in committed
