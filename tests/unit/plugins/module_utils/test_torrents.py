# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os
import socket
import stat
import tempfile
import threading

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _torrent_add as A
from ansible_collections.community.qbittorrent.plugins.module_utils import _torrents as T
from ansible_collections.community.qbittorrent.plugins.module_utils._client import Client
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput
from ansible_collections.community.qbittorrent.plugins.module_utils._infohash import TorrentHashes
from ansible_collections.community.qbittorrent.plugins.module_utils._torrent_writes import Writes
from ansible_collections.community.qbittorrent.tests.harness.torrents import build_torrent, file_contents

V1 = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"


class FakeClient:
    """Records posts; answers supports() and webapi_version like a 5.3 server unless told otherwise."""

    def __init__(self, webapi="2.16.2", set_tags=True):
        from ansible_collections.community.qbittorrent.plugins.module_utils._versions import parse_version

        self.webapi_version = parse_version(webapi)
        self._set_tags = set_tags
        self.posts = []

    def supports(self, name):
        """Endpoints and features as the real client answers them, from the version table."""
        from ansible_collections.community.qbittorrent.plugins.module_utils._versions import gap

        if name == "torrents/setTags" and not self._set_tags:
            return False
        return gap(name, self.webapi_version) is None

    def post(self, endpoint, data=None, files=None):
        self.posts.append((endpoint, dict(data or {})))


def test_resolve_source_reads_magnets_and_files(tmp_path):
    magnet = A.resolve_source("source", f"magnet:?xt=urn:btih:{V1}")
    assert (magnet.kind, magnet.hashes.v1, magnet.data) == ("magnet", V1, None)
    data, hashes = build_torrent("x", file_contents("x", 1000), version="hybrid")
    path = tmp_path / "x.torrent"
    path.write_bytes(data)
    source = A.resolve_source("torrents[3].source", str(path))
    assert (source.kind, source.hashes.id, source.data) == ("file", hashes["id"], data)
    assert A.resolve_source("source", f"file://{path}").hashes.v1 == hashes["v1"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("relative/x.torrent", "is not a magnet URI, an http(s) URL or an absolute path"),
        ("/nonexistent/x.torrent", "source: cannot read the .torrent file '/nonexistent/x.torrent': it does not exist"),
        ("magnet:?xt=urn:btih:123", "neither 40 hex"),
        ("http://127.0.0.1:9/x.torrent", "source: cannot download http://127.0.0.1:9/x.torrent"),
    ],
)
def test_resolve_source_errors(text, message):
    with pytest.raises(InvalidInput) as caught:
        A.resolve_source("source", text, Client("http://127.0.0.1:9", timeout=2, env={}))
    assert message in str(caught.value)


V1_B = "a" * 40
MAGNET = f"magnet:?xt=urn:btih:{V1}&dn=a"
# (character, how the message shows it): every kind of line break and some other control characters
CONTROLS = [
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\t", "\\t"),
    ("\v", "\\v"),
    ("\f", "\\f"),
    ("\x00", "U+0000"),
    ("\x1b", "U+001B"),
    ("\x1e", "U+001E"),
    ("\x7f", "U+007F"),
    ("\x80", "U+0080"),
    ("\x85", "U+0085"),
    ("\x9f", "U+009F"),
    ("\u2028", "U+2028"),
    ("\u2029", "U+2029"),
]


def _torrent_file(folder, name="x.torrent"):
    data, hashes = build_torrent("x", file_contents("x", 1000), version="v1")
    path = os.path.join(str(folder), name)
    with open(path, "wb") as handle:
        handle.write(data)
    return path, data, hashes


@pytest.fixture
def no_reading(monkeypatch):
    """resolve_source must refuse before reading a file or downloading anything."""

    def refuse(*args, **kwargs):
        raise AssertionError("a refused source was read or downloaded")

    monkeypatch.setattr(A, "_read", refuse)
    monkeypatch.setattr(A, "_download", refuse)


@pytest.mark.parametrize("char, shown", CONTROLS)
@pytest.mark.parametrize(
    "template",
    [
        MAGNET + "{c}" + f"magnet:?xt=urn:btih:{V1_B}",  # the injection: a second magnet after a line break
        MAGNET + "{c}",  # only at the end: still refused, whitespace stripping must not hide it
        "{c}" + MAGNET,
        "http://127.0.0.1:9/a.torrent{c}http://127.0.0.1:9/b.torrent",
        "/tmp/a{c}b.torrent",
    ],
)
def test_a_source_is_one_line(no_reading, template, char, shown):
    text = template.format(c=char)
    with pytest.raises(InvalidInput) as caught:
        A.resolve_source("torrents[3].source", text)
    message = str(caught.value)
    assert message.startswith("torrents[3].source: a source is exactly one magnet URI")
    assert f"({shown}) at character {text.index(char) + 1}" in message
    kind = "a line break" if char in "\n\r\v\f\x1e\x85\u2028\u2029" else "a control character"
    assert kind in message
    assert char not in message


