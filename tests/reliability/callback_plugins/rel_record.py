# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Records every task result, as Ansible hands it to callbacks, as JSON lines in $REL_RECORD_FILE.

Used by tests/reliability only (enabled there with ANSIBLE_CALLBACKS_ENABLED=rel_record); prints nothing.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: rel_record
type: aggregate
short_description: Record task results for the reliability suite
description: Writes one JSON line per task result to the file named by the environment variable REL_RECORD_FILE.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "rel_record"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, status):
        path = os.environ.get("REL_RECORD_FILE")
        if not path:
            return
        data = getattr(result, "result", None)
        if not isinstance(data, dict):
            data = result._result  # ansible-core before 2.19
        entry = {
            "task": result._task.get_name(),
            "host": result._host.get_name(),
            "status": status,
            "time": time.time(),
            "result": data,
        }
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")
