# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qbt_cookie against a fake jar: one write with the whole jar, undeclared cookies kept byte for byte, values
never shown."""

from __future__ import annotations

import json
import time

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.community.qbittorrent.plugins.module_utils import _client
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput, UnimplementedEndpoint
from ansible_collections.community.qbittorrent.plugins.module_utils._module import Task, argument_spec
from ansible_collections.community.qbittorrent.plugins.modules import qbt_cookie
from ansible_collections.community.qbittorrent.tests.unit.plugins.module_utils.fake_server import form, install

BASE = "http://qbt.test:8080"
LATER = int(time.time()) + 86400


def latin1(text):
    """What app/cookies shows for a value it was sent as TEXT (written as UTF-8, read as Latin-1)."""
    return text.encode("utf-8").decode("latin-1")


def server(jar, webapi="2.11.4"):
    state = {"jar": [dict(entry) for entry in jar]}

    def set_cookies(request):
        state["jar"] = [
            dict(entry, value=latin1(entry["value"]), expirationDate=entry.get("expirationDate", -1))
            for entry in json.loads(form(request)["cookies"])
        ]
        return (200, "")

    routes = {
        ("POST", "auth/login"): (200, "Ok."),
        ("POST", "auth/logout"): (200, ""),
        ("GET", "app/webapiVersion"): (200, webapi),
        ("GET", "app/cookies"): lambda request: (200, json.dumps(state["jar"])),
        ("POST", "app/setCookies"): set_cookies,
    }
    return routes, state


def run(monkeypatch, routes, check_mode=False, **params):
    adapter = install(monkeypatch, _client, routes)
    params = dict(url=BASE, username="admin", password="pw", **params)
    spec = argument_spec(qbt_cookie.ARGUMENT_SPEC)
    validated = ArgumentSpecValidator(spec, **qbt_cookie.MODULE_KWARGS).validate(params)
    assert not validated.errors.errors, validated.errors.errors
    values = validated.validated_parameters
    client = _client.Client(**{k: values[k] for k in ("url", "username", "password")})
    task = Task(values, client, check_mode, True)
    with client:
        result = qbt_cookie.run(task)
    writes = [form(r) for r, _kwargs in adapter.requests if r.method == "POST" and "auth/" not in r.url]
    return result, writes, task


def cookie(name, value, domain="t.example", path="/", expires=LATER):
    return {"name": name, "domain": domain, "path": path, "value": value, "expirationDate": expires}


def test_one_write_changes_the_declared_cookie_and_keeps_the_others_byte_for_byte(monkeypatch):
    others = [cookie("keep", latin1("ünï")), cookie("session", "s", expires=-1)]
    routes, state = server([cookie("uid", "old-secret"), *others])
    result, writes, task = run(monkeypatch, routes, name="uid", domain="t.example", value="new-secret")
    assert result["changed"] is True and len(writes) == 1
    jar = {entry["name"]: entry for entry in state["jar"]}
    assert jar["keep"] == others[0] and jar["session"] == others[1]
    assert jar["uid"]["value"] == "new-secret" and jar["uid"]["expirationDate"] == LATER  # expiration kept
    assert "expirationDate" not in [e for e in json.loads(writes[0]["cookies"]) if e["name"] == "session"][0]
    shown = json.dumps(result)
    assert "secret" not in shown and "ünï" not in shown
    assert result["diff"]["after"]["uid@t.example/"] == {"value": "******** (changed)"}
    assert {"old-secret", "new-secret", "ünï"} <= task.secrets


def test_unchanged_and_non_ascii_values_compare_equal(monkeypatch):
    routes, _state = server([cookie("uid", latin1("é-secret"))])
    result, writes, _task = run(monkeypatch, routes, name="uid", domain="t.example", value="é-secret", expiration=LATER)
    assert result["changed"] is False and writes == []


def test_check_mode_and_purge_guard_send_nothing(monkeypatch):
    routes, state = server([cookie("uid", "x")])
    declared = [{"name": "a", "domain": "b.example", "value": "v", "expiration": LATER}]
    result, writes, _task = run(monkeypatch, routes, check_mode=True, cookies=declared, purge=True)
    assert result["changed"] is True and writes == [] and len(state["jar"]) == 1
    assert sorted(result["cookies"]) == ["a@b.example/"]
    with pytest.raises(InvalidInput, match="allow_empty_purge"):
        run(monkeypatch, routes, cookies=[], purge=True)


def test_bad_input_names_every_problem_and_never_the_value(monkeypatch):
    routes, _state = server([])
    with pytest.raises(InvalidInput) as info:
        declared = [
            {"name": "a b", "domain": "https://t.example/", "value": "top;secret"},
            {"name": "c", "domain": "t.example", "path": "rss", "value": "v", "expiration": 1000},
            {"name": "d", "domain": "t.example", "state": "present"},
        ]
        run(monkeypatch, routes, cookies=declared)
    message = str(info.value)
    for part in (
        "cookies[0].name",
        "cookies[a b].domain",
        "cookies[a b].value",
        "cookies[c].path",
        "cookies[c].expiration",
        "in the past",
        "cookies[d@t.example/].value: a cookie declared present needs a value",
    ):
        assert part in message
    assert "top" not in message


def test_cookies_of_one_name_on_several_domains_are_told_apart_in_messages(monkeypatch):
    routes, _state = server([])
    declared = [
        {"name": "uid", "domain": "a.example", "value": "v", "expiration": LATER},
        {"name": "uid", "domain": "b.example", "value": "v", "expiration": 1000},
    ]
    with pytest.raises(InvalidInput) as info:
        run(monkeypatch, routes, cookies=declared)
    assert "cookies[uid@b.example/].expiration" in str(info.value)
    assert "a.example" not in str(info.value)


def test_older_servers_get_the_release_in_the_message(monkeypatch):
    routes, _state = server([], webapi="2.11.2")
    with pytest.raises(UnimplementedEndpoint, match=r"cookies needs qBittorrent 5\.1\.0 or later"):
        run(monkeypatch, routes, fail_on_unimplemented_endpoint=True, name="uid", domain="t.example", value="v")


def test_a_new_cookie_without_expiration_warns(monkeypatch):
    routes, _state = server([])
    _result, _writes, task = run(monkeypatch, routes, name="uid", domain="t.example", value="v")
    assert "session cookie" in task.warnings[0]
