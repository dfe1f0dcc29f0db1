# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults, each on a real server or a loopback stand-in started here: the module either survives them (one
re-login after a lost session, one retry of a read behind a flaky proxy) or fails with a clear message, within the
documented bounds (the timeout per HTTP call, one retry), without a retry storm and without a traceback.

The documented bounds (plugins/doc_fragments/_connection.py): O(timeout) applies to each HTTP call; a connection
that fails before reaching the server is retried once; a read that fails or gets 502/503/504 is retried once; a
write is never sent twice; a failed login is never retried; an expired session gets one new login.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import relkit

FAKE_PASSWORD = "rel-fake-" + relkit.qbt_harness.secrets.token_urlsafe(12)
FAKE_KEY = relkit.qbt_harness.new_api_key()
relkit.SECRETS.add(FAKE_PASSWORD, "a password sent to a stand-in")
relkit.SECRETS.add(FAKE_KEY, "an API key sent to a stand-in")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|MODULE FAILURE|unexpected [A-Z]\w*(Error|Exception)\b")
RETRIES = 1  # the client's documented default
TIMEOUT = 1.0


def clean_failure(run: relkit.Run, name: str, *patterns: str) -> str:
    """The task NAME failed with a message matching every pattern and no sign of a traceback; returns the msg."""
    record = run.record(name)
    result = record["result"]
    msg = str(result.get("msg", ""))
    assert record["status"] == "failed", f"{name} did not fail: {result}"
    assert not TRACEBACK.search(msg + str(result.get("exception", ""))), f"{name}: a traceback escaped: {result}"
    for pattern in patterns:
        assert re.search(pattern, msg), f"{name}: the message does not match /{pattern}/: {msg}"
    return msg


def succeeded(run: relkit.Run, name: str) -> dict[str, Any]:
    record = run.record(name)
    assert record["status"] == "ok", f"{name} failed: {record['result'].get('msg')}"
    return record["result"]


def call_seconds(result: dict[str, Any]) -> float:
    """Seconds the task spent in HTTP calls, from the api_calls it returns at -vvv."""
    return sum(call["ms"] for call in result.get("api_calls", [])) / 1000


# ------------------------------------------------------------------------------------------ nobody there
def test_connection_refused(ansible):
    port = relkit.free_port()
    tasks = [
        relkit.task(f"refused {url}", "qbt_category", {"url": url, "username": "admin", "password": FAKE_PASSWORD,
                                                       "name": "rel-x", "timeout": TIMEOUT}, ignore_errors=True)
        for url in (f"http://127.0.0.1:{port}", f"127.0.0.1:{port}", f"https://127.0.0.1:{port}")
    ]  # fmt: skip
    run = ansible.play(tasks, "fault-refused", verbosity=3)
    for entry in tasks:
        clean_failure(run, entry["name"], r"cannot connect to .*Connection refused", r"Is qBittorrent running")
        result = run.result(entry["name"])
        assert [call["endpoint"] for call in result["api_calls"]] == ["auth/login"], result["api_calls"]
        assert call_seconds(result) < 2.0  # refused at once; one immediate retry, no https detour
    relkit.TALLY.fault("connection refused")


def test_port_that_never_answers(ansible):
    """A read timeout: a login (a POST) is sent once; a read (GET with an API key) at most RETRIES+1 times."""
    with relkit.SilentPort() as silent:
        login = {"url": silent.url, "username": "admin", "password": FAKE_PASSWORD, "timeout": TIMEOUT}
        key = {"url": silent.url, "api_key": FAKE_KEY, "timeout": TIMEOUT}
        no_scheme = dict(login, url=silent.url.replace("http://", ""))
        tasks = [
            relkit.task("silent login", "qbt_tag", dict(login, tags=["x"]), ignore_errors=True),
            relkit.task("silent api key", "qbt_info", key, ignore_errors=True),
            relkit.task("silent no scheme", "qbt_tag", dict(no_scheme, tags=["x"]), ignore_errors=True),
        ]
        accepted = []
        started = time.monotonic()
        run = ansible.play(tasks, "fault-silent", verbosity=3)
        accepted.append(silent.accepted)
    elapsed = time.monotonic() - started
    attempts = {"silent login": 1, "silent api key": RETRIES + 1, "silent no scheme": 1}
    for name, expected in attempts.items():
        clean_failure(run, name, rf"did not answer within {TIMEOUT} s \(timeout option", rf"retries: {RETRIES}")
        seconds = call_seconds(run.result(name))
        # honoured: it waited for the timeout, and not longer than the documented retries allow (+ backoff)
        assert TIMEOUT * expected - 0.1 <= seconds <= TIMEOUT * expected + 0.3 * expected + 0.5, (name, seconds)
    assert accepted[0] == sum(attempts.values()), f"connections accepted: {accepted[0]}, expected {attempts}"
    assert elapsed < 60
    relkit.TALLY.fault("a port that accepts and never answers")


