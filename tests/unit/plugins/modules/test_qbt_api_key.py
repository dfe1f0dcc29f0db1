# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qbt_api_key on the converge engine against a fake 5.2 server: create, keep, rotate, delete, check mode, the
read-back of each write, and the refusal on a server without API keys."""

from __future__ import annotations

import json

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _client
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import QbtError, UnimplementedEndpoint
from ansible_collections.community.qbittorrent.plugins.modules import qbt_api_key
from ansible_collections.community.qbittorrent.tests.unit.plugins.module_utils.fake_server import (
    install,
    run_task,
    task_for,
    writes,
)


def server(key="", webapi="2.14.1", keeps=True):
    """Routes of a server whose key is KEY; with KEEPS false it answers the writes and keeps its key."""
    state = {"key": key, "made": 0}

    def rotate(request):
        state["made"] += 1
        new = f"qbt_new{state['made']}"
        if keeps:
            state["key"] = new
        return (200, json.dumps({"apiKey": new}))

    def delete(request):
        if keeps:
            state["key"] = ""
        return (200, "")

    routes = {
        ("POST", "auth/login"): (200, "Ok."),
        ("POST", "auth/logout"): (200, ""),
        ("GET", "app/webapiVersion"): (200, webapi),
        ("GET", "app/preferences"): lambda request: (200, json.dumps({"web_ui_api_key": state["key"]})),
        ("POST", "app/rotateAPIKey"): rotate,
        ("POST", "app/deleteAPIKey"): delete,
    }
    return routes, state


def run(monkeypatch, routes, check_mode=False, **params):
    adapter = install(monkeypatch, _client, routes)
    task = task_for(qbt_api_key, check_mode, **params)
    result = run_task(qbt_api_key, task)
    return result, [endpoint for endpoint, _request in writes(adapter)], task


def test_an_existing_key_is_kept_and_returned(monkeypatch):
    routes, state = server("qbt_old")
    result, writes, _task = run(monkeypatch, routes)
    assert result == {
        "changed": False,
        "api_key": "qbt_old",
        "api_key_known": True,
        "diff": {"before": {"api_key": "present"}, "after": {"api_key": "present"}},
    }
    assert writes == []


def test_a_missing_key_is_created_and_proved(monkeypatch):
    routes, state = server("")
    result, writes, _task = run(monkeypatch, routes)
    assert result["changed"] and result["api_key"] == "qbt_new1" == state["key"] and result["api_key_known"]
    assert writes == ["app/rotateAPIKey"]


def test_rotation_replaces_the_key_and_never_returns_the_old_one(monkeypatch):
    routes, state = server("qbt_old")
    result, writes, task = run(monkeypatch, routes, rotate=True)
    assert result["changed"] and result["api_key"] == "qbt_new1"
    assert result["diff"] == {"before": {"api_key": "present"}, "after": {"api_key": "replaced"}}
    assert "qbt_old" in task.secrets


def test_check_mode_says_a_new_key_is_not_known(monkeypatch):
    routes, state = server("qbt_old")
    result, writes, _task = run(monkeypatch, routes, check_mode=True, rotate=True)
    assert result["changed"] and result["api_key"] == "" and result["api_key_known"] is False
    assert "check mode: the API key would be replaced" in result["msg"]
    assert writes == [] and state["key"] == "qbt_old"


def test_delete_and_delete_again(monkeypatch):
    routes, state = server("qbt_old")
    result, writes, _task = run(monkeypatch, routes, state="absent")
    assert result["changed"] and result["api_key"] == "" and writes == ["app/deleteAPIKey"]
    again, writes, _task = run(monkeypatch, routes, state="absent")
    assert not again["changed"] and writes == []


def test_a_delete_the_server_did_not_keep_fails(monkeypatch):
    routes, _state = server("qbt_old", keeps=False)
    with pytest.raises(QbtError, match="did not delete the API key"):
        run(monkeypatch, routes, state="absent")


def test_a_server_without_api_keys_is_refused_before_any_read(monkeypatch):
    routes, _state = server("", webapi="2.11.4")
    with pytest.raises(UnimplementedEndpoint, match="qbt_api_key: "):
        run(monkeypatch, routes)
