# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The server's one API key (qbt_api_key): read, created or replaced, deleted, and proved after a change.

Server facts (src/webui/api/appcontroller.cpp at release-5.2.0: AppController::preferencesAction reports the key
as web_ui_api_key; rotateAPIKeyAction makes a new key and answers {"apiKey": ...}; deleteAPIKeyAction removes
it). Only the server makes a key, so a key that check mode would create or replace is not known.
"""

from __future__ import annotations

from ._engine import Field, Setting
from ._errors import QbtError, UnimplementedEndpoint
from ._versions import gap

FIELDS = {
    "state": Field({"type": "str", "choices": ["present", "absent"], "default": "present"}),
    "rotate": Field({"type": "bool", "default": False}),
}


def current_key(client) -> str:
    return client.get_json("app/preferences").get("web_ui_api_key") or ""


def check_key(client, key: str) -> None:
    """Prove a new key authenticates, with a client of its own (the current one may have used the old key)."""
    with client.derive(url=client.base_url, api_key=key) as probe:
        if current_key(probe) != key:
            raise QbtError("api_key: qBittorrent did not keep the new API key")


class ApiKey(Setting):
    """The plan is {'api_key': (before, after)}; after is '' for a deleted key and None for one only the server
    can make (created or replaced)."""

    list_option = "api_key"
    fields = FIELDS

    def prepare(self, desired):
        # Refused whatever fail_on_unimplemented_endpoint says: without the endpoint the module has nothing to do.
        missing = gap("api_key", self.client.webapi_version, "an API key")
        if missing:
            raise UnimplementedEndpoint(f"qbt_api_key: {missing}")

    def read(self):
        return {"api_key": current_key(self.client)}

    def plan(self, current, desired, purge=False):
        before = current["api_key"]
        if before and (desired["rotate"] or desired["state"] == "absent"):
            self.task.no_log(before)  # the old key is never returned
        if desired["state"] == "absent":
            return {"api_key": (before, "")} if before else {}
        return {"api_key": (before, None)} if desired["rotate"] or not before else {}

    def shown(self, state):
        return state["api_key"] or ""

    def summary(self, plan):
        before, after = plan.get("api_key", ("", ""))
        if not (self.task.check_mode and after is None):
            return {"api_key_known": True}
        return {
            "api_key_known": False,
            "msg": (
                f"check mode: the API key would be {'replaced' if before else 'created'}; the new key is not known "
                "until the task runs without check mode, so skip the tasks that use it in check mode (when: not "
                "ansible_check_mode or <registered>.api_key_known)"
            ),
        }

    def diff(self, plan, current, desired):
        """Whether the server had a key before and after, and whether it was replaced; never the key itself."""
        if desired["state"] == "absent":
            after = "absent"
        else:
            after = "replaced" if current["api_key"] and plan else "present"
        return {"before": {"api_key": "present" if current["api_key"] else "absent"}, "after": {"api_key": after}}

    def apply(self, plan, current, desired):
        if desired["state"] == "absent":
            self.client.post("app/deleteAPIKey")
            self.new_key = ""
        else:
            answer = self.client.post("app/rotateAPIKey")
            self.new_key = self.client.decode_json(answer, "app/rotateAPIKey").get("apiKey") or ""

    def read_back(self, plan, current, desired):
        if desired["state"] == "absent":
            if current_key(self.client):
                raise QbtError("api_key: qBittorrent did not delete the API key")
        else:
            check_key(self.client, self.new_key)
        return {"api_key": self.new_key}
