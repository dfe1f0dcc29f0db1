# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import base64
import hashlib
import sys
import unicodedata

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils._bencode import decode_dict, encode
from ansible_collections.community.qbittorrent.plugins.module_utils._fields import (
    CONTROL,
    LINE_BREAKS,
    control_character,
)
from ansible_collections.community.qbittorrent.plugins.module_utils._infohash import (
    TorrentError,
    TorrentHashes,
    TorrentIndex,
    from_hash,
    from_magnet,
    from_torrent_file,
    magnet_to_send,
)
from ansible_collections.community.qbittorrent.tests.harness.torrents import build_torrent, file_contents

# Info hashes libtorrent 2.0.8 (python3-libtorrent, create_torrent with v1_only / v2_only / hybrid flags and
# 16 KiB pieces) computed for the same files as file_contents(name, size, files): an independent cross-check
# of the builder and of the decoder (the files are rebuilt here, byte for byte).
LIBTORRENT = {
    ("t1-40960-v1", 40960, 1, "v1"): ("f4c09e8833c9bd20d422fd32204e2d07c6dd5f58", None),
    ("t1-40960-v2", 40960, 1, "v2"): (None, "61c384e0e563b8a0fdf13f12751612cd39556638bb4dc2680a16349b69ec7ce1"),
    ("t1-40960-hybrid", 40960, 1, "hybrid"): (
        "955216054b47d80ae1f60613d809e95be966e2e1",
        "58eff9e94fd318654170553f2e3257ae9bb0569ee5b125698eb6a6a4764e8ac1",
    ),
    ("t1-100-hybrid", 100, 1, "hybrid"): (
        "2cdae641ee9a694a4366a03fe4da4a9919581a0c",
        "cdb34dff3ab87966cb2d91fe71c88342122758a2d830fefdb32dbc76cf14fa23",
    ),
    ("t3-40960-v1", 40960, 3, "v1"): ("d5ede68178f389221c3ef0818bb9a02f8e5a1cf7", None),
    ("t3-70000-v2", 70000, 3, "v2"): (None, "4cbf12478b98b75521dabebd54d4395d965fc7018767a05d98c1e8c18f7b1139"),
    ("t3-70000-hybrid", 70000, 3, "hybrid"): (
        "d91028607d28395c4b1391576b668ede74e83cc4",
        "1b205e7538cc494ea87d66ea13a97968671dff2082856330da4bbcb7e8d987fd",
    ),
}


@pytest.mark.parametrize("key", list(LIBTORRENT), ids=[key[0] for key in LIBTORRENT])
def test_hashes_of_built_torrents_match_libtorrent(key):
    name, size, files, version = key
    v1, v2 = LIBTORRENT[key]
    data, built = build_torrent(name, file_contents(name, size, files), version=version)
    hashes = from_torrent_file(data)
    assert (hashes.v1, hashes.v2) == (v1, v2)
    assert (built["v1"], built["v2"]) == (v1, v2)
    assert hashes.id == (v2[:40] if v2 else v1)
    assert hashes.version == version
    assert hashes.name == name


def test_hash_covers_the_original_bytes_not_a_re_encoding():
    # An info dict with its keys out of canonical order: a re-encoding would sort them and hash other bytes.
    info = b"d6:pieces20:" + bytes(20) + b"4:name1:x12:piece lengthi16384e6:lengthi5ee"
    data = b"d4:info" + info + b"e"
    hashes = from_torrent_file(data)
    assert hashes.v1 == hashlib.sha1(info).hexdigest()
    meta = decode_dict(data)[0]
    assert hashes.v1 != hashlib.sha1(encode(meta[b"info"])).hexdigest()


