# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared client against the real servers: every behaviour a real server can show is proven here.

The numbers in the test names follow the client behaviours of the foundation issue.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

import pytest
import requests
from loopback_proxy import LoopbackProxy

from ansible_collections.community.qbittorrent.plugins.module_utils import _categories, _torrent_add, _torrents
from ansible_collections.community.qbittorrent.plugins.module_utils._client import Client
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import (
    BadRequest,
    Conflict,
    ConnectionFailed,
    Forbidden,
    InvalidInput,
    LoginFailed,
    MethodNotAllowed,
    NotFound,
    NotQbittorrent,
    ServerError,
    Unauthorized,
    UnimplementedEndpoint,
    UnsupportedMediaType,
)

MAGNET_HASH = "0123456789abcdef0123456789abcdef01234567"
MAGNET = f"magnet:?xt=urn:btih:{MAGNET_HASH}&dn=client-live-test"


def client_for(server, **kwargs):
    options = {"url": server["url"], "username": server["username"], "password": server["password"]}
    options.update(kwargs)
    return Client(**options)


def endpoints(client):
    return [(call["method"], call["endpoint"]) for call in client.api_calls]


def poll(check, timeout=15.0, interval=0.1):
    """qBittorrent applies some changes asynchronously: poll until check() is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------- 1. host forms
def test_1_host_forms(plain_server):
    port = plain_server["url"].rsplit(":", 1)[1].strip("/")
    for url in (f"127.0.0.1:{port}", f"localhost:{port}", f"http://127.0.0.1:{port}", f"http://localhost:{port}/"):
        with client_for(plain_server, url=url) as client:
            assert client.app_version == plain_server["app_version"]
            assert client.base_url.startswith("http://")


def test_1_no_scheme_costs_no_extra_request_when_http_works(plain_server):
    port = plain_server["url"].rsplit(":", 1)[1].strip("/")
    with client_for(plain_server, url=f"127.0.0.1:{port}") as client:
        client.get("app/preferences")
    assert endpoints(client) == [("POST", "auth/login"), ("GET", "app/preferences"), ("POST", "auth/logout")]


def test_1_no_scheme_switches_to_https_when_the_port_speaks_tls(https_server, tls):
    port = https_server["url"].rsplit(":", 1)[1].strip("/")
    with client_for(https_server, url=f"127.0.0.1:{port}", ca_path=tls["ca_cert"]) as client:
        assert client.app_version == https_server["app_version"]
        assert client.base_url == f"https://127.0.0.1:{port}/"
    # One failed plain-HTTP attempt, then everything over HTTPS.
    assert client.api_calls[0]["status"] is None
    assert all(call["status"] for call in client.api_calls[1:])


def test_1_reverse_proxy_path_prefix_is_kept(plain_server):
    with LoopbackProxy(plain_server["url"], prefix="/qbt/") as proxy:
        for url in (proxy.url, proxy.url.rstrip("/")):
            with client_for(plain_server, url=url) as client:
                assert client.app_version == plain_server["app_version"]
        assert proxy.counts[("GET", "app/version")] == 2


# ---------------------------------------------------------------------------------------------- 2. environment
def test_2_credentials_from_environment(plain_server):
    env = {
        "QBITTORRENTAPI_HOST": plain_server["url"],
        "QBITTORRENTAPI_USERNAME": plain_server["username"],
        "QBITTORRENTAPI_PASSWORD": plain_server["password"],
    }
    with Client(env=env) as client:
        assert client.app_version == plain_server["app_version"]


def test_2_api_key_from_environment(key_server):
    env = {"QBITTORRENTAPI_HOST": key_server["url"], "QBITTORRENTAPI_API_KEY": key_server["api_key"]}
    with Client(env=env) as client:
        assert client.app_version == key_server["app_version"]
    assert ("POST", "auth/login") not in endpoints(client)


# ---------------------------------------------------------------------------------------------- 3. API key
def test_3_api_key_wins_over_password_and_skips_login_and_logout(key_server):
    with client_for(key_server, password="not-the-password", api_key=key_server["api_key"]) as client:
        client.get_json("app/preferences")
    assert endpoints(client) == [("GET", "app/webapiVersion"), ("GET", "app/preferences")]


def test_3_wrong_api_key_is_a_clear_error(key_server):
    with (
        pytest.raises(LoginFailed, match="rejected the API key") as info,
        Client(key_server["url"], api_key="qbt_wrongwrongwrongwrongwrongwron") as client,
    ):
        client.get("app/preferences")
    assert "qbt_wrong" not in str(info.value)


def test_3_api_key_against_a_server_without_api_keys(old_server):
    with (
        pytest.raises(LoginFailed, match="need qBittorrent 5.2"),
        Client(old_server["url"], api_key="qbt_abcdefghijklmnopqrstuvwxyz12") as client,
    ):
        client.get("app/preferences")


# ---------------------------------------------------------------------------------------------- 4. login
def test_4_login_is_in_line_with_the_first_request(plain_server):
    client = client_for(plain_server)
    assert client.api_calls == []
    with client:
        client.get("app/preferences")
    assert endpoints(client)[0] == ("POST", "auth/login")


def test_4_wrong_password_is_a_login_error_after_one_attempt(plain_server):
    with (
        pytest.raises(LoginFailed, match="rejected the username") as info,
        client_for(plain_server, password="definitely-wrong") as client,
    ):
        client.get("app/preferences")
    assert endpoints(client) == [("POST", "auth/login")]
    assert "definitely-wrong" not in str(info.value)


def test_4_banned_ip_gets_one_login_attempt_and_a_clear_message(ban_server):
    for _attempt in range(2):
        with pytest.raises(LoginFailed), client_for(ban_server, password="wrong-password") as client:
            client.get("app/version")
    with pytest.raises(LoginFailed, match="banned this IP address") as info, client_for(ban_server) as client:
        client.get("app/version")
    assert endpoints(client) == [("POST", "auth/login")]
    assert type(info.value).__name__ == "Banned"


# ---------------------------------------------------------------------------------------------- 5. expiry
def test_5_expired_session_gets_one_new_login(plain_server):
    with client_for(plain_server) as client:
        client.get("app/preferences")
        # End the session behind the client's back, as the server's session timeout would.
        requests.post(
            plain_server["url"] + "/api/v2/auth/logout", cookies=client.session_cookies, timeout=10
        ).raise_for_status()
        assert client.get_json("app/preferences")
    assert endpoints(client).count(("POST", "auth/login")) == 2
    assert endpoints(client).count(("GET", "app/preferences")) == 3


# ---------------------------------------------------------------------------------------------- 6. logout
def test_6_session_cookie_is_rejected_after_the_run(plain_server):
    with client_for(plain_server) as client:
        client.get("app/version")
        cookies = client.session_cookies
    assert cookies
    answer = requests.get(plain_server["url"] + "/api/v2/app/version", cookies=cookies, timeout=10)
    assert answer.status_code == 403
    assert endpoints(client)[-1] == ("POST", "auth/logout")


def test_6_session_is_closed_when_the_task_fails(plain_server):
    with pytest.raises(NotFound), client_for(plain_server) as client:
        client.get("app/version")
        cookies = client.session_cookies
        client.get("app/noSuchEndpoint")
    assert requests.get(plain_server["url"] + "/api/v2/app/version", cookies=cookies, timeout=10).status_code == 403


# ---------------------------------------------------------------------------------------------- 7. TLS
@pytest.fixture
def ca_bundle_variables(monkeypatch):
    """The machine's own CA bundle in REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE, as on these machines and many others."""
    bundle = requests.certs.where()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundle)
    monkeypatch.setenv("CURL_CA_BUNDLE", bundle)