# ------------------------------------------------------------------------------------------ restarts
def test_restart_between_two_tasks(fleet, ansible):
    with fleet.throwaway("restart-between") as handle:
        restarted = handle.proxy.on(lambda r: r.tag == "second", lambda r: handle.restart())
        tasks = [
            relkit.task("first", "qbt_category", handle.login_options(tag="first", name="rel-first")),
            relkit.task("second", "qbt_category", handle.login_options(tag="second", name="rel-second")),
        ]
        run = ansible.play(tasks, "fault-restart-between")
        assert succeeded(run, "first")["changed"] and succeeded(run, "second")["changed"]
        assert restarted.fired == 1
        assert set(handle.api.get("torrents/categories")) == {"rel-first", "rel-second"}
        assert handle.proxy.count("second", "POST", "auth/login") == 1
    relkit.TALLY.fault("server restarted between two tasks")


def test_restart_in_the_middle_of_a_bulk_task(fleet, ansible, workdir):
    """The server restarts after the 4th category of 12 was written: the 5th write gets 403, the module logs in
    once more, writes it again and finishes; same for a bulk torrent task between its add and its setters."""
    names = [f"rel-bulk-{i:02d}" for i in range(12)]
    links = [relkit.magnet(f"rel-restart-{i}") for i in range(6)]
    with fleet.throwaway("restart-bulk") as handle:
        restarted = handle.proxy.on(
            relkit.nth(5, tag="bulk", endpoint="torrents/createCategory"), lambda r: handle.restart()
        )
        # after torrents/add was sent, before the module's next read of the torrent list
        torrent_restart = handle.proxy.on(
            relkit.nth(2, tag="bulk-torrents", method="GET", endpoint="torrents/info"), lambda r: handle.restart()
        )
        declared = [{"name": name, "save_path": f"{workdir}/bulk/{name}"} for name in names]
        items = [{"source": link, "tags": ["rel-restart"], "category": "rel-bulk-00"} for link, _hash in links]
        tasks = [
            relkit.task("bulk", "qbt_category", handle.login_options(tag="bulk", categories=declared)),
            relkit.task("bulk-torrents", "qbt_torrent", handle.login_options(tag="bulk-torrents", torrents=items)),
        ]
        run = ansible.play(tasks, "fault-restart-bulk")
        assert succeeded(run, "bulk")["changed"]
        assert restarted.fired == 1 and torrent_restart.fired == 1
        proxy = handle.proxy
        for tag in ("bulk", "bulk-torrents"):
            assert proxy.count(tag, "POST", "auth/login") == 2, f"{tag}: not exactly one re-login"
            assert [e.status for e in proxy.requests_for(tag)].count(403) == 1, f"{tag}: not exactly one 403"
        assert proxy.count("bulk", "POST", "torrents/createCategory") == 13  # 12 + the one repeated after 403
        categories = handle.api.get("torrents/categories")
        assert {n: c["savePath"].rstrip("/") for n, c in categories.items()} == {
            d["name"]: d["save_path"] for d in declared
        }
        succeeded(run, "bulk-torrents")
        listed = {t["hash"]: t for t in handle.api.get("torrents/info")}
        assert set(listed) == {h for _link, h in links}
        for entry in listed.values():
            assert entry["category"] == "rel-bulk-00" and entry["tags"] == "rel-restart", entry
    relkit.TALLY.fault("server restarted in the middle of a bulk task")


