# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile sources for qbt_torrent, on a real server, in-process and as module processes: each is refused before
the first request, with a message naming the option, the source and what is wrong, and the server keeps exactly
the torrents it had.

* One source holding two magnets (a line break between them, or CRLF inside one item of torrents): qBittorrent
  splits the urls field of torrents/add at every '\\n' and trims each part (TorrentsController::addAction,
  src/webui/api/torrentscontroller.cpp), so the second magnet was added unseen while the task hashed and
  reported only the first. Also U+2028 and NEL (U+0085) between two magnets.
* /dev/zero and /dev/urandom (size 0, endless: the controller grew until the kernel killed it), a symbolic link
  to /dev/zero, a directory: run under `prlimit --as` around ansible-playbook, so a regression fails with a
  MemoryError instead of taking the machine's memory.
* A FIFO: opening it waits for a writer, forever. Its playbook runs with a timeout, and a hung reader is released
  (the FIFO opened for writing and closed), so a regression fails the test instead of hanging the suite.

Every case talks to the server through the counting proxy under its own URL tag: zero requests (not even a
login) proves the task failed before any write.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import os
import re
import shutil
import subprocess
from typing import Any

import pytest
import relkit

EXECUTIONS = ("in_process", "module")
# ansible-playbook and its module processes need a few hundred MB of address space; reading /dev/zero without a
# bound exhausts 1 GiB in a second.
MEMORY_LIMIT = 1024**3
FIFO_TIMEOUT = 120
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|MODULE FAILURE|unexpected [A-Z]\w*(Error|Exception)\b")


@dataclasses.dataclass
class Case:
    """qbt_torrent with ARGS must fail naming OPTION, matching HINT; none of the HASHES may reach the server."""

    id: str
    args: dict[str, Any]
    option: str
    hint: str
    hashes: tuple[str, ...] = ()


def _magnets(*seeds: str) -> tuple[list[str], tuple[str, ...]]:
    pairs = [relkit.magnet(f"rel-src-{seed}") for seed in seeds]
    return [link for link, _hash in pairs], tuple(digest for _link, digest in pairs)


def cases(folder) -> list[Case]:
    (a, b), two = _magnets("two-a", "two-b")
    (c, d, e), listed = _magnets("list-c", "list-d", "list-e")
    (f, g), separated = _magnets("sep-f", "sep-g")
    (h, i), nel = _magnets("nel-h", "nel-i")
    return [
        Case("two-magnets", {"source": f"{a}\n{b}"}, "source", r"exactly one magnet.*line break \(\\n\)", two),
        Case(
            "crlf-in-a-list-item",
            {"torrents": [{"source": c}, {"source": f"{d}\r\n{e}"}]},
            r"torrents[1].source",
            r"line break \(\\r\)",
            listed,
        ),
        Case("line-separator", {"source": f"{f}\u2028{g}"}, "source", r"line break \(U\+2028\)", separated),
        Case("next-line", {"source": f"{h}\x85{i}"}, "source", r"line break \(U\+0085\)", nel),
        Case("dev-zero", {"source": "/dev/zero"}, "source", r"'/dev/zero': it is a character device"),
        Case("dev-urandom", {"source": "/dev/urandom"}, "source", r"'/dev/urandom': it is a character device"),
        Case("link-to-dev-zero", {"source": str(folder / "zero.torrent")}, "source", r"it is a character device"),
        Case("directory", {"source": str(folder / "dir.torrent")}, "source", r"dir\.torrent': it is a directory"),
    ]


def _task(case: Case, handle, execution: str, source_tag: str) -> dict[str, Any]:
    args = {**handle.login_options(tag=f"{source_tag}-{execution}-{case.id}"), **case.args}
    return relkit.task(case.id, "qbt_torrent", args, ignore_errors=True, vars={"qbt_execution": execution})


def _release(fifo) -> None:
    """Wake a reader blocked opening FIFO: open it for writing (succeeds only while a reader waits), close it."""
    for _attempt in range(3):
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            return


