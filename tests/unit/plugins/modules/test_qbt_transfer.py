# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qbt_transfer against fake servers: the toggle path of servers older than 4.5 (none runs here), the direct path,
check mode and the bounded read-back."""

from __future__ import annotations

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _client, _transfer
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import QbtError
from ansible_collections.community.qbittorrent.plugins.modules import qbt_transfer
from ansible_collections.community.qbittorrent.tests.unit.plugins.module_utils.fake_server import (
    form,
    install,
    run_task,
    task_for,
    writes,
)


def server(webapi, mode=False, applies=True):
    """Routes of a server with the mode MODE; with APPLIES false it accepts the writes and keeps its mode."""
    state = {"mode": mode}

    def toggle(request):
        if applies:
            state["mode"] = not state["mode"]
        return (200, "")

    def set_mode(request):
        if applies:
            state["mode"] = form(request)["mode"] != "0"
        return (200, "")

    routes = {
        ("POST", "auth/login"): (200, "Ok."),
        ("POST", "auth/logout"): (200, ""),
        ("GET", "app/webapiVersion"): (200, webapi),
        ("GET", "transfer/speedLimitsMode"): lambda request: (200, "1" if state["mode"] else "0"),
        ("POST", "transfer/toggleSpeedLimitsMode"): toggle,
        ("POST", "transfer/setSpeedLimitsMode"): set_mode,
    }
    return routes, state


def run(monkeypatch, routes, check_mode=False, **params):
    adapter = install(monkeypatch, _client, routes)
    result = run_task(qbt_transfer, task_for(qbt_transfer, check_mode, **params))
    return result, [endpoint for endpoint, _request in writes(adapter)]


@pytest.mark.parametrize("wanted", [True, False])
def test_old_server_toggles_once_when_the_mode_differs(monkeypatch, wanted):
    routes, state = server("2.8.2", mode=not wanted)
    result, writes = run(monkeypatch, routes, alternative_speed_limits=wanted)
    assert result["changed"] is True and result["alternative_speed_limits"] is wanted
    assert writes == ["transfer/toggleSpeedLimitsMode"]
    assert state["mode"] is wanted
    assert result["diff"] == {
        "before": {"alternative_speed_limits": not wanted},
        "after": {"alternative_speed_limits": wanted},
    }


@pytest.mark.parametrize("webapi", ["2.8.2", "2.8.19"])
def test_no_write_when_the_mode_is_already_right(monkeypatch, webapi):
    routes, state = server(webapi, mode=True)
    result, writes = run(monkeypatch, routes, alternative_speed_limits=True)
    assert result["changed"] is False and writes == [] and state["mode"] is True


def test_new_server_sets_the_mode_and_never_toggles(monkeypatch):
    routes, state = server("2.8.19", mode=False)
    result, writes = run(monkeypatch, routes, alternative_speed_limits=True)
    assert result["changed"] is True and writes == ["transfer/setSpeedLimitsMode"] and state["mode"] is True


@pytest.mark.parametrize("webapi", ["2.8.2", "2.8.19"])
def test_check_mode_writes_nothing(monkeypatch, webapi):
    routes, state = server(webapi, mode=False)
    result, writes = run(monkeypatch, routes, check_mode=True, alternative_speed_limits=True)
    assert result["changed"] is True and result["alternative_speed_limits"] is True
    assert writes == [] and state["mode"] is False


def test_a_mode_the_server_does_not_apply_fails_after_a_bounded_wait(monkeypatch):
    monkeypatch.setattr(_transfer, "SETTLE_SECONDS", 0.05)
    monkeypatch.setattr(_transfer, "POLL_INTERVAL", 0.01)
    routes, _state = server("2.8.2", mode=False, applies=False)
    with pytest.raises(QbtError, match="still reports them off after 0.05 s"):
        run(monkeypatch, routes, alternative_speed_limits=True)


def test_settle_polls_until_the_server_reports_the_mode():
    answers = iter([False, False, True])

    class Client:
        def get(self, endpoint):
            return type("R", (), {"text": "1" if next(answers) else "0"})()

    sleeps = []
    assert _transfer.settle(Client(), True, sleep=sleeps.append) is True
    assert len(sleeps) == 2


def test_a_strange_answer_is_an_error(monkeypatch):
    routes, _state = server("2.8.19")
    routes[("GET", "transfer/speedLimitsMode")] = (200, "7")
    with pytest.raises(QbtError, match="where qBittorrent sends 0 or 1"):
        run(monkeypatch, routes, alternative_speed_limits=True)