def test_restart_in_the_middle_of_a_policy_run(fleet, ansible):
    """qbt_torrent_policy: the server restarts on its second grouped write (after the upload limits, on the
    tags): the write gets 403, the module logs in once more, sends it again, reads back and finishes; a second run
    finds nothing to do."""
    links = [relkit.magnet(f"rel-policy-{i}") for i in range(6)]
    with fleet.throwaway("restart-policy") as handle:
        items = [{"source": link, "tags": ["rel-policy"]} for link, _hash in links]
        policy = {
            "name": "limit and tag",
            "match": {"tags_any": ["rel-policy"]},
            "set": {"upload_limit": 10240, "add_tags": ["rel-policy-done"]},
        }
        restarted = handle.proxy.on(
            relkit.nth(1, tag="policy", endpoint="torrents/addTags"), lambda r: handle.restart()
        )
        tasks = [
            relkit.task("add", "qbt_torrent", handle.login_options(tag="add", torrents=items)),
            relkit.task("policy", "qbt_torrent_policy", handle.login_options(tag="policy", policies=[policy])),
            relkit.task("again", "qbt_torrent_policy", handle.login_options(tag="again", policies=[policy])),
        ]
        run = ansible.play(tasks, "fault-restart-policy")
        succeeded(run, "add")
        result = succeeded(run, "policy")
        assert result["changed"] and result["counts"]["changed"] == 6
        assert restarted.fired == 1
        proxy = handle.proxy
        assert proxy.count("policy", "POST", "auth/login") == 2, "not exactly one re-login"
        assert proxy.count("policy", "POST", "torrents/setUploadLimit") == 1  # one request for all six
        assert proxy.count("policy", "POST", "torrents/addTags") == 2  # the one repeated after the 403
        assert not succeeded(run, "again")["changed"]
        for entry in handle.api.get("torrents/info"):
            assert entry["up_limit"] == 10240 and entry["tags"] == "rel-policy, rel-policy-done", entry
    relkit.TALLY.fault("server restarted in the middle of a policy run")


# ------------------------------------------------------------------------------------------ sessions
def test_session_logged_out_behind_the_clients_back(fleet, ansible):
    handle = fleet["new"]
    proxy = handle.proxy

    def log_out_first(request: relkit.Request) -> None:
        with relkit.requests.Session() as http:
            http.trust_env = False
            http.cookies.set(f"QBT_SID_{handle.server.webui_port}", request.cookie)
            answer = http.post(handle.server.url + "/api/v2/auth/logout", timeout=10)
            assert answer.status_code == 200
        proxy.drop_sessions()

    hook = proxy.on(lambda r: r.tag == "behind-back" and r.endpoint == "torrents/categories", log_out_first)
    run = ansible.play(
        [relkit.task("behind-back", "qbt_category", handle.login_options(tag="behind-back", name="rel-behind"))],
        "fault-logged-out",
    )
    assert succeeded(run, "behind-back")["changed"] and hook.fired == 1
    assert proxy.count("behind-back", "POST", "auth/login") == 2
    assert "rel-behind" in handle.api.get("torrents/categories")
    handle.api.post("torrents/removeCategories", {"categories": "rel-behind"})
    relkit.TALLY.fault("session logged out on the server")


def test_session_expired_on_the_server(fleet, ansible):
    """web_ui_session_timeout 3 s on a throw-away server; the proxy holds one request until the session expired.

    (3 s, not 1: on a busy machine the new session must outlive the rest of the task.)"""
    with fleet.throwaway("expiry", extra_config={"Preferences": {"WebUI\\SessionTimeout": "3"}}) as handle:
        proxy = handle.proxy
        probes = []

        def until_expired(request: relkit.Request) -> None:
            cookie = {f"QBT_SID_{handle.server.webui_port}": request.cookie}
            for _attempt in range(10):  # each probe of a live session renews it: wait past the timeout again
                time.sleep(3.2)
                status = relkit.requests.get(handle.server.url + "/api/v2/app/version", cookies=cookie, timeout=5)
                probes.append(status.status_code)
                if status.status_code == 403:
                    proxy.drop_sessions()
                    return
            raise AssertionError(f"the session never expired: {probes}")

        proxy.on(lambda r: r.tag == "expiry" and r.endpoint == "torrents/createTags", until_expired)
        run = ansible.play(
            [relkit.task("expiry", "qbt_tag", handle.login_options(tag="expiry", tags=["rel-a", "rel-b"]))],
            "fault-expired",
        )
        assert succeeded(run, "expiry")["changed"]
        assert probes[-1] == 403
        assert proxy.count("expiry", "POST", "auth/login") == 2
        assert proxy.count("expiry", "POST", "torrents/createTags") == 2
        assert sorted(handle.api.get("torrents/tags")) == ["rel-a", "rel-b"]
    relkit.TALLY.fault("session expired on the server")


