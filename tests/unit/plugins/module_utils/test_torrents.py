# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _torrents as T
from ansible_collections.community.qbittorrent.plugins.module_utils._client import Client
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput
from ansible_collections.community.qbittorrent.plugins.module_utils._infohash import TorrentHashes
from ansible_collections.community.qbittorrent.tests.harness.torrents import build_torrent, file_contents

V1 = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"


class FakeClient:
    """Records posts; answers supports() and webapi_version like a 5.3 server unless told otherwise."""

    def __init__(self, webapi="2.16.2", set_tags=True):
        from ansible_collections.community.qbittorrent.plugins.module_utils._versions import parse_version

        self.webapi_version = parse_version(webapi)
        self._set_tags = set_tags
        self.posts = []

    def supports(self, endpoint):
        return self._set_tags if endpoint == "torrents/setTags" else True

    def post(self, endpoint, data=None, files=None):
        self.posts.append((endpoint, dict(data or {})))


def test_resolve_source_reads_magnets_and_files(tmp_path):
    magnet = T.resolve_source("source", f"magnet:?xt=urn:btih:{V1}")
    assert (magnet.kind, magnet.hashes.v1, magnet.data) == ("magnet", V1, None)
    data, hashes = build_torrent("x", file_contents("x", 1000), version="hybrid")
    path = tmp_path / "x.torrent"
    path.write_bytes(data)
    source = T.resolve_source("torrents[3].source", str(path))
    assert (source.kind, source.hashes.id, source.data) == ("file", hashes["id"], data)
    assert T.resolve_source("source", f"file://{path}").hashes.v1 == hashes["v1"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("relative/x.torrent", "is not a magnet URI, an http(s) URL or an absolute path"),
        ("/nonexistent/x.torrent", "source: cannot read the .torrent file /nonexistent/x.torrent"),
        ("magnet:?xt=urn:btih:123", "neither 40 hex"),
        ("http://127.0.0.1:9/x.torrent", "source: cannot download http://127.0.0.1:9/x.torrent"),
    ],
)
def test_resolve_source_errors(text, message):
    with pytest.raises(InvalidInput) as caught:
        T.resolve_source("source", text, Client("http://127.0.0.1:9", timeout=2, env={}))
    assert message in str(caught.value)


def test_view_uses_one_vocabulary():
    entry = {
        "hash": V1,
        "name": "x",
        "state": "pausedUP",
        "tags": "b, a",
        "up_limit": 0,
        "seq_dl": True,
        "total_size": -1,
        "tracker_urls": ["http://127.0.0.1:9/a"],
    }
    view = T.view(entry)
    assert view["state"] == "stoppedUP"
    assert view["tags"] == ["a", "b"]
    assert view["upload_limit"] == 0 and view["sequential_download"] is True
    assert view["has_metadata"] is False  # 4.x: no has_metadata field, total_size -1 for a magnet
    assert view["trackers"] == ["http://127.0.0.1:9/a"]
    assert "share_limit_action" not in view  # not reported: left out, never guessed
    assert T.view({"has_metadata": True, "total_size": -1})["has_metadata"] is True


def test_run_state():
    assert T.run_state("stoppedDL") == "stopped"
    assert T.run_state("stalledUP") == "started"
    # missingFiles hides whether the torrent is stopped: the filtered read decides
    assert T.run_state("missingFiles", {"h"}, "h") == "stopped"
    assert T.run_state("missingFiles", set(), "h") == "started"


@pytest.mark.parametrize(
    "entry, wait, outcome",
    [
        ({"state": "metaDL", "total_size": -1}, "metadata", False),
        ({"state": "stalledDL", "has_metadata": True}, "metadata", True),
        ({"state": "checkingDL", "has_metadata": True, "progress": 0.5}, "checked", False),
        ({"state": "stalledDL", "has_metadata": True, "progress": 0.5}, "checked", True),
        ({"state": "stalledDL", "has_metadata": True, "progress": 0.5}, "completed", False),
        ({"state": "checkingUP", "has_metadata": True, "progress": 1}, "completed", False),
        ({"state": "stalledUP", "has_metadata": True, "progress": 1}, "completed", True),
        ({"state": "missingFiles", "has_metadata": True, "progress": 0}, "completed", None),
        ({"state": "error", "has_metadata": True}, "checked", None),
    ],
)
def test_ready(entry, wait, outcome):
    assert T.ready(entry, wait) is outcome


def test_writes_group_by_setter_and_value_in_a_safe_order():
    client = FakeClient()
    writes = T.Writes()
    current = {"hash": "a", "ratio_limit": -2, "seeding_time_limit": -2, "inactive_seeding_time_limit": -2}
    current.update(share_limit_action="Default", share_limits_mode="Default")
    changes = {
        "state": ("stopped", "started"),
        "upload_limit": (0, 100),
        "category": ("", "c"),
        "sequential_download": (False, True),
        "ratio_limit": (-2, 1.5),
        "tags": (["x"], ["y"]),
        "trackers": (["http://t/1"], ["http://t/2"]),
    }
    writes.queue(changes, current, exact_tags=False, client=client)
    writes.queue(changes, {**current, "hash": "b"}, exact_tags=False, client=client)
    writes.queue({"upload_limit": (0, 200), "tags": (["x"], ["y"])}, {**current, "hash": "c"}, True, client)
    writes.apply(client)
    endpoints = [post[0] for post in client.posts]
    assert endpoints == [
        "torrents/setCategory",
        "torrents/setUploadLimit",
        "torrents/setUploadLimit",
        "torrents/setShareLimits",
        "torrents/setTags",
        "torrents/addTags",
        "torrents/removeTags",
        "torrents/addTrackers",
        "torrents/removeTrackers",
        "torrents/toggleSequentialDownload",
        "torrents/start",
    ]
    posts = dict(client.posts[:2])
    assert posts["torrents/setCategory"] == {"hashes": "a|b", "category": "c"}
    assert client.posts[1][1] == {"hashes": "a|b", "limit": 100}
    assert client.posts[2][1] == {"hashes": "c", "limit": 200}
    # every share-limit field the server reports is sent, the unchanged ones with their current value
    assert client.posts[3][1] == {
        "hashes": "a|b",
        "ratioLimit": 1.5,
        "seedingTimeLimit": -2,
        "inactiveSeedingTimeLimit": -2,
        "shareLimitAction": "Default",
        "shareLimitsMode": "Default",
    }
    assert client.posts[4][1] == {"hashes": "c", "tags": "y"}
    assert client.posts[5][1] == {"hashes": "a|b", "tags": "y"}
    assert client.posts[6][1] == {"hashes": "a|b", "tags": "x"}
    assert client.posts[7][1] == {"hash": "a|b", "urls": "http://t/2"}
    assert client.posts[-1][1] == {"hashes": "a|b"}


