# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The alternative speed limits switch (qbt_transfer): read it, set it, wait until the server reports it.

Server facts (src/webui/api/transfercontroller.cpp, TransferController, at release-4.5.0 and release-5.1.0):

* transfer/speedLimitsMode answers '1' when the alternative limits are on, '0' when not (speedLimitsModeAction),
  on every supported release.
* transfer/setSpeedLimitsMode takes mode=0|1 (any non-zero is "on"; setSpeedLimitsModeAction), from WebAPI 2.8.14
  (qBittorrent 4.5.0; _versions.ENDPOINTS). Setting the mode the server has already changes nothing.
* transfer/toggleSpeedLimitsMode flips the mode (toggleSpeedLimitsModeAction) and is all older servers have, so
  there it is sent only after a read found the other mode: sent twice it would undo itself.
* The limits themselves are preferences (alt_dl_limit, alt_up_limit; qbt_preferences). The bandwidth scheduler
  (scheduler_enabled) switches the mode itself when its time window starts and ends
  (src/base/bittorrent/bandwidthscheduler.cpp, BandwidthScheduler::onTimeout).
"""

from __future__ import annotations

import time

from ._engine import Field, Setting
from ._errors import QbtError, UnexpectedResponse

# The mode is read again until it is the wanted one, for at most this long: SessionImpl::setAltGlobalSpeedLimitEnabled
# applies it before the request returns on the releases checked (4.5.2, 5.1.0, 5.3.0), so the first read-back
# normally settles it; the bound keeps a task from waiting on a server that applies it later, or never.
SETTLE_SECONDS = 3.0
POLL_INTERVAL = 0.2


def read_mode(client) -> bool:
    """True when the alternative speed limits are on."""
    text = client.get("transfer/speedLimitsMode").text.strip()
    if text not in ("0", "1"):
        raise UnexpectedResponse(
            f"transfer/speedLimitsMode answered {text[:40]!r} where qBittorrent sends 0 or 1: is the url a "
            "qBittorrent WebUI?"
        )
    return text == "1"


def write_mode(client, wanted: bool) -> None:
    """Ask for the mode: setSpeedLimitsMode where the server has it, otherwise one toggle (the caller has read that
    the mode differs)."""
    if client.supports("transfer/setSpeedLimitsMode"):
        client.post("transfer/setSpeedLimitsMode", {"mode": int(wanted)})
    else:
        client.post("transfer/toggleSpeedLimitsMode")


def settle(client, wanted: bool, sleep=time.sleep, clock=time.monotonic) -> bool:
    """Read the mode until it is WANTED, within SETTLE_SECONDS; return the last mode read."""
    deadline = clock() + SETTLE_SECONDS
    while True:
        mode = read_mode(client)
        if mode == wanted or clock() >= deadline:
            return mode
        sleep(POLL_INTERVAL)


class Transfer(Setting):
    """The mode as a one-field setting: one read, a write only when it differs, then read back until it settles."""

    list_option = "alternative_speed_limits"
    fields = {"alternative_speed_limits": Field({"type": "bool", "required": True})}

    def read(self):
        return {"alternative_speed_limits": read_mode(self.client)}

    def apply(self, plan, current, desired):
        write_mode(self.client, desired["alternative_speed_limits"])

    def read_back(self, plan, current, desired):
        wanted = desired["alternative_speed_limits"]
        after = settle(self.client, wanted)
        if after != wanted:
            raise QbtError(
                f"alternative_speed_limits: asked qBittorrent to turn the alternative speed limits "
                f"{'on' if wanted else 'off'}, but it still reports them {'on' if after else 'off'} after "
                f"{SETTLE_SECONDS:g} s. Another client, or the bandwidth scheduler (scheduler_enabled), may have "
                "switched them back: check the server and run again"
            )
        return {"alternative_speed_limits": after}

    def shown(self, state):
        return state["alternative_speed_limits"]
