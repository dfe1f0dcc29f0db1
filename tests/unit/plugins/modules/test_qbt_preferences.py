# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qbt_preferences against a fake server: what no well-behaved real server does on request (a value dropped,
a login refused after a credential change), and the exact requests of the common paths."""

from __future__ import annotations

import json

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _client
from ansible_collections.community.qbittorrent.plugins.module_utils import _webui_change as webui
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput, QbtError
from ansible_collections.community.qbittorrent.plugins.modules import qbt_preferences
from ansible_collections.community.qbittorrent.tests.unit.plugins.module_utils import fake_server
from ansible_collections.community.qbittorrent.tests.unit.plugins.module_utils.fake_server import form, install

BASE = fake_server.BASE


def server(webapi="2.11.4", drop=(), password="pw", **values):
    """Routes of a server with app/preferences VALUES that keeps what is written, except the keys in DROP."""
    prefs = {
        "dl_limit": 0,
        "max_ratio": -1,
        "max_ratio_enabled": False,
        "schedule_from_hour": 8,
        "schedule_from_min": 0,
        "proxy_password": "stored-proxy-secret",
        "web_ui_username": "admin",
        "web_ui_port": 8080,
        "use_https": False,
        "bypass_local_auth": False,
        "bypass_auth_subnet_whitelist_enabled": False,
        **values,
    }
    state = {"password": password}

    def login(request):
        return (200, "Ok.") if form(request).get("password") == state["password"] else (200, "Fails.")

    def set_preferences(request):
        changes = json.loads(form(request)["json"])
        if "web_ui_password" in changes:
            state["password"] = changes.pop("web_ui_password")
        prefs.update({key: value for key, value in changes.items() if key not in drop})
        return (200, "")

    routes = {
        ("POST", "auth/login"): login,
        ("POST", "auth/logout"): (200, ""),
        ("GET", "app/webapiVersion"): (200, webapi),
        ("GET", "app/version"): (200, "v5.1.0"),
        ("GET", "app/preferences"): lambda request: (200, json.dumps(prefs)),
        ("POST", "app/setPreferences"): set_preferences,
    }
    return routes, prefs, state


def task_for(check_mode=False, **params):
    return fake_server.task_for(qbt_preferences, check_mode, **params)


def sent(adapter):
    return [(request.method, request.url.split("/api/v2/")[-1]) for request, _kwargs in adapter.requests]


def writes(adapter):
    return [
        json.loads(form(request)["json"]) for request, _kwargs in adapter.requests if "setPreferences" in request.url
    ]


def test_one_read_one_write_one_read_back(monkeypatch):
    routes, prefs, _state = server()
    adapter = install(monkeypatch, _client, routes)
    result = qbt_preferences.run(task_for(preferences={"dl_limit": "2048", "schedule_from_hour": 3}))
    assert result["changed"] and result["changed_keys"] == ["dl_limit", "schedule_from_hour"]
    assert writes(adapter) == [{"dl_limit": 2048, "schedule_from_hour": 3, "schedule_from_min": 0}]
    assert sent(adapter).count(("GET", "app/preferences")) == 2
    assert result["preferences"] == {"dl_limit": 2048, "schedule_from_hour": 3}
    assert result["diff"] == {
        "before": {"dl_limit": 0, "schedule_from_hour": 8},
        "after": {"dl_limit": 2048, "schedule_from_hour": 3},
    }
    assert prefs["dl_limit"] == 2048


def test_check_mode_and_repeat_send_no_write(monkeypatch):
    routes, _prefs, _state = server(dl_limit=2048)
    adapter = install(monkeypatch, _client, routes)
    assert not qbt_preferences.run(task_for(preferences={"dl_limit": 2048}))["changed"]
    result = qbt_preferences.run(task_for(check_mode=True, preferences={"dl_limit": 4096}))
    assert result["changed"] and result["preferences"] == {"dl_limit": 4096}
    assert writes(adapter) == []


def test_a_value_the_server_drops_fails_naming_the_key(monkeypatch):
    routes, _prefs, _state = server(drop=("dl_limit",))
    install(monkeypatch, _client, routes)
    with pytest.raises(
        QbtError, match=r"preferences.dl_limit: 4096 \(an integer\) was sent, the server kept 0"
    ) as info:
        qbt_preferences.run(task_for(preferences={"dl_limit": 4096}))
    assert info.value.changed is True  # it was written


def test_share_limits_are_sent_together_up_to_5_1_only(monkeypatch):
    routes, _prefs, _state = server(max_ratio=1.5, max_ratio_enabled=True)
    adapter = install(monkeypatch, _client, routes)
    qbt_preferences.run(task_for(preferences={"max_ratio": 2}))
    assert writes(adapter) == [{"max_ratio": 2.0, "max_ratio_enabled": True}]
    routes, _prefs, _state = server(webapi="2.15.1", max_ratio=1.5, max_ratio_enabled=True)
    adapter = install(monkeypatch, _client, routes)
    qbt_preferences.run(task_for(preferences={"max_ratio": 2}))
    assert writes(adapter) == [{"max_ratio": 2.0}]


def test_bad_input_is_found_before_any_request(monkeypatch):
    routes, _prefs, _state = server()
    adapter = install(monkeypatch, _client, routes)
    with pytest.raises(
        InvalidInput, match="2 problems: preferences.web_ui_api_key: .*qbt_api_key.*; preferences.dl_limit: expected an"
    ):
        qbt_preferences.run(task_for(preferences={"web_ui_api_key": "qbt_x", "dl_limit": "fast"}))
    assert adapter.requests == []


@pytest.mark.parametrize(
    ("declared", "words"),
    [
        ({"dl_limit": 2**31}, "preferences.dl_limit: 2147483648 is outside 0..2147482624 bytes/s"),
        ({"encryption": 7}, "preferences.encryption: 7 is not one of 0 (prefer encryption)"),
        ({"save_path": "relative"}, "preferences.save_path: the path 'relative' is not absolute"),
        ({"bypass_auth_subnet_whitelist": "lan"}, "preferences.bypass_auth_subnet_whitelist: 'lan': expected"),
        ({"max_ratio": 1e300}, "preferences.max_ratio: 1e+300 is outside 0..9999 ratio"),
    ],
)
def test_values_the_server_would_change_are_refused_before_any_request(monkeypatch, declared, words):
    routes, _prefs, _state = server()
    adapter = install(monkeypatch, _client, routes)
    with pytest.raises(InvalidInput, match="Nothing was changed") as info:
        qbt_preferences.run(task_for(preferences=declared))
    assert words in str(info.value)
    assert adapter.requests == []


def test_a_bad_value_and_an_unknown_key_fail_together_before_any_write(monkeypatch):
    routes, _prefs, _state = server()
    adapter = install(monkeypatch, _client, routes)
    with pytest.raises(InvalidInput) as info:
        qbt_preferences.run(task_for(preferences={"dl_limit": -5, "dl_limt": 1}, secret_preferences={"up_limit": 1}))
    message = str(info.value)
    assert message.startswith("preferences: 4 problems: ")
    assert "secret_preferences.up_limit: not a secret preference" in message
    assert "secret_preferences.up_limit: 1 cannot be kept" in message
    assert "preferences.dl_limit: -5 cannot be kept" in message
    assert "preferences.dl_limt: qBittorrent v5.1.0 (WebAPI 2.11.4) has no such preference" in message
    assert "Closest known: dl_limit" in message
    assert writes(adapter) == [] and sent(adapter).count(("GET", "app/preferences")) == 1


def test_windows_paths_are_refused_on_a_server_that_is_not_windows(monkeypatch):
    routes, _prefs, _state = server(save_path="/data")
    routes[("GET", "app/buildInfo")] = (200, json.dumps({"qt": "6.8", "platform": "linux"}))
    adapter = install(monkeypatch, _client, routes)
    with pytest.raises(InvalidInput, match=r"preferences.save_path: the path 'D:\\\\dl' is a Windows path, .* linux"):
        qbt_preferences.run(task_for(preferences={"save_path": "D:\\dl"}))
    assert writes(adapter) == []
    routes[("GET", "app/buildInfo")] = (200, json.dumps({"qt": "6.8", "platform": "windows"}))
    install(monkeypatch, _client, routes)
    assert qbt_preferences.run(task_for(preferences={"save_path": "D:\\dl"}))["changed"]
    # a POSIX path needs no platform: no buildInfo request
    adapter = install(monkeypatch, _client, routes)
    qbt_preferences.run(task_for(preferences={"save_path": "/data//x/"}))
    assert ("GET", "app/buildInfo") not in sent(adapter)
    assert writes(adapter) == [{"save_path": "/data/x"}]


def test_unknown_keys(monkeypatch):
    routes, _prefs, _state = server()
    adapter = install(monkeypatch, _client, routes)
    with pytest.raises(InvalidInput, match=r"dl_limt: qBittorrent v5.1.0 \(WebAPI 2.11.4\) .* Closest known: dl_limit"):
        qbt_preferences.run(task_for(preferences={"dl_limt": 1024, "dl_limit": 1024}))
    assert writes(adapter) == []
    task = task_for(preferences={"dl_limt": 1024, "dl_limit": 1024}, unknown_keys="warn")
    result = qbt_preferences.run(task)
    assert result["unknown_keys"] == ["dl_limt"] and result["changed_keys"] == ["dl_limit"]
    assert "dl_limt: qBittorrent v5.1.0" in task.warnings[0]


def test_secrets_are_masked_and_registered(monkeypatch):
    routes, _prefs, _state = server()
    install(monkeypatch, _client, routes)
    task = task_for(secret_preferences={"proxy_password": "new-proxy-secret"})
    result = qbt_preferences.run(task)
    assert result["preferences"] == {"proxy_password": "********"}
    assert result["diff"] == {
        "before": {"proxy_password": "********"},
        "after": {"proxy_password": "******** (changed)"},
    }
    assert {"new-proxy-secret", "stored-proxy-secret"} <= task.secrets
    assert "secret" not in json.dumps(result)


def test_password_on_change_and_always(monkeypatch):
    routes, _prefs, state = server()
    adapter = install(monkeypatch, _client, routes)
    result = qbt_preferences.run(task_for(preferences={"web_ui_password": "pw"}))
    assert not result["changed"] and writes(adapter) == []
    result = qbt_preferences.run(task_for(preferences={"web_ui_password": "pw"}, update_password="always"))
    assert result["changed"] and result["web_ui"] == {"url": BASE + "/", "verified": True}
    result = qbt_preferences.run(task_for(preferences={"web_ui_password": "pw-new"}))
    assert result["changed_keys"] == ["web_ui_password"] and state["password"] == "pw-new"
    assert result["preferences"] == {"web_ui_password": "********"}


def test_a_password_the_server_did_not_take_fails(monkeypatch):
    routes, _prefs, state = server()

    def ignore_password(request):
        changes = json.loads(form(request)["json"])
        changes.pop("web_ui_password", None)
        return (200, "")

    routes[("POST", "app/setPreferences")] = ignore_password
    install(monkeypatch, _client, routes)
    with pytest.raises(QbtError, match="logging in with the new ones failed"):
        qbt_preferences.run(task_for(preferences={"web_ui_password": "pw-new"}))
    assert state["password"] == "pw"


def test_bypassed_login_sends_the_password_with_a_warning(monkeypatch):
    routes, _prefs, _state = server(bypass_local_auth=True)
    adapter = install(monkeypatch, _client, routes)
    task = task_for(preferences={"web_ui_password": "pw"})
    assert qbt_preferences.run(task)["changed"]
    assert "a login cannot tell" in task.warnings[0]
    assert ("POST", "auth/login") in sent(adapter)


def test_other_keys_are_written_and_verified_before_the_webui_moves(monkeypatch):
    routes, _prefs, _state = server()
    adapter = install(monkeypatch, _client, routes)
    task = task_for(preferences={"dl_limit": 1024, "web_ui_port": 9090})
    result = qbt_preferences.run(task)
    assert writes(adapter) == [{"dl_limit": 1024}, {"web_ui_port": 9090}]
    calls = sent(adapter)
    first_write = calls.index(("POST", "app/setPreferences"))
    assert calls[first_write + 1] == ("GET", "app/preferences")  # verified before the WebUI moves
    # the fake answers on every port: the module followed to the new one
    assert result["web_ui"] == {"url": "http://qbt.test:9090/", "verified": True}
    assert any(request.url.startswith("http://qbt.test:9090/") for request, _kwargs in adapter.requests)


def test_a_changed_secret_shows_in_the_diff_masked(monkeypatch):
    routes, _prefs, _state = server()
    install(monkeypatch, _client, routes)
    task = task_for(check_mode=True, secret_preferences={"web_ui_password": "pw-new-secret"})
    result = qbt_preferences.run(task)
    assert result["changed"] and result["changed_keys"] == ["web_ui_password"]
    assert result["diff"] == {
        "before": {"web_ui_password": "********"},
        "after": {"web_ui_password": "******** (changed)"},
    }
    assert "pw-new-secret" in task.secrets and "pw-new-secret" not in json.dumps(result)
    # A secret set where there was none, and one cleared.
    routes, _prefs, _state = server(proxy_password="")
    install(monkeypatch, _client, routes)
    result = qbt_preferences.run(task_for(secret_preferences={"proxy_password": "new-proxy-secret"}))
    assert result["diff"] == {"before": {"proxy_password": ""}, "after": {"proxy_password": "********"}}
    routes, _prefs, _state = server()
    install(monkeypatch, _client, routes)
    result = qbt_preferences.run(task_for(secret_preferences={"proxy_password": ""}))
    assert result["diff"] == {"before": {"proxy_password": "********"}, "after": {"proxy_password": ""}}
    assert "secret" not in json.dumps(result)


def broken_after_move(monkeypatch, adapter, answer_lost=False):
    """After the write of web_ui_port nothing answers any more, on any port; with ANSWER_LOST the write itself
    gets no answer (qBittorrent up to 4.6 exits when its WebUI cannot listen)."""
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from urllib3.exceptions import NewConnectionError, ProtocolError

    monkeypatch.setattr(webui, "FOLLOW_SECONDS", 0)
    monkeypatch.setattr(webui, "SETTLE_SECONDS", 0)
    send = adapter.send
    state = {"broken": False}

    def broken_send(request, **kwargs):
        if state["broken"]:
            adapter.requests.append((request, kwargs))
            raise RequestsConnectionError(NewConnectionError(None, "[Errno 111] Connection refused"))
        response = send(request, **kwargs)
        if "setPreferences" in request.url and "web_ui_port" in form(request)["json"]:
            state["broken"] = True
            if answer_lost:
                raise RequestsConnectionError(ProtocolError("Connection aborted.", ConnectionResetError()))
        return response

    monkeypatch.setattr(adapter, "send", broken_send)


@pytest.mark.parametrize("answer_lost", [False, True])
def test_a_move_after_which_the_webui_answers_nowhere_fails_as_changed(monkeypatch, answer_lost):
    routes, _prefs, _state = server()
    adapter = install(monkeypatch, _client, routes)
    broken_after_move(monkeypatch, adapter, answer_lost)
    with pytest.raises(QbtError) as info:
        qbt_preferences.run(task_for(preferences={"web_ui_port": 9090}))
    message = str(info.value)
    assert info.value.changed is True
    assert message.startswith("qBittorrent was sent web_ui_port: 9090, and its WebUI no longer answers at the old")
    assert "http://qbt.test:8080/" in message and "http://qbt.test:9090/" in message
    assert "whether another process listens on port 9090" in message and "qBittorrent's log" in message
    assert "If the WebUI uses HTTPS" not in message


def test_a_move_the_module_cannot_follow_while_the_old_address_answers_warns(monkeypatch):
    routes, _prefs, _state = server()
    adapter = install(monkeypatch, _client, routes)
    monkeypatch.setattr(webui, "FOLLOW_SECONDS", 0)
    monkeypatch.setattr(webui, "SETTLE_SECONDS", 0)
    send = adapter.send

    def new_port_unreachable(request, **kwargs):
        if ":9090/" in request.url:
            from requests.exceptions import ConnectTimeout

            raise ConnectTimeout("timed out")
        return send(request, **kwargs)

    monkeypatch.setattr(adapter, "send", new_port_unreachable)
    task = task_for(preferences={"web_ui_port": 9090})
    result = qbt_preferences.run(task)
    assert result["changed"] and result["web_ui"] == {"url": "http://qbt.test:9090/", "verified": False}
    assert "could not verify it from where it runs" in task.warnings[0]