def test_7_verification_is_on_by_default_and_names_the_options(https_server, ca_bundle_variables):
    with pytest.raises(ConnectionFailed, match="ca_path.*validate_certs: false"), client_for(https_server) as client:
        client.get("app/version")


def test_7_ca_path_trusts_a_private_ca(https_server, tls, ca_bundle_variables):
    with client_for(https_server, ca_path=tls["ca_cert"]) as client:
        assert client.app_version == https_server["app_version"]


def test_7_validate_certs_false(https_server, ca_bundle_variables):
    with client_for(https_server, validate_certs=False) as client:
        assert client.app_version == https_server["app_version"]


def test_7_do_not_verify_environment_variable(https_server, ca_bundle_variables):
    with client_for(https_server, env={"QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE": "1"}) as client:
        assert client.app_version == https_server["app_version"]


def test_7_plain_http_to_a_tls_port_says_what_to_do(https_server):
    url = https_server["url"].replace("https://", "http://")
    with pytest.raises(ConnectionFailed, match="https://"), client_for(https_server, url=url) as client:
        client.get("app/version")


def test_7_https_to_a_plain_port_says_what_to_do(plain_server):
    url = plain_server["url"].replace("http://", "https://")
    with pytest.raises(ConnectionFailed, match="does not speak TLS"), client_for(plain_server, url=url) as client:
        client.get("app/version")


