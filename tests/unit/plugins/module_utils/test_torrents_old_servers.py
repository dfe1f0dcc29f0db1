# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qbt_torrent on servers before 4.4 (4.2.5 in the harness): no BitTorrent v2, torrents/add without tags or share
limits, first/last piece priority lost on complete torrents, no tag filter in torrents/info."""

from __future__ import annotations

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _torrent_add as A
from ansible_collections.community.qbittorrent.plugins.module_utils import _torrent_items as items_
from ansible_collections.community.qbittorrent.plugins.module_utils import _torrent_sync as sync
from ansible_collections.community.qbittorrent.plugins.module_utils import _torrents as T
from ansible_collections.community.qbittorrent.plugins.module_utils._client import Client
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import UnimplementedEndpoint
from ansible_collections.community.qbittorrent.plugins.module_utils._infohash import TorrentHashes
from ansible_collections.community.qbittorrent.plugins.module_utils._torrent_writes import Writes
from ansible_collections.community.qbittorrent.plugins.module_utils._versions import parse_version

V1 = "7f8ce41e5ef81477ab7a7e9a85b9118462655d51"
V2 = "bf59942a6b27afcb16b731b4df1337c4f91f9f33b28ac6258af19d600dd55c44"


def client(webapi: str, fail: bool = True) -> Client:
    """A real client that knows its server's WebAPI version and never sends a request."""
    made = Client("http://127.0.0.1:9", "admin", "pw", fail_on_unimplemented_endpoint=fail, env={})
    made._webapi_version = parse_version(webapi)
    return made


def item(n, v1=None, v2=None, source=True, **params):
    spec = {key: value.get("default") for key, value in items_.ITEM_OPTIONS.items()}
    made = items_.Item(dict(spec, source=f"/t/{n}.torrent" if source else None, **params), f"torrents[{n}].")
    made.hashes = TorrentHashes(v1=v1, v2=v2, name=f"t{n}")
    made.source = object() if source else None
    return made


# ----------------------------------------------------------------- torrents/add fields
def test_add_fields_leave_out_what_old_servers_ignore():
    options = {"tags": ["a", "b"], "ratio_limit": 1.5, "seeding_time_limit": 60, "save_path": "/d"}
    assert A.add_fields(client("2.5.1"), options, None) == {"savepath": "/d", "autoTMM": False}
    # 4.3.2 (WebAPI 2.7) takes tags, 4.3.4 (WebAPI 2.8.1) the share limits
    assert A.add_fields(client("2.7"), options, None) == {"savepath": "/d", "autoTMM": False, "tags": "a,b"}
    assert A.add_fields(client("2.8.1"), options, None) == {
        "savepath": "/d",
        "autoTMM": False,
        "tags": "a,b",
        "ratioLimit": 1.5,
        "seedingTimeLimit": 60,
    }


def test_tags_ignored_by_the_add_are_queued_after_it():
    # what add() does with the torrent it just added: the plan against it queues the tags and the limits
    declared = item(0, v1=V1, tags=["a", "b"], ratio_limit=1.5)
    view = {"hash": V1, "tags": [], "ratio_limit": -2, "seeding_time_limit": -2, "state": "pausedUP"}
    changes = sync.plan(declared, view)
    assert changes == {"tags": ([], ["a", "b"]), "ratio_limit": (-2, 1.5)}
    writes = Writes()
    writes.queue(changes, view, False, client("2.5.1"))
    assert set(writes.groups) == {
        ("change_tags", (("a", "b"), ())),
        ("share_limits", (("ratio_limit", 1.5), ("seeding_time_limit", -2))),
    }


# ----------------------------------------------------------------- v2 and hybrid torrents
def test_a_v2_only_source_is_refused_naming_the_option_the_value_and_the_versions():
    items = [item(0, v1="a" * 40), item(1, v2="b" * 64), item(2, v2="c" * 64, state="absent")]
    with pytest.raises(UnimplementedEndpoint) as caught:
        items_.as_the_server_sees(client("2.5.1"), items)
    assert str(caught.value).startswith(
        "torrents[1].source '/t/1.torrent' (a v2-only torrent) needs qBittorrent 4.4.0 or later (WebAPI 2.8.4); "
        "this server has WebAPI 2.5.1. Upgrade qBittorrent"
    )  # the absent one is not refused: it cannot be on that server, so there is nothing to remove


def test_every_v2_only_source_is_named_in_one_message():
    with pytest.raises(UnimplementedEndpoint, match=r"torrents\[0\]\.source .* and torrents\[1\]\.source .* \(v2-only"):
        items_.as_the_server_sees(client("2.5.1"), [item(0, v2="b" * 64), item(1, v2="c" * 64)])