@pytest.fixture(scope="module")
def source_runs(fleet, ansible, workdir) -> dict[str, Any]:
    prlimit = shutil.which("prlimit")
    assert prlimit, "prlimit (util-linux) is needed: the device cases never run without a memory limit"
    folder = workdir / "sources"
    folder.mkdir()
    (folder / "dir.torrent").mkdir()
    os.symlink("/dev/zero", folder / "zero.torrent")
    fifos = {execution: folder / f"fifo-{execution}.torrent" for execution in EXECUTIONS}
    for fifo in fifos.values():
        os.mkfifo(fifo)
    chosen = cases(folder)
    handle = fleet["new"]
    before = handle.api.snapshot()["torrents"]
    wrap = [prlimit, f"--as={MEMORY_LIMIT}", "--"]

    def fifo_play(execution: str) -> relkit.Run | str:
        case = Case("fifo", {"source": str(fifos[execution])}, "source", r"it is a FIFO \(named pipe\)")
        try:
            return ansible.play(
                [_task(case, handle, execution, "src")], f"sources-fifo-{execution}", wrap=wrap, timeout=FIFO_TIMEOUT
            )
        except subprocess.TimeoutExpired:
            _release(fifos[execution])
            return f"ansible-playbook was still waiting after {FIFO_TIMEOUT} s (killed; the FIFO's reader released)"

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        plays = {
            execution: pool.submit(
                ansible.play, [_task(c, handle, execution, "src") for c in chosen], f"sources-{execution}", wrap=wrap
            )
            for execution in EXECUTIONS
        }
        runs = {execution: future.result() for execution, future in plays.items()}
        fifo_plays = {execution: pool.submit(fifo_play, execution) for execution in EXECUTIONS}
        fifo_runs = {execution: future.result() for execution, future in fifo_plays.items()}
    # what an added magnet needs to show in torrents/info (test-environment: state shows after 1-1.5 s) is long past
    after = handle.api.snapshot()["torrents"]
    return {"cases": chosen, "runs": runs, "fifo_runs": fifo_runs, "before": before, "after": after}


def _problems(run: relkit.Run, case: Case, proxy, tag: str) -> list[str]:
    result = run.result(case.id)
    msg = str(result.get("msg", ""))
    where = f"{case.id}: {msg[:300]!r}"
    problems = []
    if not run.failed(case.id):
        return [f"did not fail: {where}"]
    if not msg.startswith(case.option + ":"):
        problems.append(f"does not name {case.option!r} first: {where}")
    if not re.search(case.hint, msg, re.DOTALL):
        problems.append(f"does not say what is wrong (/{case.hint}/): {where}")
    if TRACEBACK.search(msg + str(result.get("exception", ""))) or "module_stderr" in result:
        problems.append(f"a Python exception escaped: {where}")
    sent = [(e.method, e.endpoint) for e in proxy.requests_for(tag)]
    if sent:
        problems.append(f"sent requests {sent} before failing: {where}")
    return problems


@pytest.mark.parametrize("execution", EXECUTIONS)
def test_hostile_sources(source_runs, fleet, execution):
    """Per case: failed, names the option and what is wrong, no traceback, not a single request sent."""
    run = source_runs["runs"][execution]
    proxy = fleet["new"].proxy
    problems = []
    for case in source_runs["cases"]:
        problems += _problems(run, case, proxy, f"src-{execution}-{case.id}")
    relkit.TALLY.bad_inputs += len(source_runs["cases"])
    assert not problems, f"{len(problems)} problems ({execution}):\n" + "\n".join(problems)


@pytest.mark.parametrize("execution", EXECUTIONS)
def test_fifo_source(source_runs, fleet, execution):
    """A FIFO is refused at once (the playbook would otherwise wait for a writer until its timeout)."""
    run = source_runs["fifo_runs"][execution]
    relkit.TALLY.bad_inputs += 1
    assert not isinstance(run, str), run
    case = Case("fifo", {}, "source", r"it is a FIFO \(named pipe\), not a regular file")
    problems = _problems(run, case, fleet["new"].proxy, f"src-{execution}-fifo")
    assert not problems, "\n".join(problems)


def test_no_torrent_reached_the_server(source_runs):
    """Neither magnet of any case is on the server, and its torrents are exactly the ones it had."""
    after = source_runs["after"]
    found = [
        (case.id, digest)
        for case in source_runs["cases"]
        for digest in case.hashes
        if any(digest in (key, entry.get("infohash_v1")) for key, entry in after.items())
    ]
    assert not found, f"torrents added by refused sources: {found}"
    assert sorted(after) == sorted(source_runs["before"])
    count = len(source_runs["cases"]) + 1
    relkit.TALLY.notes.append(
        f"hostile sources: {count} cases x {len(EXECUTIONS)} execution paths refused before any request (two "
        f"magnets in one source, CRLF in a list item, U+2028, NEL, /dev/zero and /dev/urandom under prlimit "
        f"--as={MEMORY_LIMIT // 1024**2} MiB, a link to /dev/zero, a directory, a FIFO)"
    )
