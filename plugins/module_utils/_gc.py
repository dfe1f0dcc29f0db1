# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""paused: Python's cyclic garbage collector held off while a task decodes and walks a read of every torrent.

Decoding torrents/info of 20,000 torrents makes about two million objects, and every few thousand new objects
the collector walks them all again: measured on that read (bench/run --policy, docs/performance.md), the
collections cost as much as the decoding and the planning together. That data holds no reference cycles, so
reference counting frees all of it when the task lets go; the collector resumes after the block.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Hold the cyclic collector off for the block, and give it back as it was (a caller may have paused it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