def test_ip_banned(fleet, ansible):
    """Two wrong passwords get this IP banned; then even the right one is refused: one login per task, a message
    that says what happened and what to do, no retry storm."""
    config = {"Preferences": {"WebUI\\MaxAuthenticationFailCount": "2", "WebUI\\BanDuration": "3600"}}
    with fleet.throwaway("ban", extra_config=config) as handle:
        wrong = handle.login_options(password=FAKE_PASSWORD)
        tasks = [
            relkit.task("wrong 1", "qbt_info", dict(wrong, url=handle.proxy.tagged("wrong-1")), ignore_errors=True),
            relkit.task("wrong 2", "qbt_info", dict(wrong, url=handle.proxy.tagged("wrong-2")), ignore_errors=True),
            relkit.task("banned", "qbt_category", handle.login_options(tag="banned", name="x"), ignore_errors=True),
            relkit.task("banned module", "qbt_tag", handle.login_options(tag="banned-module", tags=["x"]),
                        ignore_errors=True, vars={"qbt_execution": "module"}),
        ]  # fmt: skip
        run = ansible.play(tasks, "fault-banned")
        for name in ("wrong 1", "wrong 2"):
            clean_failure(run, name, r"rejected the username 'admin' and its password", r"check the username")
        for name in ("banned", "banned module"):
            clean_failure(run, name, r"banned this IP address", r"wait for the ban to end|restart qBittorrent")
        for tag in ("wrong-1", "wrong-2", "banned", "banned-module"):
            events = handle.proxy.requests_for(tag)
            assert [(e.endpoint, e.status) for e in events if e.endpoint == "auth/login"] == [
                ("auth/login", 403 if tag.startswith("banned") else 401)  # 5.2+ answers 401 to a wrong password
            ], events
            assert len(events) == 1, f"{tag}: more than the one login attempt: {events}"
    relkit.TALLY.fault("IP banned")


# ------------------------------------------------------------------------------------------ schemes
def test_wrong_scheme(fleet, ansible):
    """Plain HTTP to the HTTPS WebUI, HTTPS to a plain one, and no scheme (switches to HTTPS by itself)."""
    tls, plain = fleet["tls"], fleet["new"]
    port = tls.server.webui_port
    common = {"username": tls.username, "password": tls.password, "ca_path": tls.ca, "timeout": 5}
    plain_as_https = f"https://127.0.0.1:{plain.server.webui_port}"
    proxy_no_scheme = tls.proxy.tagged("no-scheme").replace("https://", "")
    tasks = [
        relkit.task("http to https", "qbt_info", dict(common, url=f"http://127.0.0.1:{port}"), ignore_errors=True),
        relkit.task("https to http", "qbt_info", dict(plain.login_options(timeout=TIMEOUT), url=plain_as_https),
                    ignore_errors=True),
        relkit.task("no scheme", "qbt_info", dict(common, url=f"127.0.0.1:{port}", gather_subset=["version"])),
        # through the TLS proxy, so the session is counted: https, and no scheme (the proxy drops plain HTTP too)
        relkit.task("https", "qbt_category", tls.login_options(tag="https", name="rel-https", state="absent")),
        relkit.task("no scheme, proxy", "qbt_tag", dict(tls.login_options(), tags=["rel-https"], url=proxy_no_scheme)),
    ]  # fmt: skip
    started = time.monotonic()
    run = ansible.play(tasks, "fault-scheme", verbosity=3)
    clean_failure(run, "http to https", r"If the WebUI uses HTTPS, write the url with https://")
    # qBittorrent never answers a TLS handshake on its plain-HTTP port: the login waits for the timeout, once
    clean_failure(run, "https to http", rf"did not answer within {TIMEOUT} s", r"write the url with http://")
    for name in ("http to https", "https to http"):
        assert len(run.result(name)["api_calls"]) == 1 and call_seconds(run.result(name)) < TIMEOUT + 1.5
    calls = [(c["endpoint"], c["status"]) for c in succeeded(run, "no scheme")["api_calls"]]
    # the first try over HTTP has no status; then HTTPS, a login and the logout that closes the session
    assert calls[0] == ("auth/login", None) and calls[1] == ("auth/login", 204) and calls[-1] == ("auth/logout", 200)
    succeeded(run, "https")
    assert succeeded(run, "no scheme, proxy")["changed"]
    assert tls.proxy.count("no-scheme", "POST", "auth/login") == 1 and tls.proxy.count("https", "POST", "auth/logout")
    assert time.monotonic() - started < 60
    relkit.TALLY.fault("plain HTTP to an HTTPS port")
    relkit.TALLY.fault("HTTPS to a plain HTTP port")


