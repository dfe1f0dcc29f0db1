# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Milliseconds ansible-core takes to build one module's AnsiballZ payload, as the controller does once per run.

Usage: python ansiballz_build.py COLLECTIONS_PATH MODULE   (MODULE: a FQCN such as ansible.builtin.ping)

Prints {"module": ..., "ms": ..., "kib": ...}. Run it in a fresh process per module: ansible-core caches a built
payload for the rest of a playbook run, so a run pays this once for every distinct module it executes. Most of it
is ansible-core's finder, which parses every module_utils file the payload needs (`ast`), the same files for every
module plus the module's own.
"""

from __future__ import annotations

import json
import sys
import time

from ansible.executor import module_common
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, module_loader
from ansible.template import Templar


def build_ms(module: str) -> tuple[float, int]:
    found = module_loader.find_plugin_with_context(module)
    if not found.resolved:
        raise SystemExit(f"module {module} not found")
    started = time.perf_counter()
    built = module_common.modify_module(
        module_name=found.resolved_fqcn,
        module_path=found.plugin_resolved_path,
        module_args={},
        templar=Templar(loader=DataLoader()),
        task_vars={"ansible_python_interpreter": sys.executable},
        module_compression="ZIP_DEFLATED",  # ansible-core's default (DEFAULT_MODULE_COMPRESSION)
    )
    elapsed = time.perf_counter() - started
    data = built[0] if isinstance(built, tuple) else built.b_module_data  # a tuple before ansible-core 2.19
    return elapsed * 1000, len(data) // 1024


def main() -> None:
    collections_path, module = sys.argv[1:3]
    init_plugin_loader([collections_path])
    ms, kib = build_ms(module)
    print(json.dumps({"module": module, "ms": round(ms, 1), "kib": kib}))


if __name__ == "__main__":
    main()
