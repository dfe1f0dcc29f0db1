# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hardening class 9: a WebUI move that breaks the WebUI (the new port is held by another process) ends with a
message that says the change was sent, that the WebUI answers at neither address and what to check, and with
changed: true. Each execution path gets a throw-away server of its own, because the move leaves it without a
WebUI (qBittorrent closes the old listener before it fails to open the new one).

The task talks to the server directly, not through the counting proxy: behind a proxy the module cannot tell a
broken WebUI from a new address the proxy does not forward, and only warns.
"""

from __future__ import annotations

import socket

import pytest
import relkit

EXECUTIONS = ("in_process", "module")


@pytest.mark.parametrize("execution", EXECUTIONS)
def test_a_move_to_a_held_port_says_what_happened(fleet, ansible, execution):
    with socket.socket() as holder:
        # A listener that accepts and never answers: what another program on that port looks like to qBittorrent.
        holder.bind(("127.0.0.1", 0))
        holder.listen(8)
        port = holder.getsockname()[1]
        with fleet.throwaway(f"webui-move-{execution}") as handle:
            args = {
                "url": handle.server.url,
                "username": handle.username,
                "password": handle.password,
                "timeout": 3,
                "preferences": {"web_ui_port": port},
            }
            task = relkit.task("move", "qbt_preferences", args, vars={"qbt_execution": execution}, ignore_errors=True)
            run = ansible.play([task], f"webui-move-{execution}")
    result = run.result("move")
    message = str(result.get("msg", ""))
    assert run.failed("move"), f"the broken move did not fail: {result}"
    assert result.get("changed") is True, f"the move was sent, so the task changed the server: {result}"
    assert "no longer answers" in message and str(port) in message, message
    assert "If the WebUI uses HTTPS" not in message, message  # the old, misleading hint
    assert handle.password not in message
    relkit.TALLY.fault(f"a WebUI move to a port another process holds ({execution})")
