# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark helper: per task, the wall time and the requests the counting proxy saw (not the collection's own
bookkeeping). Enabled only by bench/bench.py, which sets BENCH_TASKS_FILE (where the JSON goes) and, when a
counting proxy sits in front of the server, BENCH_PROXY_URL.

At each task start (and at the end of the play) it reads the proxy's request sequence once, a loopback GET of about
a millisecond that the proxy does not count, and attributes the new requests to the task that just ended: with one
host and the linear strategy every request of a task has been answered before the next task starts. Per task it
records the requests by endpoint and method, and read_back: the reads that came after the task's first write.
"""

from __future__ import annotations

import collections
import json
import os
import time
import urllib.request

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_tasks
type: aggregate
short_description: per-task wall time and proxied request counts for bench/bench.py
description: Writes one JSON list to the file named by BENCH_TASKS_FILE.
requirements: [the counting proxy of tests/harness/loopback_proxy.py, when BENCH_PROXY_URL is set]
"""


AUTH = ("POST auth/login", "POST auth/logout")


def read_back(sequence: list[str]) -> int:
    """Reads (GET, login and logout aside) after the first write (a POST other than login and logout)."""
    writes = [i for i, request in enumerate(sequence) if request.startswith("POST ") and request not in AUTH]
    if not writes:
        return 0
    return sum(1 for request in sequence[writes[0] :] if not request.startswith("POST "))


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_tasks"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._out = os.environ.get("BENCH_TASKS_FILE")
        self._proxy = os.environ.get("BENCH_PROXY_URL") or None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._tasks: list[dict] = []
        self._current: dict | None = None
        self._started = 0.0
        self._seen = len(self._sequence())

    def _sequence(self) -> list[str]:
        if not self._proxy:
            return []
        with self._opener.open(self._proxy + "__proxy__/sequence", timeout=10) as answer:
            return json.load(answer)["sequence"]

    def _close(self) -> None:
        now = time.perf_counter()
        sequence = self._sequence()
        if self._current is not None:
            self._current["seconds"] = round(now - self._started, 4)
            if self._proxy:
                mine = sequence[self._seen :]
                self._current["requests"] = dict(collections.Counter(mine))
                self._current["read_back"] = read_back(mine)
            self._tasks.append(self._current)
        self._seen = len(sequence)
        self._current = None
        self._started = time.perf_counter()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self._current = {"name": task.get_name(), "action": task.action, "changed": False, "failed": False}

    def v2_runner_on_ok(self, result):
        if self._current is not None and result._result.get("changed"):
            self._current["changed"] = True

    def v2_runner_item_on_ok(self, result):
        self.v2_runner_on_ok(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if self._current is not None:
            self._current["failed"] = True
            self._current["msg"] = str(result._result.get("msg", ""))[:500]

    def v2_playbook_on_stats(self, stats):
        self._close()
        if self._out:
            with open(self._out, "w", encoding="utf-8") as handle:
                json.dump(self._tasks, handle, indent=1)