def test_hand_written_v1_v2_and_hybrid():
    v1_info = {"name": "a", "piece length": 16384, "pieces": bytes(20), "length": 10}
    v2_info = {"name": "a", "piece length": 16384, "meta version": 2, "file tree": {"a": {"": {"length": 10}}}}
    for info, want in (
        (v1_info, (True, False)),
        (v2_info, (False, True)),
        ({**v1_info, **v2_info}, (True, True)),
    ):
        raw = encode(info)
        hashes = from_torrent_file(encode({"info": info, "announce": "http://127.0.0.1:9/announce"}))
        assert hashes.v1 == (hashlib.sha1(raw).hexdigest() if want[0] else None)
        assert hashes.v2 == (hashlib.sha256(raw).hexdigest() if want[1] else None)
        assert hashes.keys() == {k for k in (hashes.v1, hashes.v2, hashes.v2 and hashes.v2[:40]) if k}
        # a hybrid is also asked for by its v1 hash: its id on servers before 4.4 (libtorrent 1.2)
        assert hashes.lookup == ([hashes.id, hashes.v1] if all(want) else [hashes.id])


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "the file is empty"),
        (b"<html><body>404</body></html>", "not a .torrent file (invalid bencode"),
        (b"d4:infoi1ee", "it has no 'info' dictionary"),
        (b"d8:announce4:httpe", "it has no 'info' dictionary"),
        (b"li1ee", "invalid bencode"),
        (encode({"info": {"piece length": 16384, "pieces": b"", "length": 1}}), "has no 'name'"),
        (encode({"info": {"name": "x", "pieces": b"", "length": 1}}), "no positive 'piece length'"),
        (encode({"info": {"name": "x", "piece length": 0, "pieces": b"", "length": 1}}), "no positive"),
        (encode({"info": {"name": "x", "piece length": 16384, "length": 1}}), "has no 'pieces'"),
        (encode({"info": {"name": "x", "piece length": 16384, "pieces": bytes(19), "length": 1}}), "20-byte"),
        (encode({"info": {"name": "x", "piece length": 16384, "pieces": bytes(20)}}), "neither 'length' nor"),
        (encode({"info": {"name": "x", "piece length": 16384, "meta version": 3}}), "'meta version' 3"),
        (encode({"info": {"name": "x", "piece length": 16384, "meta version": 2}}), "has no 'file tree'"),
        (encode({"info": {"name": "x", "piece length": 16384, "pieces": bytes(20), "length": 1}}) + b"x", "after"),
    ],
)
def test_malformed_torrent_files(data, message):
    with pytest.raises(TorrentError) as caught:
        from_torrent_file(data)
    assert message in str(caught.value)


V1 = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
V2 = "d8dd32ac93357c368556af3ac1d95c9d76bd0dff6fa9833ecdac3d53134efabb"


def test_magnets():
    assert from_magnet(f"magnet:?xt=urn:btih:{V1}&dn=Some+name") == TorrentHashes(V1)
    assert from_magnet(f"magnet:?xt=urn:btih:{V1.upper()}").v1 == V1
    assert from_magnet(f"magnet:?xt=urn:btih:{V1}&dn=Some+name").name == "Some name"
    b32 = base64.b32encode(bytes.fromhex(V1)).decode()
    assert from_magnet(f"magnet:?xt=urn:btih:{b32}").v1 == V1
    assert from_magnet(f"magnet:?xt=urn:btih:{b32.lower()}").v1 == V1
    v2 = from_magnet(f"magnet:?xt=urn:btmh:1220{V2}&tr=http%3A%2F%2F127.0.0.1%3A9%2Fannounce")
    assert (v2.v1, v2.v2, v2.id, v2.version) == (None, V2, V2[:40], "v2")
    hybrid = from_magnet(f"MAGNET:?dn=x&xt=urn:btih:{V1}&xt=urn:btmh:1220{V2}")
    assert (hybrid.v1, hybrid.v2, hybrid.id, hybrid.version) == (V1, V2, V2[:40], "hybrid")
    numbered = from_magnet(f"magnet:?xt.1=urn:btih:{V1}&xt.2=urn:btmh:1220{V2}")
    assert numbered == hybrid
    assert from_magnet(f"magnet:?xt=urn:btih:{V1}&xt=urn:btih:{V1.upper()}").v1 == V1


@pytest.mark.parametrize(
    "uri, message",
    [
        ("http://127.0.0.1/x.torrent", "is not a magnet URI"),
        ("magnet:", "is not a magnet URI"),
        ("magnet:?dn=nothing", "has no xt=urn:btih: or xt=urn:btmh:"),
        ("magnet:?xt=urn:ed2k:abc", "has no xt=urn:btih:"),
        (f"magnet:?xt=urn:btih:{V1[:-1]}", "neither 40 hex characters nor 32 base32"),
        (f"magnet:?xt=urn:btih:{V1}0", "neither 40 hex"),
        ("magnet:?xt=urn:btih:" + "1" * 32, "neither 40 hex"),  # 1 is not base32
        (f"magnet:?xt=urn:btmh:1114{V2}", "not a SHA-256 multihash"),
        (f"magnet:?xt=urn:btmh:{V2}", "not a SHA-256 multihash"),
        (f"magnet:?xt=urn:btih:{V1}&xt=urn:btih:{'0' * 40}", "two different v1 hashes"),
        (f"magnet:?xt=urn:btmh:1220{V2}&xt=urn:btmh:1220{'0' * 64}", "two different v2 hashes"),
        # one line: qBittorrent would add the second magnet too
        (f"magnet:?xt=urn:btih:{V1}\nmagnet:?xt=urn:btih:{'0' * 40}", "has a line break (\\n) at character 61"),
        (f"magnet:?xt=urn:btih:{V1}\r", "has a line break (\\r)"),
        (f"magnet:?xt=urn:btih:{V1}\u2028", "has a line break (U+2028)"),
        (f"magnet:?xt=urn:btih:{V1}&dn=a\x00b", "has a control character (U+0000)"),
        # a percent-encoded line break decodes inside the value: still not a hash ('$' would have matched)
        (f"magnet:?xt=urn:btih:{V1}%0A", "neither 40 hex"),
        # libtorrent strips only a numeric suffix (xt.1): 'xt.x' is no info hash for the server either
        (f"magnet:?xt.x=urn:btih:{V1}", "has no xt=urn:btih:"),
    ],
)
def test_bad_magnets(uri, message):
    with pytest.raises(TorrentError) as caught:
        from_magnet(uri)
    assert message in str(caught.value)


