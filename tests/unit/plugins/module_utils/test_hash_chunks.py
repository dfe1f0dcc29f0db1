# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Long hash lists: split so no request line exceeds 8 KiB, everywhere hashes are sent."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _hash_chunks as H
from ansible_collections.community.qbittorrent.plugins.module_utils import _torrents as T
from ansible_collections.community.qbittorrent.plugins.module_utils import _trackers
from ansible_collections.community.qbittorrent.plugins.module_utils._torrent_writes import Writes
from ansible_collections.community.qbittorrent.plugins.module_utils._versions import gap, parse_version

HASHES = [hashlib.sha1(str(i).encode()).hexdigest() for i in range(5000)]


class Recorder:
    """A client that records every request and answers torrents/info like a server holding SERVER entries."""

    def __init__(self, server=(), webapi="2.16.2"):
        self.webapi_version = parse_version(webapi)
        self.server = [dict(entry) for entry in server]
        self.gets, self.posts = [], []

    def supports(self, name):
        return gap(name, self.webapi_version) is None

    def get_json(self, endpoint, params=None):
        params = dict(params or {})
        self.gets.append((endpoint, params))
        entries = self.server
        if "hashes" in params:
            wanted = set(params["hashes"].split("|"))
            entries = [entry for entry in entries if entry["hash"] in wanted]
        if params.get("sort"):
            entries = sorted(entries, key=lambda entry: entry[params["sort"]], reverse=params.get("reverse") == "true")
        offset, limit = params.get("offset", 0), params.get("limit", 0)
        if limit:
            entries = entries[offset : offset + limit]
        return [dict(entry) for entry in entries]

    def post(self, endpoint, data=None, files=None):
        self.posts.append((endpoint, dict(data or {})))

    def request_lines(self):
        """The request line of every GET as a client would send it (the longest path any proxy sees)."""
        return [f"GET /api/v2/{endpoint}?{urlencode(params)} HTTP/1.1" for endpoint, params in self.gets]


@pytest.mark.parametrize("limit", [50, H.QUERY_BYTES, H.BODY_BYTES])
def test_chunks_cover_every_hash_once_in_order_within_the_limit(limit):
    runs = H.chunks(HASHES + HASHES[:10], limit)
    assert [value for run in runs for value in run] == HASHES
    assert all(len(urlencode({"hashes": H.join(run)})) - len("hashes=") <= limit for run in runs)
    # full runs: the next hash would not have fitted
    assert all(len(urlencode({"hashes": H.join(run + [HASHES[0]])})) - 7 > limit for run in runs[:-1])


def test_chunks_of_nothing_and_of_one_oversized_hash():
    assert H.chunks([], 100) == []
    assert H.chunks(["a" * 200, "b"], 100) == [["a" * 200], ["b"]]


def test_torrents_info_with_5000_hashes_keeps_every_request_line_under_8_kib():
    client = Recorder([{"hash": value, "state": "stoppedDL"} for value in HASHES[::2]])
    entries = T.torrents_info(client, HASHES)
    assert sorted(entry["hash"] for entry in entries) == sorted(HASHES[::2])
    assert len(client.gets) == len(H.chunks(HASHES, H.QUERY_BYTES)) > 30
    assert max(len(line) for line in client.request_lines()) <= H.LINE_LIMIT


def test_stopped_ids_and_info_filters_are_chunked():
    client = Recorder([{"hash": value, "state": "stoppedUP"} for value in HASHES])
    assert T.stopped_ids(client, HASHES) == set(HASHES)
    views = T.read_views(client, {"hashes": HASHES, "status": "stopped"})
    assert len(views) == 5000
    assert all(params["filter"] == "stopped" for _endpoint, params in client.gets)
    assert max(len(line) for line in client.request_lines()) <= H.LINE_LIMIT


def test_read_views_returns_only_the_fields_asked_for():
    client = Recorder([{"hash": HASHES[0], "name": "a", "state": "pausedDL", "tags": "b, a", "up_limit": 5}])
    expected = [{"name": "a", "state": "stoppedDL", "tags": ["a", "b"]}]
    assert T.read_views(client, None, ["name", "state", "tags"]) == expected
    assert T.read_views(client, None, ["raw", "hash"])[0] == {"raw": client.server[0], "hash": HASHES[0]}
    assert set(T.read_views(client, None)[0]) >= {"hash", "name", "upload_limit", "raw"}


