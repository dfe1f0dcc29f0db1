# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input, across every module: the task fails with a message that names the option and says what to do,
shows no Python traceback, and leaves the server exactly as it was.

All cases run in one playbook (ignore_errors, one task per case) on the in-process path, and the cases that reach
the connection or the server run again as module processes (qbt_execution=module). Each case talks to the server
through the proxy under its own URL tag, so the proxy proves that no write request was sent for it; the whole
state of every server (preferences, categories, tags, torrents, RSS) is read directly before and after and must
be identical.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import re
from typing import Any

import pytest
import relkit

from ansible_collections.community.qbittorrent.plugins.module_utils._client import split_url

# Signs that a Python exception escaped instead of a clear message.
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|MODULE FAILURE|unexpected [A-Z]\w*(Error|Exception)\b")
WRONG_PASSWORD = "rel-wrong-" + relkit.qbt_harness.secrets.token_urlsafe(12)
WRONG_KEY = relkit.qbt_harness.new_api_key()
SECRET_ONE = "rel-secret-pref-" + relkit.qbt_harness.secrets.token_urlsafe(10)
SECRET_TWO = "rel-secret-pref-" + relkit.qbt_harness.secrets.token_urlsafe(10)
relkit.SECRETS.add(WRONG_PASSWORD, "a wrong password given to a task")
relkit.SECRETS.add(SECRET_ONE, "a secret preference given to a bad task")
relkit.SECRETS.add(SECRET_TWO, "a secret preference given to a bad task")
relkit.SECRETS.add(WRONG_KEY, "a wrong API key given to a task")
COOKIE_VALUE = "rel-cookie-" + relkit.qbt_harness.secrets.token_urlsafe(10)
relkit.SECRETS.add(COOKIE_VALUE, "a cookie value given to a bad task")
relkit.SECRETS.add(COOKIE_VALUE + ";x", "a cookie value given to a bad task")


@dataclasses.dataclass
class Case:
    """One bad input: MODULE with ARGS on SERVER; the message must contain OPTION and match HINT.

    CONNECTION: the case reaches the client or the server (rather than failing in argument validation), so it also
    runs as a module process. AUTH: False leaves out the login options (the case gives its own).
    """

    id: str
    module: str
    args: dict[str, Any]
    option: str
    hint: str
    server: str = "new"
    connection: bool = False
    auth: bool = True