def test_crlf_in_one_item_of_a_list(no_reading):
    with pytest.raises(InvalidInput, match=r"^torrents\[1\]\.source: .*line break \(\\r\) at character"):
        A.resolve_source("torrents[1].source", MAGNET + "\r\n" + f"magnet:?xt=urn:btih:{V1_B}")


def test_format_characters_and_spaces_are_not_control_characters(tmp_path):
    # U+200D (zero-width joiner, Unicode Cf) is part of emoji file names; spaces are part of many
    path, data, hashes = _torrent_file(tmp_path, "family \U0001f468\u200d\U0001f469 x .torrent")
    source = A.resolve_source("source", path)
    assert (source.kind, source.text, source.data, source.hashes.v1) == ("file", path, data, hashes["v1"])


def test_whitespace_around_a_magnet_or_url_is_removed():
    source = A.resolve_source("source", f"  {MAGNET} ")
    assert source.text == MAGNET


def test_a_path_is_used_exactly_as_written(tmp_path):
    # a trailing space is part of the file name...
    path, data, _hashes = _torrent_file(tmp_path, "x.torrent ")
    assert A.resolve_source("source", path).data == data
    # ...and pointed out when no such file exists
    with pytest.raises(InvalidInput, match=r"does not exist \(the path ends with whitespace"):
        A.resolve_source("source", str(tmp_path / "y.torrent "))
    # a leading space makes the path relative: refused, never stripped silently
    with pytest.raises(InvalidInput, match=r"absolute path .*\(it starts with whitespace"):
        A.resolve_source("source", " " + path)


def test_the_magnet_sent_is_the_one_parsed():
    source = A.resolve_source("source", f"MAGNET:?xt=urn:btih:{V1}&dn=a")
    # libtorrent knows only the lowercase prefix; the rest is sent as declared
    assert source.text == f"magnet:?xt=urn:btih:{V1}&dn=a"
    with pytest.raises(ValueError, match="single line"):
        A.Source("magnet", MAGNET + "\n" + MAGNET, source.hashes)
    other = A.resolve_source("source", f"magnet:?xt=urn:btih:{V1_B}")
    ((fields, files),) = A.add_requests([(source, {"savepath": "/x"}), (other, {"savepath": "/x"})])
    # what qBittorrent makes of the urls field: one torrent per line, each trimmed (torrentscontroller.cpp)
    assert [url.strip() for url in fields["urls"].split("\n")] == [source.text, other.text]
    assert files == []


@pytest.mark.parametrize(
    "path, kind",
    [("/dev/zero", "a character device"), ("/dev/urandom", "a character device"), ("/dev/null", "a character device")],
)
def test_devices_are_refused(path, kind):
    if not os.path.exists(path):
        pytest.skip(f"{path} does not exist here")
    with pytest.raises(InvalidInput) as caught:
        A.resolve_source("torrents[2].source", path)
    assert str(caught.value) == (
        f"torrents[2].source: cannot read the .torrent file '{path}': it is {kind}, not a regular file; give the "
        "path of a .torrent file"
    )


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match=r"^source: cannot read the .torrent file '.*': it is a directory, not a"):
        A.resolve_source("source", str(tmp_path))


def test_a_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "x.torrent"
    os.mkfifo(fifo)
    with pytest.raises(InvalidInput, match=r"it is a FIFO \(named pipe\), not a regular file"):
        A.resolve_source("source", str(fifo))


def test_a_socket_is_refused():
    folder = tempfile.mkdtemp()  # short: a socket path is limited to about 100 bytes
    try:
        path = os.path.join(folder, "s")
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(path)
            with pytest.raises(InvalidInput, match=r"it is a socket, not a regular file"):
                A.resolve_source("source", path)
    finally:
        if os.path.exists(os.path.join(folder, "s")):
            os.unlink(os.path.join(folder, "s"))
        os.rmdir(folder)


