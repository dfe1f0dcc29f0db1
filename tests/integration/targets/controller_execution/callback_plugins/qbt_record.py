# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: every task result as one JSON line, as callbacks receive it (invocation included)."""

from __future__ import annotations

import dataclasses
import json
import os

from ansible.plugins.callback import CallbackBase
from ansible.vars.clean import module_response_deepcopy, strip_internal_keys

DOCUMENTATION = r"""
name: qbt_record
type: aggregate
short_description: Record every task result as JSON lines
description:
  - Writes one JSON object per task result (and per loop item) to the file named by E(QBT_RECORD_FILE), with the
    result exactly as callbacks receive it, minus Ansible's internal keys. Used by the controller_execution test.
options: {}
"""


def plain(value):
    """JSON for what ansible-core 2.19 puts in results: warning, deprecation and error summaries (dataclasses)."""
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    if dataclasses.is_dataclass(value):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    return str(value)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "qbt_record"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, status, result):
        data = getattr(result, "result", None)
        if data is None:
            data = result._result  # ansible-core before 2.19
        task = getattr(result, "task", None) or result._task
        host = getattr(result, "host", None) or result._host
        entry = {
            "task": task.get_name(),
            "host": host.get_name(),
            "status": status,
            "result": strip_internal_keys(module_response_deepcopy(data)),
        }
        with open(os.environ["QBT_RECORD_FILE"], "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, default=plain, sort_keys=True) + "\n")

    def v2_runner_on_ok(self, result):
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result)

    def v2_runner_on_skipped(self, result):
        self._record("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._record("unreachable", result)

    def v2_runner_item_on_ok(self, result):
        self._record("item ok", result)

    def v2_runner_item_on_failed(self, result):
        self._record("item failed", result)

    def v2_runner_item_on_skipped(self, result):
        self._record("item skipped", result)