# ---------------------------------------------------------------------------------------------- 8. requests config
@pytest.fixture
def silent_port():
    """A loopback port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_8_timeout_is_honoured_with_bounded_retries(silent_port):
    started = time.monotonic()
    with (
        pytest.raises(ConnectionFailed, match="did not answer within 0.5 s"),
        Client(f"http://127.0.0.1:{silent_port}", "admin", "pw", timeout=0.5) as client,
    ):
        client.get("app/version")
    # A login is a POST: it is not retried after the request was sent.
    assert time.monotonic() - started < 3


def test_8_header_precedence_on_a_real_server(plain_server):
    # qBittorrent refuses a Referer that does not match the Host header with 401 (CSRF protection).
    good = {"Referer": plain_server["url"] + "/"}
    evil = {"Referer": "http://evil.example/"}
    with pytest.raises(LoginFailed, match="CSRF"), client_for(plain_server, extra_headers=evil) as client:
        client.get("app/version")
    with client_for(plain_server, extra_headers=evil, requests_args={"headers": good}) as client:
        assert client.app_version == plain_server["app_version"]
        with pytest.raises(Unauthorized):
            client.get("app/preferences", headers=evil)


# ---------------------------------------------------------------------------------------------- 9. versions
def test_9_versions_are_read_lazily_and_once(plain_server):
    with client_for(plain_server) as client:
        client.get("app/preferences")
        assert ("GET", "app/webapiVersion") not in endpoints(client)
        assert client.supports("torrents/tags")
        assert client.supports("torrents/createTags")
        assert str(client.webapi_version) == plain_server["webapi_version"]
    assert endpoints(client).count(("GET", "app/webapiVersion")) == 1
    assert client.warnings == []


# ---------------------------------------------------------------------------------------------- 10. endpoint gates
def test_10_unimplemented_endpoint_raises_without_sending(v4_server, caplog):
    caplog.set_level(logging.DEBUG, logger="community.qbittorrent")
    for fail in (False, True):
        with (
            pytest.raises(UnimplementedEndpoint, match="5.1.0"),
            client_for(v4_server, fail_on_unimplemented_endpoint=fail) as client,
        ):
            client.post("torrents/setTags", {"hashes": MAGNET_HASH, "tags": "x"})
        assert ("POST", "torrents/setTags") not in endpoints(client)
    assert "needs qBittorrent 5.1.0" in caplog.text


def test_10_removed_endpoint_is_gated_too(new_server):
    with pytest.raises(UnimplementedEndpoint, match="removed"), client_for(new_server) as client:
        client.post("torrents/pause", {"hashes": MAGNET_HASH})
    assert ("POST", "torrents/pause") not in endpoints(client)


def test_10_request_deadline_bounds_a_real_request(plain_server):
    # A real exchange well inside the deadline is untouched by it; the watchdog ends with the request.
    with client_for(plain_server, request_deadline=5) as client:
        assert client.app_version == plain_server["app_version"]
        assert client.get_json("app/preferences")


# ---------------------------------------------------------------------------------------------- 11. switched calls
def _state(client, torrent_hash):
    found = client.get_json("torrents/info", {"hashes": torrent_hash})
    return found[0]["state"] if found else None


def test_11_add_stop_start_across_versions(plain_server):
    with client_for(plain_server) as client:
        try:
            fields = {
                "urls": MAGNET,
                "savepath": plain_server["download_dir"],
                **_torrent_add.add_stopped_fields(client, True),
            }
            first = _torrent_add.add_torrents(client, fields)
            assert first["added"] is True, first
            assert poll(lambda: _state(client, MAGNET_HASH)), "the magnet never appeared"
            duplicate = _torrent_add.add_torrents(client, fields)
            if tuple(int(n) for n in plain_server["version"].split(".")[:2]) < (4, 5):
                # up to 4.4 a duplicate public torrent is merged (its trackers and web seeds added) and answered
                # Ok. (Session::addTorrent_impl, src/base/bittorrent/session.cpp); still one torrent
                assert duplicate == {"added": True, "pending": False, "ids": [], "answer": "Ok."}, duplicate
            else:
                assert duplicate["added"] is False, duplicate  # Fails., 409, or JSON with success_count 0
            stopped_state = "stoppedDL" if _torrents.uses_stopped_names(client) else "pausedDL"
            assert poll(lambda: _state(client, MAGNET_HASH) == stopped_state), _state(client, MAGNET_HASH)
            filtered = client.get_json("torrents/info", {"filter": _torrents.status_filter(client, "paused")})
            assert [t["hash"] for t in filtered] == [MAGNET_HASH]
            _torrents.start_torrents(client, [MAGNET_HASH])
            assert poll(lambda: _state(client, MAGNET_HASH) not in (stopped_state,))
            _torrents.stop_torrents(client, [MAGNET_HASH])
            assert poll(lambda: _state(client, MAGNET_HASH) == stopped_state)
        finally:
            client.post("torrents/delete", {"hashes": MAGNET_HASH, "deleteFiles": True})
            poll(lambda: _state(client, MAGNET_HASH) is None)


def test_11_edit_category_unchanged_and_missing(plain_server):
    with client_for(plain_server) as client:
        try:
            client.post("torrents/createCategory", {"category": "live-edit", "savePath": "/tmp/live-edit"})
            assert _categories.read(client)["live-edit"]["save_path"] == "/tmp/live-edit"
            _categories.edit(client, {"category": "live-edit", "savePath": "/tmp/live-edit"})
            assert _categories.edit(client, {"category": "live-edit", "savePath": "/tmp/live-edit2"}) is True
            assert _categories.read(client)["live-edit"]["save_path"] == "/tmp/live-edit2"
            with pytest.raises(NotFound):
                _categories.edit(client, {"category": "live-missing", "savePath": "/tmp/x"})
        finally:
            client.post("torrents/removeCategories", {"categories": "live-edit"})


# ---------------------------------------------------------------------------------------------- 12. errors
def test_12_error_statuses_carry_endpoint_and_server_text(plain_server):
    with client_for(plain_server) as client:
        with pytest.raises(NotFound, match="app/noSuchEndpoint"):
            client.get("app/noSuchEndpoint")
        if tuple(int(n) for n in plain_server["version"].split(".")[:2]) < (4, 5):
            # before 4.5 every action takes GET too (no allowed-method table in WebApplication::processRequest,
            # src/webui/webapplication.cpp): the missing json parameter answers 400
            with pytest.raises(BadRequest, match="app/setPreferences"):
                client.get("app/setPreferences")
        else:
            with pytest.raises(MethodNotAllowed, match="app/setPreferences"):
                client.get("app/setPreferences")
        with pytest.raises(BadRequest, match="torrents/createCategory"):
            client.post("torrents/createCategory", {"category": ""})
        try:
            client.post("torrents/createCategory", {"category": "live-dup"})
            with pytest.raises(Conflict, match="409"):
                client.post("torrents/createCategory", {"category": "live-dup"})
        finally:
            client.post("torrents/removeCategories", {"categories": "live-dup"})
        with pytest.raises(UnsupportedMediaType, match="415"):
            client.post("torrents/add", files={"torrents": ("garbage.torrent", b"not a torrent")})


def test_12_unauthenticated_call_says_what_to_set(plain_server):
    with pytest.raises(Forbidden, match="set username and password, or api_key"), Client(plain_server["url"]) as c:
        c.get("app/version")


def test_12_proxy_errors_are_retried_for_reads_then_reported(plain_server):
    with LoopbackProxy(plain_server["url"]) as proxy, client_for(plain_server, url=proxy.url) as client:
        client.get("app/version")
        proxy.inject(503, times=1)
        assert client.get("app/version").text.strip() == plain_server["app_version"]
        proxy.inject(502, times=5)
        with pytest.raises(ServerError, match="HTTP 502"):
            client.get("app/version")
        assert proxy.counts[("GET", "app/version")] == 1 + 2 + 2


# ---------------------------------------------------------------------------------------------- 14. wire
def test_14_no_referer_or_origin_and_methods(plain_server):
    with LoopbackProxy(plain_server["url"]) as proxy:
        with client_for(plain_server, url=proxy.url) as client:
            client.get_json("app/preferences")
            client.post("torrents/createTags", {"tags": "live-wire"})
            client.post("torrents/deleteTags", {"tags": "live-wire"})
        assert set(proxy.counts) == {
            ("POST", "auth/login"),
            ("GET", "app/webapiVersion"),
            ("GET", "app/preferences"),
            ("POST", "torrents/createTags"),
            ("POST", "torrents/deleteTags"),
            ("POST", "auth/logout"),
        }
        assert not any({"Referer", "Origin"} & set(headers) for headers in proxy.headers_seen)


# ------------------------------------------------------------------------------------------ a url that is not a WebUI
def test_a_wrong_path_prefix_on_a_real_server_is_named_not_a_webui(plain_server):
    # qBittorrent serves its WebUI files outside api/v2/, so a wrong prefix meets no API (webapplication.cpp).
    with (
        pytest.raises(NotQbittorrent, match="not a qBittorrent WebUI, or not at this path") as info,
        client_for(plain_server, url=plain_server["url"].rstrip("/") + "/nothere/") as client,
    ):
        client.get("app/preferences")
    assert "<" not in str(info.value)


def test_a_url_with_the_api_path_or_a_lone_username_sends_nothing(plain_server):
    with pytest.raises(InvalidInput, match="contains the API path /api/v2"):
        client_for(plain_server, url=plain_server["url"].rstrip("/") + "/api/v2")
    with pytest.raises(InvalidInput, match="^password: not set"):
        Client(plain_server["url"], plain_server["username"], env={})