def test_every_setter_sends_long_lists_in_body_sized_chunks():
    client = Recorder()
    writes = Writes()
    for value in HASHES:
        writes.add("category", "c", value)
        writes.add("stop", None, value)
        writes.add("share_limits", (("ratio_limit", 1.0),), value)
        writes.add("change_tags", (("x",), ("y",)), value)
    writes.apply(client)
    T.delete_torrents(client, HASHES, False)
    per_call = {}
    for endpoint, data in client.posts:
        field = "hashes" if "hashes" in data else "id"
        assert len(urlencode({field: data[field]})) <= H.BODY_BYTES + len(field) + 1
        per_call.setdefault(endpoint, []).extend(data[field].split("|"))
    chunks = len(H.chunks(HASHES, H.BODY_BYTES))
    assert chunks > 1
    for endpoint in ("torrents/setCategory", "torrents/stop", "torrents/setShareLimits", "torrents/addTags",
                     "torrents/removeTags", "torrents/delete"):  # fmt: skip
        assert per_call[endpoint] == HASHES, endpoint
        assert sum(1 for call in client.posts if call[0] == endpoint) == chunks


def test_trackers_of_many_torrents_in_body_sized_chunks():
    client = Recorder()
    _trackers.add_trackers(client, HASHES, ["http://127.0.0.1:9/announce"])
    assert [value for _endpoint, data in client.posts for value in data["hash"].split("|")] == HASHES
    assert len(client.posts) == len(H.chunks(HASHES, H.BODY_BYTES))


def _entry(v1, v2=""):
    return {"hash": v2[:40] if v2 else v1, "infohash_v1": v1, "infohash_v2": v2, "state": "stoppedDL"}


def test_v2_torrents_reads_only_the_torrents_with_a_v2_hash():
    v2 = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(100)]
    server = [_entry(value) for value in HASHES[:1000]]
    server += [_entry(HASHES[1000 + i], value) for i, value in enumerate(v2)]
    client = Recorder(server)
    found = T.v2_torrents(client)
    assert sorted(entry["infohash_v2"] for entry in found) == sorted(v2)
    assert [params["limit"] for _endpoint, params in client.gets] == [64, 128]
    assert T.v2_torrents(Recorder(server[:1000])) == []
    assert T.v2_torrents(Recorder(server, webapi="2.8.3")) == []


def test_v2_torrents_stops_where_4_5_restarts_at_offset_0():
    v2 = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(64)]
    client = Recorder([_entry(HASHES[i], value) for i, value in enumerate(v2)])
    real = client.get_json

    def wrapping(endpoint, params=None):  # past the end, 4.5 answers from offset 0
        if (params or {}).get("offset", 0) >= len(client.server):
            params = dict(params, offset=0)
        return real(endpoint, params)

    client.get_json = wrapping
    assert len(T.v2_torrents(client)) == 64
    assert len(client.gets) == 2


class Declared:
    def __init__(self, hashes):
        self.hashes = hashes


def test_qbt_torrent_reads_the_declared_torrents_by_id_not_the_whole_server():
    from ansible_collections.community.qbittorrent.plugins.module_utils._infohash import TorrentHashes
    from ansible_collections.community.qbittorrent.plugins.module_utils._torrent_sync import read_declared

    v2 = hashlib.sha256(b"hybrid").hexdigest()
    hybrid = _entry(HASHES[4999], v2)
    client = Recorder([_entry(value) for value in HASHES[:4000]] + [hybrid])
    items = [Declared(TorrentHashes(v1=value)) for value in HASHES[:1000]]
    index = read_declared(client, items, None)
    assert all(index.find(item.hashes) for item in items)
    assert all("hashes" in params for _endpoint, params in client.gets)  # no read of every torrent
    assert max(len(line) for line in client.request_lines()) <= H.LINE_LIMIT
    # the hybrid torrent declared by its v1 hash (not its id) and a new one: found among the v2 torrents only
    client.gets.clear()
    items = [Declared(TorrentHashes(v1=HASHES[4999])), Declared(TorrentHashes(v1=HASHES[4998]))]
    index = read_declared(client, items, None)
    assert index.find(items[0].hashes)["hash"] == v2[:40]
    assert index.find(items[1].hashes) is None
    assert [params.get("limit") for _endpoint, params in client.gets] == [None, 64]


def test_a_torrent_file_without_a_v2_hash_needs_no_read_of_the_v2_torrents():
    from ansible_collections.community.qbittorrent.plugins.module_utils._infohash import TorrentHashes
    from ansible_collections.community.qbittorrent.plugins.module_utils._torrent_sync import read_declared

    client = Recorder([_entry(value) for value in HASHES[:10]])
    # hashed from a .torrent file: no v2 hash means a v1-only torrent, which no server knows by a v2 id
    new_file = Declared(TorrentHashes(v1=HASHES[4000], complete=True))
    read_declared(client, [new_file], None)
    assert [params.get("limit") for _endpoint, params in client.gets] == [None]
    # the same hash from a magnet may be a hybrid torrent's v1 hash: the v2 torrents are read
    client.gets.clear()
    read_declared(client, [Declared(TorrentHashes(v1=HASHES[4000]))], None)
    assert [params.get("limit") for _endpoint, params in client.gets] == [None, 64]