def test_symbolic_links_are_followed(tmp_path):
    path, data, _hashes = _torrent_file(tmp_path)
    os.symlink(path, tmp_path / "good")
    assert A.resolve_source("source", str(tmp_path / "good")).data == data
    os.symlink("/dev/zero", tmp_path / "zero")
    with pytest.raises(InvalidInput, match=r"'.*zero': it is a character device"):
        A.resolve_source("source", str(tmp_path / "zero"))
    os.symlink(tmp_path / "gone", tmp_path / "dangling")
    with pytest.raises(InvalidInput, match=r"it is a symbolic link to a file that does not exist"):
        A.resolve_source("source", str(tmp_path / "dangling"))
    with pytest.raises(InvalidInput, match=r"a part of the path is not a directory"):
        A.resolve_source("source", path + "/x.torrent")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_an_unreadable_file_is_refused(tmp_path):
    path, _data, _hashes = _torrent_file(tmp_path)
    os.chmod(path, 0)
    with pytest.raises(InvalidInput, match=r"it is unreadable: permission denied"):
        A.resolve_source("source", path)


def test_the_size_is_bounded_before_and_while_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.torrent"
    with open(big, "wb") as handle:
        handle.truncate(A.MAX_TORRENT_BYTES + 1)  # sparse: no disk space used
    with pytest.raises(InvalidInput, match=r"it is bigger than 104857600 bytes"):
        A.resolve_source("source", str(big))
    # a file that was small when checked and grew before it was read: the read itself is bounded
    monkeypatch.setattr(A, "MAX_TORRENT_BYTES", 100)
    grown = tmp_path / "grown.torrent"
    grown.write_bytes(b"d" * 500)
    real_stat = os.stat

    def small_stat(path, *args, **kwargs):
        found = real_stat(path, *args, **kwargs)
        return os.stat_result((*found[:6], 50, *found[7:])) if str(path) == str(grown) else found

    monkeypatch.setattr(A.os, "stat", small_stat)
    with pytest.raises(InvalidInput, match=r"it grew beyond 100 bytes while being read"):
        A.resolve_source("source", str(grown))


def test_a_fifo_swapped_in_after_the_check_is_refused(tmp_path, monkeypatch):
    """The path was a regular file when checked and is a FIFO when opened: the open must not wait for a writer,
    and the opened descriptor is checked again."""
    regular, _data, _hashes = _torrent_file(tmp_path)
    fifo = tmp_path / "swapped.torrent"
    os.mkfifo(fifo)
    real_stat = os.stat
    monkeypatch.setattr(A.os, "stat", lambda path, *a, **k: real_stat(regular if str(path) == str(fifo) else path))
    outcome = []

    def resolve():
        try:
            A.resolve_source("source", str(fifo))
        except InvalidInput as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=resolve, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():  # a regression: release the reader so the test run can go on, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(10)
        pytest.fail("opening a FIFO waited for a writer")
    assert outcome and "it is a FIFO (named pipe), not a regular file" in outcome[0]
    assert stat.S_ISFIFO(real_stat(fifo).st_mode)


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
    writes = Writes()
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
    writes = Writes()
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
    writes = Writes()
    writes.queue({"force_start": (False, True), "state": ("stopped", "started")}, {"hash": "a"}, False, client)
    writes.apply(client)
    assert client.posts == [("torrents/setForceStart", {"hashes": "a", "value": True})]


def test_add_fields_and_requests():
    client = FakeClient(webapi="2.11.4")
    options = {"save_path": "/d", "tags": ["a", "b"], "download_path": "", "skip_checking": True, "name": "n"}
    fields = A.add_fields(client, options, stopped=True)
    assert fields == {
        "savepath": "/d",
        "rename": "n",
        "tags": "a,b",
        "useDownloadPath": False,
        "autoTMM": False,
        "stopped": True,
        "skip_checking": True,
    }
    assert A.add_fields(FakeClient(webapi="2.16.2"), {"skip_checking": True}, None) == {"seedMode": True}
    assert A.add_fields(FakeClient(webapi="2.8.19"), {}, False) == {"paused": False}

    def source(kind, n, size=10):
        hashes = TorrentHashes(v1=f"{n:040x}")
        return A.Source(kind, f"magnet:?xt=urn:btih:{hashes.v1}", hashes, None if kind == "magnet" else b"x" * size)

    requests = A.add_requests(
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
    monkeypatch.setattr(A, "MAX_ADD_BYTES", 25)
    sources = [(A.Source("file", "", TorrentHashes(v1=f"{n:040x}"), b"x" * 10), {}) for n in range(5)]
    requests = A.add_requests(sources)
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