# ------------------------------------------------------------------------------------------ a reverse proxy
@pytest.fixture
def prefixed(fleet):
    proxy = relkit.SessionProxy(fleet["new"].server.url, prefix="/qbt/", name="prefix proxy").start()
    try:
        yield proxy
    finally:
        proxy.stop()


def test_reverse_proxy_with_a_path_prefix(fleet, ansible, prefixed):
    handle = fleet["new"]
    link, link_hash = relkit.magnet("rel-prefix")
    options = handle.login_options(url=prefixed.url)
    tasks = [
        relkit.task("info", "qbt_info", dict(options, gather_subset=["version", "categories"])),
        relkit.task("create", "qbt_category", dict(options, name="rel-prefix", save_path="/tmp/rel-prefix")),
        relkit.task("again", "qbt_category", dict(options, name="rel-prefix", save_path="/tmp/rel-prefix")),
        relkit.task("torrent", "qbt_torrent", dict(options, source=link, category="rel-prefix", state="stopped")),
        relkit.task("clean", "qbt_torrent", dict(options, hash=link_hash, state="absent")),
        relkit.task("clean category", "qbt_category", dict(options, name="rel-prefix", state="absent")),
    ]
    run = ansible.play(tasks, "fault-prefix")
    assert succeeded(run, "create")["changed"] and not succeeded(run, "again")["changed"]
    for name in ("info", "torrent", "clean", "clean category"):
        succeeded(run, name)
    outside = [e.endpoint for e in prefixed.requests_for() if e.endpoint.startswith("(outside")]
    assert not outside and prefixed.count() > 10
    relkit.TALLY.fault("reverse proxy with a path prefix")


def test_502_and_503_from_the_proxy(fleet, ansible, prefixed):
    handle = fleet["new"]
    options = handle.login_options(url=prefixed.url)

    def tagged(tag: str, **args: Any) -> dict[str, Any]:
        return dict(options, url=prefixed.tagged(tag), **args)

    prefixed.inject_on("GET", "torrents/categories", 503, times=1)
    run = ansible.play([relkit.task("one 503", "qbt_info", tagged("one-503", gather_subset=["categories"]))],
                       "fault-503-once")  # fmt: skip
    succeeded(run, "one 503")
    assert prefixed.count("one-503", "GET", "torrents/categories") == 2  # the read was retried once
    prefixed.clear_hooks()

    prefixed.inject_on("GET", "torrents/categories", 502, times=50)
    prefixed.on(lambda r: (r.tag, r.endpoint) == ("write-503", "torrents/createTags"), lambda r: (503, "down"), None)
    prefixed.on(lambda r: (r.tag, r.endpoint) == ("login-502", "auth/login"), lambda r: (502, "bad gateway"), None)
    tasks = [
        relkit.task("502 read", "qbt_category", tagged("read-502", name="rel-502"), ignore_errors=True),
        relkit.task("503 write", "qbt_tag", tagged("write-503", tags=["rel-503"]), ignore_errors=True),
        relkit.task("502 login", "qbt_info", tagged("login-502"), ignore_errors=True),
    ]
    run = ansible.play(tasks, "fault-5xx")
    prefixed.clear_hooks()
    clean_failure(run, "502 read", r"GET torrents/categories .* failed with HTTP 502")
    clean_failure(run, "503 write", r"POST torrents/createTags .* failed with HTTP 503")
    clean_failure(run, "502 login", r"POST auth/login .* failed with HTTP 502")
    assert prefixed.count("read-502", "GET", "torrents/categories") == RETRIES + 1
    assert prefixed.count("write-503", "POST", "torrents/createTags") == 1  # a write is never sent twice
    assert prefixed.count("login-502", "POST", "auth/login") == 1  # a login is never retried
    assert "rel-503" not in handle.api.get("torrents/tags") and "rel-502" not in handle.api.get("torrents/categories")
    relkit.TALLY.fault("503 once from a proxy (retried)")
    relkit.TALLY.fault("502/503 from a proxy (bounded, clear error)")