def test_a_v2_only_source_is_left_out_with_a_warning_when_told():
    old = client("2.5.1", fail=False)
    items = [item(0, v1="a" * 40), item(1, v2="b" * 64)]
    assert items_.as_the_server_sees(old, items) == items[:1]
    assert old.warnings == [
        "torrents[1].source '/t/1.torrent' (a v2-only torrent) needs qBittorrent 4.4.0 or later (WebAPI 2.8.4); this "
        "server has WebAPI 2.5.1; skipped because fail_on_unimplemented_endpoint is false"
    ]


def test_a_hybrid_torrent_is_the_v1_torrent_an_old_server_sees():
    hybrid = item(0, v1=V1, v2=V2)
    assert items_.as_the_server_sees(client("2.5.1"), [hybrid]) == [hybrid]
    assert (hybrid.hashes.v1, hybrid.hashes.v2, hybrid.hashes.id, hybrid.id) == (V1, None, V1, V1)
    # from 4.4 it keeps both hashes, and its id is the truncated v2 hash
    newer = item(0, v1=V1, v2=V2)
    items_.as_the_server_sees(client("2.8.4"), [newer])
    assert (newer.hashes.v2, newer.id) == (V2, V2[:40])


def test_a_v2_hash_not_found_on_an_old_server_says_why():
    by_v2 = item(0, v2=V2, source=False)
    assert "knows a hybrid torrent by its v1 hash only" in items_.not_found_hint(client("2.5.1"), by_v2)
    assert items_.not_found_hint(client("2.8.4"), by_v2) == ""
    assert items_.not_found_hint(client("2.5.1"), item(1, v1=V1, source=False)) == ""


def test_the_view_has_one_shape_on_every_version():
    entry = {"hash": V1, "save_path": "/data/x/", "up_limit": -1, "dl_limit": 5, "state": "pausedUP", "tags": ""}
    view = T.view(entry)  # as 4.2.5 reports a torrent
    assert (view["infohash_v1"], view["infohash_v2"]) == (V1, "")
    assert (view["save_path"], view["upload_limit"], view["download_limit"]) == ("/data/x", 0, 5)
    assert T.view(dict(entry, save_path="/"))["save_path"] == "/"
    newer = T.view({"hash": V2[:40], "infohash_v1": V1, "infohash_v2": V2, "save_path": "/d", "state": "stoppedUP"})
    assert (newer["hash"], newer["infohash_v1"], newer["infohash_v2"], newer["save_path"]) == (V2[:40], V1, V2, "/d")


# ----------------------------------------------------------------- first/last piece priority, tag filter
@pytest.mark.parametrize("webapi, refused", [("2.5.1", True), ("2.6", False)])
def test_first_last_piece_priority_of_a_complete_torrent(webapi, refused):
    declared = item(0, v1=V1, first_last_piece_priority=True)
    view = {"hash": V1, "name": "x", "progress": 1, "first_last_piece_priority": False}
    if refused:
        with pytest.raises(UnimplementedEndpoint, match=r"first_last_piece_priority: true on the complete torrent x "):
            sync.refuse_what_cannot_be_kept(client(webapi), declared, view)
    else:
        sync.refuse_what_cannot_be_kept(client(webapi), declared, view)
        assert declared.params["first_last_piece_priority"] is True
    # an incomplete torrent keeps it on every version
    sync.refuse_what_cannot_be_kept(client("2.5.1"), declared, dict(view, progress=0.5))


def test_first_last_piece_priority_is_dropped_with_a_warning_when_told():
    old = client("2.5.1", fail=False)
    declared = item(0, v1=V1, first_last_piece_priority=True)
    sync.refuse_what_cannot_be_kept(old, declared, {"hash": V1, "progress": 1, "first_last_piece_priority": False})
    assert declared.params["first_last_piece_priority"] is None
    assert "first_last_piece_priority" not in declared.desired
    assert len(old.warnings) == 1


class Listing:
    def __init__(self, webapi, entries):
        self.webapi_version = parse_version(webapi)
        self.entries = entries
        self.params = None

    def supports(self, name):
        from ansible_collections.community.qbittorrent.plugins.module_utils._versions import gap

        return gap(name, self.webapi_version) is None

    def get_json(self, endpoint, params=None):
        self.params = params
        return [dict(entry) for entry in self.entries]


def test_the_tag_filter_is_applied_here_where_the_server_ignores_it():
    entries = [{"hash": "a" * 40, "tags": "x, y"}, {"hash": "b" * 40, "tags": "xy"}, {"hash": "c" * 40, "tags": ""}]
    old = Listing("2.5.1", entries)  # 4.2.5 lists every torrent whatever 'tag' says
    assert [view["hash"] for view in T.read_views(old, {"tag": "x"}, ["hash"])] == ["a" * 40]
    newer = Listing("2.8.4", entries[:1])  # the server filtered: nothing is filtered again
    assert [view["hash"] for view in T.read_views(newer, {"tag": "x"}, ["hash"])] == ["a" * 40]
    assert newer.params["tag"] == "x"
