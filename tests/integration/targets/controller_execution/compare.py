# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compares the in-process run of compare.yml with the module run: the recorded results, the -vvv output, which
path each task took, and that no secret appears anywhere. Usage: compare.py CONFIG WORKDIR SECRET..."""

from __future__ import annotations

import json
import pathlib
import re
import sys

import yaml

# Output lines that only say how a task was executed: the connection's and the action plugin's own -vvv lines
# ("<host> ..."), and ansible-core's module transfer lines.
HOW = re.compile(r"^(<[^>]+> |Using module file |Pipelining is enabled\.)")
# Values that legitimately differ between the two runs: how long each API call took, and (from -vvvv on, in the
# extra_vars line) the switch itself.
TIMING = re.compile(r'("ms": )[0-9.]+')
SWITCH = re.compile(r"qbt_execution=(in_process|module)")
EXEC = re.compile(r"^<[^>]+> EXEC ")


def load(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def without_timings(value):
    if isinstance(value, dict):
        return {key: (0 if key == "ms" else without_timings(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [without_timings(item) for item in value]
    return value


def differences(left, right, path="result"):
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right)):
            if key not in left or key not in right:
                yield f"{path}.{key}: only in {'in_process' if key in left else 'module'}"
            else:
                yield from differences(left[key], right[key], f"{path}.{key}")
    elif isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        for index, (one, other) in enumerate(zip(left, right)):
            yield from differences(one, other, f"{path}[{index}]")
    elif left != right:
        yield f"{path}: {left!r} != {right!r}"


def main():
    config, workdir, *secrets = sys.argv[1:]
    config = yaml.safe_load(pathlib.Path(config).read_text())
    workdir = pathlib.Path(workdir)
    for server in config["qbt_servers"]:
        secrets += [server["password"]] + ([server["api_key"]] if server.get("api_key") else [])
    problems = []

    runs = {mode: load(workdir / f"{mode}.jsonl") for mode in ("in_process", "module")}
    if len(runs["in_process"]) != len(runs["module"]):
        problems.append(f"{len(runs['in_process'])} results in-process, {len(runs['module'])} as modules")
    for one, other in zip(runs["in_process"], runs["module"]):
        name = f"{one['task']} ({one['status']})"
        if (one["task"], one["status"]) != (other["task"], other["status"]):
            problems.append(f"{name} in-process, but {other['task']} ({other['status']}) as a module")
            continue
        problems += [f"{name}: {line}" for line in differences(without_timings(one), without_timings(other))]

    # The comparison must have compared something: every kind of result the playbook is about.
    items = [entry for entry in runs["in_process"] if entry["status"].startswith("item")]
    results = [entry["result"] for entry in items]
    expectations = {
        "changed results": any(r.get("changed") for r in results),
        "unchanged results": any(e["status"] == "item ok" and not e["result"].get("changed") for e in items),
        "failed results": sum(e["status"] == "item failed" for e in items) >= 6,
        "diffs": any("diff" in r for r in results),
        "invocations": all("invocation" in r for r in results if not r.get("censored")),
        "api_calls": any(r.get("api_calls") for r in results),
        "warnings": any(
            "Both option url and its alias host are set." in json.dumps(r.get("warnings")) for r in results
        ),
        "a masked secret preference": any(
            r.get("preferences", {}).get("proxy_password") == "********" for r in results
        ),
        "a censored no_log result": any(r.get("censored") for r in results),
        "a masked validation message": any(str(r.get("msg")).endswith("got: ********") for r in results),
    }
    problems += [f"the in-process run has no {what}" for what, seen in expectations.items() if not seen]

    logs = {mode: (workdir / f"{mode}.log").read_text() for mode in ("in_process", "module")}
    counts = {
        mode: (
            text.count(": running in-process on the controller ("),
            len(re.findall(r"Using module file .*/qbt_", text)),
        )
        for mode, text in logs.items()
    }
    if counts["in_process"][1] or not counts["in_process"][0]:
        problems.append(f"in_process run: {counts['in_process']} (in-process, module) executions")
    if counts["module"][0] or not counts["module"][1]:
        problems.append(f"module run: {counts['module']} (in-process, module) executions")
    if counts["in_process"][0] != counts["module"][1]:
        problems.append(f"{counts['in_process'][0]} in-process executions, {counts['module'][1]} module executions")
    print(f"qbt executions (in-process, module): {counts}")

    shown = {
        mode: [
            SWITCH.sub("qbt_execution=", TIMING.sub(r"\g<1>0", line))
            for line in text.splitlines()
            if not HOW.match(line)
        ]
        for mode, text in logs.items()
    }
    for index, (one, other) in enumerate(zip(shown["in_process"], shown["module"])):
        if one != other:
            problems.append(f"-vvv output differs at line {index + 1}: {one!r} != {other!r}")
            break
    if len(shown["in_process"]) != len(shown["module"]):
        problems.append(f"-vvv output: {len(shown['in_process'])} lines in-process, {len(shown['module'])} as modules")

    # ansible-core itself shows a module's environment at -vvv, in the command it runs ("<host> EXEC /bin/sh -c
    # 'QBITTORRENTAPI_PASSWORD=... python ...'"), so those lines of the module run are not checked; the in-process
    # run runs no command, so it shows nothing of the kind (docs/docsite/rst/controller_execution.rst).
    for path in sorted(workdir.iterdir()):
        text = path.read_text()
        if path.name == "module.log":
            text = "\n".join("<EXEC>" if EXEC.match(line) else line for line in text.splitlines())
        for secret in secrets:
            if secret and secret in text:
                problems.append(
                    f"a secret appears in {path.name} at line {text[: text.index(secret)].count(chr(10)) + 1}"
                )

    for problem in problems:
        print(problem)
    print(f"compared {len(runs['module'])} results and {len(shown['module'])} output lines: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