# ------------------------------------------------------------------------------------------ odd answers
STATIC_PAGE = "<html><body><h1>Welcome to nginx!</h1></body></html>"
QBT_LOGIN = {("POST", "auth/login"): (200, "Ok."), ("POST", "auth/logout"): (200, "")}
VERSIONS = {("GET", "app/version"): (200, "v5.1.0"), ("GET", "app/webapiVersion"): (200, "2.11.4")}
ODD_JSON = r"{} answered JSON that qBittorrent does not send .*is the url a qBittorrent WebUI"


@pytest.mark.parametrize(
    "case, routes, default, module, args, pattern",
    [
        # a web page where the API answers: named as something in front of (or instead of) qBittorrent
        ("web page", {}, (200, STATIC_PAGE), "qbt_category", {"name": "x"},
         r"something in front of qBittorrent|not a qBittorrent WebUI"),
        ("web page, key", {}, (200, STATIC_PAGE), "qbt_info", {"api_key": FAKE_KEY},
         r"not a qBittorrent WebUI, or not at this path: .*web page"),
        ("not json", {**QBT_LOGIN, **VERSIONS}, (200, STATIC_PAGE), "qbt_category", {"name": "x"},
         r"not a qBittorrent WebUI, or not at this path: GET api/v2/torrents/categories answered with a web page"),
        ("categories list", {**QBT_LOGIN, **VERSIONS, ("GET", "torrents/categories"): (200, '["a"]')}, (404, ""),
         "qbt_category", {"name": "x"}, ODD_JSON.format("torrents/categories")),
        ("category number", {**QBT_LOGIN, **VERSIONS, ("GET", "torrents/categories"): (200, '{"a": 1}')},
         (404, ""), "qbt_torrent", {"hash": "a" * 40, "category": "a"}, r"torrents/(categories|info)"),
        ("tags number", {**QBT_LOGIN, **VERSIONS, ("GET", "torrents/tags"): (200, "42")}, (404, ""),
         "qbt_tag", {"tags": ["x"]}, ODD_JSON.format("torrents/tags")),
        ("preferences list", {**QBT_LOGIN, **VERSIONS, ("GET", "app/preferences"): (200, "[1, 2]")}, (404, ""),
         "qbt_preferences", {"preferences": {"dl_limit": 0}}, ODD_JSON.format("app/preferences")),
        ("torrents object", {**QBT_LOGIN, **VERSIONS, ("GET", "torrents/info"): (200, '{"x": 1}')}, (404, ""),
         "qbt_torrent", {"hash": "a" * 40, "state": "stopped"}, ODD_JSON.format("torrents/info")),
        ("rss rules list", {**QBT_LOGIN, **VERSIONS, ("GET", "rss/items"): (200, "{}"),
                            ("GET", "rss/rules"): (200, '["r"]')}, (404, ""),
         "qbt_rss_rule", {"name": "r"}, ODD_JSON.format("rss/rules")),
        ("rss items text", {**QBT_LOGIN, **VERSIONS, ("GET", "rss/items"): (200, '"feeds"')}, (404, ""),
         "qbt_rss_feed", {"path": "a"}, ODD_JSON.format("rss/items")),
        ("version garbage", {**QBT_LOGIN, ("GET", "app/webapiVersion"): (200, "banana")}, (404, ""),
         "qbt_tag", {"tags": ["x"]}, r"answered HTTP 200, 'banana' where qBittorrent sends its WebAPI version"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 20 else None,
)  # fmt: skip
def test_unexpected_body(ansible, case, routes, default, module, args, pattern):
    with relkit.OddServer(routes, default) as odd:
        options = {"url": odd.url, "username": "admin", "password": FAKE_PASSWORD, **args}
        if "api_key" in args:
            options.pop("username"), options.pop("password")
        run = ansible.play([relkit.task(case, module, options, ignore_errors=True)], "fault-odd")
        clean_failure(run, case, pattern)
        assert sum(odd.counts.values()) <= 8, odd.counts  # no retry storm
        logins = odd.counts[("POST", "auth/login")]
        assert logins <= 1 and odd.counts[("POST", "auth/logout")] == (logins if case != "web page" else 0)
    relkit.TALLY.fault(f"unexpected body ({case})")
