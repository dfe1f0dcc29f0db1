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


def test_a_move_is_waited_for_until_the_data_is_there(monkeypatch):
    # the new save path can show while qBittorrent still moves the data (state moving, seen on 4.2.5): verify reads
    # again until the move ends, and only warns when it outlasts the bound
    item = new_items(1)[0]
    item.params["save_path"] = "/new"
    entry = {"hash": f"{0:040x}", "name": "t", "save_path": "/new", "state": "moving"}
    states = ["moving", "moving", "stalledUP"]
    reads = []

    def read_index(client, ids, trackers=None):
        reads.append(ids)
        return sync.TorrentIndex([dict(entry, state=states[min(len(reads), len(states)) - 1])])

    monkeypatch.setattr(sync.T, "read_index", read_index)
    monkeypatch.setattr(sync.T, "POLL_INTERVAL", 0.0)
    sync.verify(None, [item], None, [])
    assert len(reads) == 3

    warnings = []
    states[:] = ["moving"]
    monkeypatch.setattr(sync, "SETTLE_TIMEOUT", 0.05)
    sync.verify(type("Client", (), {"warn": staticmethod(warnings.append)})(), [item], None, [])
    assert warnings == [f"t ({0:040x}): qBittorrent is still moving the data"]