def test_writes_follow_the_server_version():
    client = FakeClient(webapi="2.8.19", set_tags=False)
    writes = T.Writes()
    current = {"hash": "a", "ratio_limit": -2, "seeding_time_limit": 5}
    writes.queue(
        {"ratio_limit": (-2, 2.0), "tags": ([], ["n"]), "state": ("started", "stopped")}, current, True, client
    )
    writes.queue({"trackers": ([], ["udp://t/1"])}, {"hash": "a"}, False, client)
    writes.queue({"trackers": ([], ["udp://t/1"])}, {"hash": "b"}, False, client)
    writes.apply(client)
    assert client.posts == [
        ("torrents/setShareLimits", {"hashes": "a", "ratioLimit": 2.0, "seedingTimeLimit": 5}),
        ("torrents/addTags", {"hashes": "a", "tags": "n"}),  # no setTags before 5.1
        ("torrents/addTrackers", {"hash": "a", "urls": "udp://t/1"}),  # one hash per call before 5.2
        ("torrents/addTrackers", {"hash": "b", "urls": "udp://t/1"}),
        ("torrents/pause", {"hashes": "a"}),  # 4.x name
    ]


def test_force_start_replaces_the_start_call():
    client = FakeClient()
    writes = T.Writes()
    writes.queue({"force_start": (False, True), "state": ("stopped", "started")}, {"hash": "a"}, False, client)
    writes.apply(client)
    assert client.posts == [("torrents/setForceStart", {"hashes": "a", "value": True})]


def test_add_fields_and_requests():
    client = FakeClient(webapi="2.11.4")
    options = {"save_path": "/d", "tags": ["a", "b"], "download_path": "", "skip_checking": True, "name": "n"}
    fields = T.add_fields(client, options, stopped=True)
    assert fields == {
        "savepath": "/d",
        "rename": "n",
        "tags": "a,b",
        "useDownloadPath": False,
        "autoTMM": False,
        "stopped": True,
        "skip_checking": True,
    }
    assert T.add_fields(FakeClient(webapi="2.16.2"), {"skip_checking": True}, None) == {"seedMode": True}
    assert T.add_fields(FakeClient(webapi="2.8.19"), {}, False) == {"paused": False}

    def source(kind, n, size=10):
        hashes = TorrentHashes(v1=f"{n:040x}")
        return T.Source(kind, f"magnet:?xt=urn:btih:{hashes.v1}", hashes, None if kind == "magnet" else b"x" * size)

    requests = T.add_requests(
        [
            (source("file", 1), {"savepath": "/a"}),
            (source("magnet", 2), {"savepath": "/a"}),
            (source("url", 3), {"savepath": "/a"}),
            (source("file", 4), {"savepath": "/b"}),
            (source("magnet", 5), {"savepath": "/a"}),
        ]
    )
    assert len(requests) == 2  # add options apply to the whole request: one request per set of options
    fields, files = requests[0]
    assert fields == {"savepath": "/a", "urls": f"magnet:?xt=urn:btih:{2:040x}\nmagnet:?xt=urn:btih:{5:040x}"}
    assert [part[1][0] for part in files] == [f"{1:040x}.torrent", f"{3:040x}.torrent"]  # unique file names
    assert requests[1] == (
        {"savepath": "/b"},
        [("torrents", (f"{4:040x}.torrent", b"x" * 10, "application/x-bittorrent"))],
    )


def test_add_requests_stay_under_the_request_size_limit(monkeypatch):
    monkeypatch.setattr(T, "MAX_ADD_BYTES", 25)
    sources = [(T.Source("file", "", TorrentHashes(v1=f"{n:040x}"), b"x" * 10), {}) for n in range(5)]
    requests = T.add_requests(sources)
    assert [len(request[1]) for request in requests] == [2, 2, 1]


def test_poll_is_bounded(monkeypatch):
    monkeypatch.setattr(T, "POLL_INTERVAL", 0.01)
    calls = []
    result, done = T.poll(lambda: calls.append(1) or len(calls), lambda n: n >= 3, timeout=5)
    assert (result, done) == (3, True)
    result, done = T.poll(lambda: 0, lambda n: False, timeout=0.05)
    assert done is False


def test_poll_first_read_waits_for_the_expected_time(monkeypatch):
    slept = []
    monkeypatch.setattr(T.time, "sleep", slept.append)
    result, done = T.poll(lambda: 1, lambda n: True, timeout=5, first_read_after=0.3)
    assert (result, done, slept) == (1, True, [0.3])
    slept.clear()
    T.poll(lambda: 1, lambda n: True, timeout=0.1, first_read_after=2)
    assert slept == [0.1]