def test_magnet_parameters_split_like_libtorrent():
    # only '&' separates parameters (old Pythons' parse_qsl also split at ';'); '.<digits>' suffixes are dropped
    assert from_magnet(f"magnet:?xt.=urn:btih:{V1}").v1 == V1
    assert from_magnet(f"magnet:?XT.12=urn:btih:{V1}&dn=x").v1 == V1
    with pytest.raises(TorrentError, match="neither 40 hex"):  # ';' stays inside the value
        from_magnet(f"magnet:?xt=urn:btih:{V1};xt=urn:btih:{'0' * 40}")


def test_magnet_to_send():
    assert magnet_to_send(f"MaGnEt:?xt=urn:btih:{V1}&dn=a b") == f"magnet:?xt=urn:btih:{V1}&dn=a b"
    with pytest.raises(TorrentError, match="line break"):
        magnet_to_send(f"magnet:?xt=urn:btih:{V1}\nmagnet:?xt=urn:btih:{'0' * 40}")


def test_control_characters_are_unicode_cc_zl_zp():
    """CONTROL is exactly Unicode's Cc, Zl and Zp; LINE_BREAKS exactly what str.splitlines() breaks at."""
    expected = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in ("Cc", "Zl", "Zp")}
    matched = {chr(c) for c in range(sys.maxunicode + 1) if CONTROL.match(chr(c))}
    assert matched == expected
    assert LINE_BREAKS == {char for char in expected if len(f"a{char}b".splitlines()) == 2}
    assert control_character("abc") is None
    assert control_character("a\tb\n") == (1, "\\t")
    assert control_character("ab\x85") == (2, "U+0085")
    assert control_character("\u200d\u2029") == (1, "U+2029")  # U+200D (Cf) is not a control character


def test_user_hashes():
    assert from_hash(V1.upper()) == TorrentHashes(V1)
    assert from_hash(f" {V2} ") == TorrentHashes(v2=V2)
    for bad in ("", "xyz", V1[:-1], V2 + "0", "g" * 40, None):
        with pytest.raises(TorrentError, match="is not a torrent hash"):
            from_hash(bad)
    with pytest.raises(TorrentError):
        TorrentHashes()


def test_index_matches_every_kind_of_hash():
    hybrid_v1 = "1" * 40
    hybrid_v2 = "a" * 64
    entries = [
        {"hash": V1, "infohash_v1": V1, "infohash_v2": ""},  # v1 torrent
        {"hash": hybrid_v2[:40], "infohash_v1": hybrid_v1, "infohash_v2": hybrid_v2},  # hybrid
        {"hash": V2[:40].upper(), "infohash_v1": "", "infohash_v2": V2},  # v2, upper case from a proxy
        {"hash": "2" * 40},  # qBittorrent before 4.4 has no infohash fields
    ]
    index = TorrentIndex(entries)
    assert index.find(TorrentHashes(V1)) is entries[0]
    assert index.find(from_hash(V1)) is entries[0]
    # a hybrid is found by its v1 hash, its v2 hash, its id, and a v1-only magnet of it
    assert index.find(TorrentHashes(v1=hybrid_v1)) is entries[1]
    assert index.find(TorrentHashes(v2=hybrid_v2)) is entries[1]
    assert index.find(from_hash(hybrid_v2[:40])) is entries[1]
    assert index.find(TorrentHashes(hybrid_v1, hybrid_v2)) is entries[1]
    assert index.find(TorrentHashes(v2=V2)) is entries[2]
    assert index.find(from_hash(V2[:40])) is entries[2]
    assert index.find(from_hash("2" * 40)) is entries[3]
    assert index.find(from_hash("3" * 40)) is None
    assert index.find(TorrentHashes(v2="b" * 64)) is None
    # libtorrent 1.2 builds report no v2 hash: a hybrid's id is then its v1 hash
    assert TorrentIndex([{"hash": hybrid_v1, "infohash_v1": hybrid_v1, "infohash_v2": ""}]).find(
        TorrentHashes(hybrid_v1, hybrid_v2)
    )


def test_only_a_torrent_file_gives_complete_hashes():
    data, _built = build_torrent("whole", file_contents("whole", 1000, 1), version="v1")
    assert from_torrent_file(data).complete is True
    assert from_magnet("magnet:?xt=urn:btih:" + "a" * 40).complete is False
    assert from_hash("a" * 40).complete is False