def cases(seeded: dict, garbage_torrent: str, missing_file: str, closed_port: int) -> list[Case]:
    torrent_hash = seeded["torrent"]["id"]
    unknown_hash = "f" * 40
    return [
        # ---------------------------------------------------------------- connection options (every module)
        Case("url-missing", "qbt_info", {}, "url", r"set the url option or the QBITTORRENTAPI_HOST", auth=False),
        Case("url-no-host", "qbt_category", {"url": "http://", "name": "x"}, "url", r"write it as host:port",
             auth=False),
        Case("url-port-out-of-range", "qbt_tag", {"url": "http://127.0.0.1:99999", "tags": ["x"]}, "url",
             r"port", auth=False),
        Case("url-ftp-scheme", "qbt_info", {"url": "ftp://127.0.0.1:21"}, "url", r"http:// or https://",
             auth=False),
        Case("timeout-zero", "qbt_info", {"timeout": 0}, "timeout", r"greater than 0"),
        Case("timeout-negative", "qbt_tag", {"timeout": -3, "tags": ["x"]}, "timeout", r"greater than 0"),
        Case("timeout-not-a-number", "qbt_info", {"timeout": "soon"}, "timeout", r"float"),
        Case("validate-certs-not-bool", "qbt_info", {"validate_certs": "perhaps"}, "validate_certs", r"bool"),
        Case("requests-args-unknown", "qbt_category", {"name": "x", "requests_args": {"bogus": 1}},
             "requests_args", r"bogus"),
        Case("adapter-args-unknown", "qbt_tag", {"tags": ["x"], "http_adapter_args": {"nope": 1}},
             "http_adapter_args", r"nope"),
        Case("ca-path-missing", "qbt_info", {"ca_path": "/nonexistent/rel-ca.pem"}, "ca_path",
             r"give the PEM file", server="tls"),
        Case("extra-header-not-text", "qbt_info", {"extra_headers": {"X-Forwarded-Port": 443}}, "extra_headers",
             r"X-Forwarded-Port"),
        Case("wrong-password", "qbt_info", {"url": None, "username": "admin", "password": WRONG_PASSWORD},
             "password", r"check the username and password", auth=False),
        Case("wrong-api-key", "qbt_info", {"api_key": WRONG_KEY}, "api_key", r"check api_key", auth=False),
        Case("api-key-old-server", "qbt_tag", {"api_key": WRONG_KEY, "tags": ["x"]}, "api_key",
             r"5\.2.*[Uu]se username and password", server="mid", auth=False),
        Case("unsupported-version-flag", "qbt_info", {"fail_on_unsupported_version": "sometimes"},
             "fail_on_unsupported_version", r"bool"),
        # ---------------------------------------------------------------- qbt_info
        Case("info-subset", "qbt_info", {"gather_subset": ["everything"]}, "gather_subset", r"must be one or more of"),
        Case("info-status", "qbt_info", {"gather_subset": ["torrents"], "torrent_filters": {"status": "sleepy"}},
             "status", r"must be one of"),
        Case("info-filter-key", "qbt_info", {"torrent_filters": {"colour": "red"}}, "colour",
             r"Supported parameters include"),
        # ---------------------------------------------------------------- qbt_category
        # in a list, the message names the item as well as the option (and every problem of every item at once)
        Case("category-list-item", "qbt_category",
             {"categories": [{"name": "rel-ok"}, {"name": "rel-bad", "save_path": "rel/x"}]},
             "categories[rel-bad].save_path", r"Give the full path"),
        Case("rule-list-items", "qbt_rss_rule",
             {"rules": [{"name": "Rel one", "ratio_limit": -7}, {"name": "Rel two", "ignore_days": -1}]},
             "rules[Rel two].ignore_days", r"rules\[Rel one\]\.ratio_limit: .*out of range"),
        Case("category-empty", "qbt_category", {"name": ""}, "name", r"cannot be empty"),
        Case("category-backslash", "qbt_category", {"name": "a\\b"}, "name", r"backslash.*Use '/'"),
        Case("category-slash", "qbt_category", {"name": "/movies"}, "name", r"Use '/' only between"),
        Case("category-double-slash", "qbt_category", {"name": "a//b"}, "name", r"Use '/' only between"),
        Case("category-relative-path", "qbt_category", {"name": "rel-x", "save_path": "data/x"}, "save_path",
             r"Give the full path"),
        Case("category-both-forms", "qbt_category", {"name": "x", "categories": [{"name": "y"}]}, "name|categories",
             r"mutually exclusive"),
        Case("category-neither", "qbt_category", {"state": "absent"}, "name, categories", r"one of the following"),
        Case("category-duplicate", "qbt_category", {"categories": [{"name": "d"}, {"name": "d"}]}, "categories",
             r"declare each item once"),
        Case("category-stray-option", "qbt_category", {"categories": [{"name": "d"}], "save_path": "/x"},
             "save_path", r"inside each item"),
        Case("category-purge-single", "qbt_category", {"name": "x", "purge": True}, "purge",
             r"only works with categories"),
        Case("category-enabled-no-path", "qbt_category", {"name": "x", "download_path_enabled": True},
             "download_path_enabled", r"no download_path is given"),
        Case("category-path-disabled", "qbt_category",
             {"name": "x", "download_path": "/x", "download_path_enabled": False}, "download_path",
             r"download_path_enabled is false"),
        Case("category-state", "qbt_category", {"name": "x", "state": "gone"}, "state", r"must be one of"),
        Case("category-unknown-option", "qbt_category", {"name": "x", "colour": "red"}, "colour",
             r"Supported parameters include"),
        Case("category-item-relative", "qbt_category",
             {"categories": [{"name": "ok", "save_path": "/ok"}, {"name": "bad", "save_path": "rel"}]},
             "categories[bad].save_path", r"Give the full path"),
        Case("category-item-no-name", "qbt_category", {"categories": [{"save_path": "/x"}]}, "name",
             r"missing required arguments"),
        Case("category-ratio-out-of-range", "qbt_category", {"name": "x", "ratio_limit": 99999}, "ratio_limit",
             r"out of range; give -2"),
        Case("category-share-limits-old", "qbt_category", {"name": "rel-movies", "seeding_time_limit": 60},
             "seeding_time_limit", r"needs qBittorrent 5\.3\.0", server="mid", connection=True),
        # ---------------------------------------------------------------- qbt_search_plugin
        Case("search-plugin-name", "qbt_search_plugin", {"name": "bad-name"}, "name", r"letters, digits and '_'"),
        Case("search-plugin-source-name", "qbt_search_plugin",
             {"name": "relplugin", "source": "http://127.0.0.1:9/other.py"}, "source", r"rename the file"),
        Case("search-plugin-relative", "qbt_search_plugin", {"name": "relplugin", "source": "relplugin.py"}, "source",
             r"Give the full path"),
        Case("search-plugin-version", "qbt_search_plugin", {"name": "relplugin", "version": "one"}, "version",
             r"#VERSION: line"),
        Case("search-plugin-no-source", "qbt_search_plugin", {"name": "relplugin"}, "plugins[relplugin].source",
             r"needed to install it", connection=True),
        # ---------------------------------------------------------------- qbt_tag
        Case("tag-empty", "qbt_tag", {"tags": ["ok", "  "]}, "tags[1]", r"cannot be empty"),
        Case("tag-comma", "qbt_tag", {"tags": ["a,b"]}, "tags[0]", r"comma"),
        Case("tag-purge-absent", "qbt_tag", {"tags": ["a"], "purge": True, "state": "absent"}, "purge",
             r"needs state: present"),
        Case("tag-missing", "qbt_tag", {"state": "present"}, "tags", r"missing required arguments"),
        # ---------------------------------------------------------------- qbt_api_key
        Case("api-key-module-old-server", "qbt_api_key", {}, "api_key", r"needs qBittorrent 5\.2", server="old",
             connection=True),
        Case("api-key-rotate-type", "qbt_api_key", {"rotate": "often"}, "rotate", r"bool"),
        # ---------------------------------------------------------------- qbt_preferences
        Case("pref-type", "qbt_preferences", {"preferences": {"dl_limit": "fast"}}, "dl_limit",
             r"expected an integer"),
        Case("pref-rate-multiple", "qbt_preferences", {"preferences": {"up_limit": 1000}}, "up_limit", r"1024"),
        Case("pref-port-range", "qbt_preferences", {"preferences": {"web_ui_port": 0}}, "web_ui_port",
             r"outside 1\.\.65535"),
        Case("pref-unknown-key", "qbt_preferences", {"preferences": {"dl_limitt": 1024}}, "dl_limitt",
             r"Closest known: dl_limit"),
        Case("pref-api-key", "qbt_preferences", {"preferences": {"web_ui_api_key": WRONG_KEY}}, "web_ui_api_key",
             r"qbt_api_key"),
        Case("pref-choice", "qbt_preferences", {"preferences": {"torrent_content_layout": "Sideways"}},
             "torrent_content_layout", r"not one of"),
        Case("pref-read-only", "qbt_preferences", {"preferences": {"current_interface_name": "eth0"}},
             "current_interface_name", r"read-only"),
        Case("pref-not-finite", "qbt_preferences", {"preferences": {"max_ratio": "nan"}}, "max_ratio",
             r"finite"),
        Case("pref-mapping", "qbt_preferences", {"preferences": {"scan_dirs": "not json"}}, "scan_dirs",
             r"mapping"),
        Case("pref-renamed-twice", "qbt_preferences",
             {"preferences": {"start_paused_enabled": True, "add_stopped_enabled": False}}, "add_stopped_enabled",
             r"declare only one"),
        Case("pref-secret-twice", "qbt_preferences",
             {"preferences": {"proxy_password": SECRET_ONE}, "secret_preferences": {"proxy_password": SECRET_TWO}},
             "proxy_password", r"declared in both"),
        Case("pref-not-secret", "qbt_preferences", {"secret_preferences": {"dl_limit": 1024}}, "dl_limit",
             r"declare it in preferences"),
        Case("pref-nothing", "qbt_preferences", {"unknown_keys": "warn"}, "preferences, secret_preferences",
             r"one of the following"),
        Case("pref-unknown-keys-choice", "qbt_preferences", {"preferences": {"dl_limit": 0}, "unknown_keys": "boom"},
             "unknown_keys", r"must be one of"),
        # values the server would clamp, reinterpret or keep unusable (hardening class 6): refused before writing
        Case("pref-int-overflow", "qbt_preferences", {"preferences": {"max_connec": 2**31}}, "max_connec",
             r"outside 1\.\.2147483647"),
        Case("pref-enum-range", "qbt_preferences", {"preferences": {"encryption": 7}}, "encryption", r"is not one of"),
        Case("pref-relative-path", "qbt_preferences", {"preferences": {"save_path": "relative"}}, "save_path",
             r"not absolute"),
        Case("pref-negative-timeout", "qbt_preferences", {"preferences": {"web_ui_session_timeout": -1}},
             "web_ui_session_timeout", r"outside 0\.\."),
        Case("pref-huge-ratio", "qbt_preferences", {"preferences": {"max_ratio": 1e300}}, "max_ratio",
             r"outside 0\.\.9999"),
        Case("pref-bad-ip", "qbt_preferences", {"preferences": {"announce_ip": "1.2.3.999"}}, "announce_ip",
             r"not an IP address"),
        Case("pref-key-too-new", "qbt_preferences", {"preferences": {"webtorrent_stun_server": "x"}},
             "webtorrent_stun_server", r"first appears in qBittorrent 5\.3", server="mid"),
        # ---------------------------------------------------------------- qbt_torrent
        Case("torrent-magnet-bad-hash", "qbt_torrent", {"source": "magnet:?xt=urn:btih:XYZ"}, "source",
             r"40 hex characters"),
        Case("torrent-magnet-no-hash", "qbt_torrent", {"source": "magnet:?dn=nothing"}, "source",
             r"xt=urn:btih:"),
        Case("torrent-file-missing", "qbt_torrent", {"source": missing_file}, "source", r"cannot read"),
        Case("torrent-file-garbage", "qbt_torrent", {"source": garbage_torrent}, "source", r"not a \.torrent"),
        Case("torrent-relative-file", "qbt_torrent", {"source": "downloads/x.torrent"}, "source",
             r"absolute path"),
        Case("torrent-download-refused", "qbt_torrent",
             {"source": f"http://127.0.0.1:{closed_port}/x.torrent"}, "source", r"cannot download"),
        Case("torrent-hash-malformed", "qbt_torrent", {"hash": "abc"}, "hash", r"40 hex characters"),
        Case("torrent-hash-unknown", "qbt_torrent", {"hash": unknown_hash, "category": "rel-movies"}, "hash",
             r"give source to add it", connection=True),
        Case("torrent-source-and-hash", "qbt_torrent", {"source": seeded["magnet"], "hash": unknown_hash},
             "source|hash", r"mutually exclusive"),
        Case("torrent-nothing", "qbt_torrent", {"state": "started"}, "source, hash or torrents", r"required"),
        Case("torrent-absent-with-props", "qbt_torrent", {"hash": torrent_hash, "state": "absent", "category": "x"},
             "state", r"cannot be declared"),
        Case("torrent-delete-files-present", "qbt_torrent", {"hash": torrent_hash, "delete_files": True},
             "delete_files", r"only applies with state: absent"),
        Case("torrent-limit", "qbt_torrent", {"hash": torrent_hash, "upload_limit": -5}, "upload_limit",
             r"-1 \(no limit\) or 0 to"),
        Case("torrent-ratio-range", "qbt_torrent", {"hash": torrent_hash, "ratio_limit": 10000}, "ratio_limit",
             r"0 to 9998"),
        Case("torrent-force-stopped", "qbt_torrent", {"hash": torrent_hash, "force_start": True, "state": "stopped"},
             "force_start", r"contradicts state: stopped"),
        Case("torrent-tracker-url", "qbt_torrent", {"hash": torrent_hash, "trackers": ["ftp://127.0.0.1/x"]},
             "trackers", r"http, https, udp or ws"),
        Case("torrent-purge-tags-no-tags", "qbt_torrent", {"hash": torrent_hash, "purge_tags": True},
             "purge_tags", r"needs tags"),
        Case("torrent-category-missing", "qbt_torrent", {"hash": torrent_hash, "category": "rel-nope"}, "category",
             r"create_category: true", connection=True),
        Case("torrent-relative-save-path", "qbt_torrent", {"hash": torrent_hash, "save_path": "x"}, "save_path",
             r"Give the full path"),
        Case("torrent-auto-tmm-path", "qbt_torrent", {"hash": torrent_hash, "auto_tmm": True, "save_path": "/x"},
             "auto_tmm", r"cannot be declared too"),
        Case("torrent-share-action-old", "qbt_torrent", {"hash": torrent_hash, "share_limit_action": "Stop"},
             "share_limit_action", r"needs qBittorrent 5\.2", server="mid", connection=True),
        Case("torrent-twice", "qbt_torrent",
             {"torrents": [{"source": seeded["magnet"]}, {"hash": seeded["magnet_hash"]}]}, "torrents",
             r"declare each torrent once"),
        Case("torrent-empty-name", "qbt_torrent", {"hash": torrent_hash, "name": " "}, "name", r"cannot be empty"),
        Case("torrent-stray-option", "qbt_torrent", {"torrents": [{"hash": torrent_hash}], "category": "x"},
             "category", r"inside each item"),
        # ---------------------------------------------------------------- qbt_rss_feed
        Case("feed-path-leading", "qbt_rss_feed", {"path": "\\Rel"}, "path", r"separated by one backslash"),
        Case("feed-path-empty-part", "qbt_rss_feed", {"path": "Rel\\\\Feed"}, "path", r"no empty part"),
        Case("feed-path-spaces", "qbt_rss_feed", {"path": " Rel"}, "path", r"remove them"),
        Case("feed-interval-folder", "qbt_rss_feed", {"path": "Rel\\New", "refresh_interval": 60},
             "refresh_interval", r"give its feed_url"),
        Case("feed-interval-old", "qbt_rss_feed",
             {"path": "Rel\\Feed", "feed_url": "http://127.0.0.1:9/rel-feed.xml", "refresh_interval": 60},
             "refresh_interval", r"5\.2", server="mid", connection=True),
        Case("feed-url-taken", "qbt_rss_feed", {"path": "Rel\\Copy", "feed_url": "http://127.0.0.1:9/rel-feed.xml"},
             "feeds", r"state: absent", connection=True),
        Case("feed-folder-is-feed", "qbt_rss_feed", {"path": "Rel\\Feed"}, "feeds", r"remove it first",
             connection=True),
        Case("feed-purge-single", "qbt_rss_feed", {"path": "Rel", "purge": True}, "purge", r"only works with feeds"),
        Case("feed-duplicate", "qbt_rss_feed", {"feeds": [{"path": "A"}, {"path": "A"}]}, "feeds",
             r"declare each item once"),
        # ---------------------------------------------------------------- qbt_rss_rule
        Case("rule-feed-unknown", "qbt_rss_rule", {"name": "Rel bad", "affected_feeds": ["Nope\\Nothing"]},
             "affected_feeds", r"give a feed path", connection=True),
        Case("rule-feed-folder", "qbt_rss_rule", {"name": "Rel bad", "affected_feeds": ["Rel"]}, "affected_feeds",
             r"list the feeds in it", connection=True),
        Case("rule-ignore-days", "qbt_rss_rule", {"name": "Rel bad", "ignore_days": -1}, "ignore_days",
             r"out of range"),
        Case("rule-ratio", "qbt_rss_rule", {"name": "Rel bad", "ratio_limit": -7}, "ratio_limit",
             r"-2 \(the global limit\)"),
        Case("rule-name-spaces", "qbt_rss_rule", {"name": " Rel bad"}, "name", r"strip"),
        Case("rule-purge-single", "qbt_rss_rule", {"name": "Rel rule", "purge": True}, "purge",
             r"only works with rules"),
        Case("rule-layout-choice", "qbt_rss_rule", {"name": "Rel bad", "content_layout": "Flat"}, "content_layout",
             r"must be one of"),
        # ---------------------------------------------------------------- qbt_cookie
        Case("cookie-name-token", "qbt_cookie", {"name": "a=b", "domain": "t.example", "value": COOKIE_VALUE},
             "name", r"RFC 6265"),
        Case("cookie-domain-url", "qbt_cookie", {"name": "uid", "domain": "https://t.example/", "value": COOKIE_VALUE},
             "domain", r"not a URL"),
        Case("cookie-path-relative", "qbt_cookie",
             {"name": "uid", "domain": "t.example", "path": "rss", "value": COOKIE_VALUE}, "path", r"such as /rss"),
        Case("cookie-value-semicolon", "qbt_cookie",
             {"name": "uid", "domain": "t.example", "value": COOKIE_VALUE + ";x"}, "value", r"remove it"),
        Case("cookie-expired", "qbt_cookie",
             {"name": "uid", "domain": "t.example", "value": COOKIE_VALUE, "expiration": 1000000000}, "expiration",
             r"in the past.*future time"),
        Case("cookie-no-value", "qbt_cookie", {"name": "uid", "domain": "t.example"}, "value", r"needs a value"),
        Case("cookie-no-domain", "qbt_cookie", {"name": "uid", "value": COOKIE_VALUE}, "domain", r"required by"),
        Case("cookie-twice", "qbt_cookie", {"cookies": [{"name": "u", "domain": "t.example", "value": COOKIE_VALUE},
                                                        {"name": "u", "domain": "t.example", "state": "absent"}]},
             "cookies", r"declare each item once"),
        Case("cookie-purge-single", "qbt_cookie",
             {"name": "uid", "domain": "t.example", "value": COOKIE_VALUE, "purge": True}, "purge",
             r"only works with cookies"),
        Case("cookie-old-server", "qbt_cookie", {"name": "uid", "domain": "t.example", "value": COOKIE_VALUE},
             "cookies", r"needs qBittorrent 5\.1\.0", server="old", connection=True),
        # ---------------------------------------------------------------- qbt_transfer
        Case("transfer-not-bool", "qbt_transfer", {"alternative_speed_limits": "sometimes"},
             "alternative_speed_limits", r"bool"),
        Case("transfer-missing", "qbt_transfer", {}, "alternative_speed_limits", r"missing required arguments"),
        # ---------------------------------------------------------------- qbt_torrent_policy
        Case("policy-bad-regex", "qbt_torrent_policy",
             {"policies": [{"name": "p", "match": {"tracker_url": "(unclosed"}, "set": {"add_tags": ["rel-x"]}}]},
             "policies[0].match.tracker_url", r"not a valid regular expression", connection=True),
        Case("policy-empty-match", "qbt_torrent_policy",
             {"policies": [{"name": "p", "match": {}, "set": {"add_tags": ["rel-x"]}}]},
             "policies[0].match", r"set all: true to mean every torrent", connection=True),
        Case("policy-no-match", "qbt_torrent_policy", {"policies": [{"name": "p", "set": {"add_tags": ["rel-x"]}}]},
             "policies[0].match", r"set all: true to mean every torrent", connection=True),
        Case("policy-conflicting-tags", "qbt_torrent_policy",
             {"policies": [{"name": "p", "match": {"all": True}, "set": {"add_tags": ["a"], "remove_tags": ["a"]}}]},
             "policies[0].set", r"keep one", connection=True),
        Case("policy-absent-with-values", "qbt_torrent_policy",
             {"policies": [{"name": "p", "match": {"all": True}, "set": {"state": "absent", "ratio_limit": 1}}]},
             "policies[0].set.state", r"cannot be set", connection=True),
        Case("policy-same-name", "qbt_torrent_policy",
             {"policies": [{"name": "p", "match": {"all": True}, "set": {"add_tags": ["a"]}},
                           {"name": "p", "match": {"all": True}, "set": {"add_tags": ["b"]}}]},
             "policies[1].name", r"is the name of policies\[0\] too", connection=True),
        Case("policy-bad-date", "qbt_torrent_policy",
             {"policies": [{"name": "p", "match": {"added_before": "last week"}, "set": {"add_tags": ["a"]}}]},
             "policies[0].match.added_before", r"give an ISO 8601 date", connection=True),
        Case("policy-max-changes-zero", "qbt_torrent_policy",
             {"max_changes": 0, "policies": [{"name": "p", "match": {"all": True}, "set": {"add_tags": ["a"]}}]},
             "max_changes", r"give 1 or more", connection=True),
        Case("policy-category-missing", "qbt_torrent_policy",
             {"policies": [{"name": "p", "match": {"all": True}, "set": {"category": "rel-nope"}}]},
             "policies[0].set.category", r"create it with qbt_category", connection=True),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def bad_cases(seeded, workdir) -> list[Case]:
    garbage = workdir / "garbage.torrent"
    garbage.write_bytes(b"<html>this is not a torrent</html>")
    chosen = cases(seeded, str(garbage), str(workdir / "missing.torrent"), relkit.free_port())
    # Guard: a client that took 'ftp://127.0.0.1' for the host name 'ftp' would send a DNS query off this machine.
    with pytest.raises(ValueError, match="scheme"):
        split_url("ftp://127.0.0.1:21")
    return chosen


def _task(case: Case, fleet, execution: str) -> dict[str, Any]:
    handle = fleet[case.server]
    tag = f"bad-{execution}-{case.id}"
    args = dict(case.args)
    if case.auth:
        args = {**handle.login_options(tag=tag), **args}
    elif args.get("url", "") is None or "api_key" in args or "username" in args:
        args["url"] = handle.proxy.tagged(tag)
    args = {key: value for key, value in args.items() if value is not None}
    return relkit.task(case.id, case.module, args, ignore_errors=True, vars={"qbt_execution": execution})


@pytest.fixture(scope="module")
def bad_runs(fleet, ansible, seeded, bad_cases) -> dict[str, Any]:
    """Run every case in-process, the connection cases again as module processes; snapshots around both."""
    before = {key: handle.api.snapshot() for key, handle in fleet.handles.items()}
    reaching = [c for c in bad_cases if c.connection or not c.auth or _client_option(c)]
    # the two runs are independent (each case has its own URL tag): run them side by side
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        in_process = pool.submit(
            ansible.play, [_task(c, fleet, "in_process") for c in bad_cases], "bad-input-in-process"
        )
        module = pool.submit(ansible.play, [_task(c, fleet, "module") for c in reaching], "bad-input-module")
        runs = {"in_process": in_process.result(), "module": module.result()}
    after = {key: handle.api.snapshot() for key, handle in fleet.handles.items()}
    return {"runs": runs, "before": before, "after": after, "module_cases": {c.id for c in reaching}}


def _client_option(case: Case) -> bool:
    return bool({"timeout", "requests_args", "http_adapter_args", "extra_headers", "url"} & set(case.args))


def test_enough_cases(bad_cases):
    modules = {case.module for case in bad_cases}
    assert len(bad_cases) >= 40
    assert modules == {
        "qbt_info",
        "qbt_category",
        "qbt_tag",
        "qbt_api_key",
        "qbt_preferences",
        "qbt_torrent",
        "qbt_rss_feed",
        "qbt_rss_rule",
        "qbt_cookie",
        "qbt_transfer",
        "qbt_search_plugin",
        "qbt_torrent_policy",
    }


def test_state_unchanged(bad_runs):
    """Every server's whole state, read directly, is identical before and after all the bad inputs."""
    for key, before in bad_runs["before"].items():
        after = bad_runs["after"][key]
        for part in before:
            assert after[part] == before[part], f"{key}: {part} changed during the bad-input runs"


@pytest.mark.parametrize("execution", ["in_process", "module"])
def test_bad_input(bad_runs, bad_cases, fleet, execution):
    """Per case: failed, names the option, says what to do, no traceback, nothing written."""
    run = bad_runs["runs"][execution]
    problems = []
    tried = 0
    for case in bad_cases:
        if execution == "module" and case.id not in bad_runs["module_cases"]:
            continue
        tried += 1
        result = run.result(case.id)
        msg = str(result.get("msg", ""))
        where = f"{case.id} ({case.module}, {execution}): {msg[:400]!r}"
        if not run.failed(case.id):
            problems.append(f"did not fail: {where}")
            continue
        if case.option not in msg:
            problems.append(f"does not name {case.option!r}: {where}")
        if not re.search(case.hint, msg, re.DOTALL):
            problems.append(f"does not say what to do (/{case.hint}/): {where}")
        if TRACEBACK.search(msg + str(result.get("exception", ""))) or "module_stderr" in result:
            problems.append(f"a Python exception escaped: {where} {str(result.get('exception', ''))[-300:]!r}")
        tag = f"bad-{execution}-{case.id}"
        writes = fleet[case.server].proxy.writes(tag)
        if writes:
            problems.append(f"sent writes {[(w.method, w.endpoint) for w in writes]}: {where}")
    relkit.TALLY.bad_inputs += tried
    assert not problems, f"{len(problems)} of {tried} bad inputs misbehaved:\n" + "\n".join(problems)
