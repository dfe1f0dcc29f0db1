# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _torrent_items as items_
from ansible_collections.community.qbittorrent.plugins.module_utils import _torrent_sync as sync
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import QbtError
from ansible_collections.community.qbittorrent.plugins.module_utils._infohash import TorrentHashes


class NothingThere:
    def find(self, hashes):
        return None


def new_items(count):
    params = {key: spec.get("default") for key, spec in items_.ITEM_OPTIONS.items()}
    items = []
    for n in range(count):
        item = items_.Item(dict(params, source=f"/t/{n}.torrent"), f"torrents[{n}].")
        item.hashes = TorrentHashes(v1=f"{n:040x}")
        item.source = object()
        items.append(item)
    return items


@pytest.mark.parametrize("count", [1, 1000])
def test_the_first_read_after_adding_waits_for_the_batch(monkeypatch, count):
    # torrents/add only queues the torrents: reading at once costs a second read (docs/performance.md).
    polled = {}

    def poll(read, done, timeout, first_read_after=0.0):
        polled.update(timeout=timeout, first_read_after=first_read_after)
        return NothingThere(), False

    monkeypatch.setattr(sync.A, "add_fields", lambda client, params, stopped: {})
    monkeypatch.setattr(sync.A, "add_requests", lambda torrents: [({}, [("torrents", ("a.torrent", b""))])])
    monkeypatch.setattr(sync.A, "add_torrents", lambda client, fields, files=None: {"added": 1, "pending": 0})
    monkeypatch.setattr(sync.T, "poll", poll)
    with pytest.raises(QbtError, match="did not add /t/0.torrent"):
        sync.add(None, new_items(count), {}, None, None)
    expected = sync.APPEAR_BASE_SECONDS + sync.APPEAR_SECONDS_PER_TORRENT * count
    assert polled == {"first_read_after": pytest.approx(expected), "timeout": pytest.approx(15 + expected)}
    assert 0.01 <= polled["first_read_after"] < 0.4
