# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests (hypothesis) of the code that reads what users and servers hand the collection: any input
either works or raises the module's own clear error, never an unexpected exception.

* bencode (_bencode.py): decode() returns a value or raises BencodeError; encode/decode round-trip; the byte spans
  of decode_dict() are exact.
* info hashes (_infohash.py): the hashes of any torrent that tests/harness/torrents.py builds (v1, v2, hybrid,
  single or multi-file) are the ones it computed independently; any bytes, and any corruption of a real torrent,
  give hashes or TorrentError.
* magnets and hashes (_infohash.py): any text gives hashes or TorrentError; every valid spelling of a hash
  (hex any case, base32, btmh) is understood.
* preference coercion (_preferences.py): any value for any known key converts to the key's type or raises
  ValueError naming the key, never showing a secret; resolve() and static_problems() collect problems, never raise.
* URLs (_client.py): split_url() gives an http(s) URL with a host and a valid port, or ValueError.

Deterministic (derandomize) and without an example database, so a run writes nothing and repeats exactly.
"""

from __future__ import annotations

import base64
import binascii

import relkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.community.qbittorrent.plugins.module_utils import _preferences as prefs
from ansible_collections.community.qbittorrent.plugins.module_utils._bencode import (
    MAX_DEPTH,
    BencodeError,
    decode,
    decode_dict,
    encode,
)
from ansible_collections.community.qbittorrent.plugins.module_utils._client import split_url
from ansible_collections.community.qbittorrent.plugins.module_utils._infohash import (
    TorrentError,
    from_hash,
    from_magnet,
    from_torrent_file,
)

EXAMPLES = 400
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # the suite's autouse fixtures (the session check) need no reset between examples
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


def tried() -> None:
    """Count one example (reported in the suite's counts)."""
    relkit.TALLY.property_examples += 1


# ------------------------------------------------------------------------------------------------ bencode
bencode_values = st.recursive(
    st.integers(min_value=-(2**70), max_value=2**70) | st.binary(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.binary(max_size=8), inner, max_size=5),
    max_leaves=25,
)
# Bytes that look like bencode often enough to reach deep into the decoder.
BENCODE_PIECES = [b"i", b"e", b"l", b"d", b":", b"-", b"0", b"1", b"9", b"4:spam", b"i-0e", b"x"]
bencode_like = st.lists(st.sampled_from(BENCODE_PIECES) | st.binary(max_size=4), max_size=40).map(b"".join)


@SETTINGS
@given(st.one_of(st.binary(max_size=200), bencode_like))
def test_decode_any_bytes(data):
    tried()
    try:
        decode(data)
    except BencodeError as exc:
        assert str(exc)
    try:
        meta, spans = decode_dict(data)
    except BencodeError:
        return
    for key, (start, end) in spans.items():
        assert decode(data[start:end]) == meta[key]


@SETTINGS
@given(bencode_values)
def test_encode_decode_round_trip(value):
    tried()
    assert decode(encode(value)) == value


@SETTINGS
@given(st.integers(min_value=0, max_value=5000), st.sampled_from([b"l", b"d1:a"]))
def test_deep_nesting_is_refused_not_recursed(depth, opener):
    tried()
    data = opener * depth + b"i1e" + b"e" * depth
    try:
        decode(data)
        decoded = True
    except BencodeError as exc:
        assert "nesting deeper" in str(exc)
        decoded = False
    assert decoded == (depth <= MAX_DEPTH)


# ------------------------------------------------------------------------------------------------ info hashes
torrent_specs = st.fixed_dictionaries(
    {
        "name": st.text(st.characters(min_codepoint=48, max_codepoint=122, blacklist_characters="/\\:"), min_size=1,
                        max_size=12),
        "sizes": st.lists(st.integers(min_value=1, max_value=70000), min_size=1, max_size=3),
        "version": st.sampled_from(["v1", "v2", "hybrid"]),
        "piece_length": st.sampled_from([16384, 32768, 65536]),
        "single": st.booleans(),
    }
)  # fmt: skip


def build(spec: dict) -> tuple[bytes, dict]:
    maker = relkit.torrent_maker
    if spec["single"]:
        files = [(spec["name"], maker.deterministic_data(spec["sizes"][0], spec["name"]))]
    else:
        files = [
            (f"d{i}/f{i}.bin", maker.deterministic_data(size, f"{spec['name']}{i}"))
            for i, size in enumerate(spec["sizes"])
        ]
    return maker.build_torrent(spec["name"], files, version=spec["version"], piece_length=spec["piece_length"])


@settings(SETTINGS, max_examples=150)
@given(torrent_specs)
def test_hashes_of_real_torrents(spec):
    tried()
    data, expected = build(spec)
    hashes = from_torrent_file(data)
    assert (hashes.v1, hashes.v2, hashes.id) == (expected["v1"], expected["v2"], expected["id"])
    assert hashes.version == spec["version"]


@settings(SETTINGS, max_examples=300)
@given(torrent_specs, st.data())
def test_corrupted_torrents(spec, data):
    tried()
    raw = bytearray(build(spec)[0])
    for _edit in range(data.draw(st.integers(min_value=1, max_value=4))):
        where = data.draw(st.integers(min_value=0, max_value=len(raw)))
        kind = data.draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        if kind == "flip" and where < len(raw):
            raw[where] = data.draw(st.integers(min_value=0, max_value=255))
        elif kind == "cut":
            del raw[where:]
        elif kind == "insert":
            raw[where:where] = data.draw(st.binary(min_size=1, max_size=6))
        elif where < len(raw):
            del raw[where : where + data.draw(st.integers(min_value=1, max_value=30))]
    try:
        hashes = from_torrent_file(bytes(raw))
    except TorrentError as exc:
        assert str(exc)
        return
    assert hashes.v1 or hashes.v2


@SETTINGS
@given(st.one_of(st.binary(max_size=300), bencode_values.map(encode), st.dictionaries(
    st.sampled_from([b"info", b"name", b"x"]), bencode_values, max_size=3).map(encode)))  # fmt: skip
def test_any_bytes_as_a_torrent(data):
    tried()
    try:
        from_torrent_file(data)
    except TorrentError as exc:
        assert str(exc)


# ------------------------------------------------------------------------------------------------ magnets
hex40 = st.binary(min_size=20, max_size=20).map(binascii.hexlify).map(bytes.decode)
hex64 = st.binary(min_size=32, max_size=32).map(binascii.hexlify).map(bytes.decode)
magnet_parts = st.lists(
    st.one_of(
        hex40.map(lambda h: f"xt=urn:btih:{h}"),
        hex64.map(lambda h: f"xt=urn:btmh:1220{h}"),
        st.text(max_size=30).map(lambda t: f"dn={t}"),
        st.text(max_size=50).map(lambda t: f"xt={t}"),
        st.text(max_size=50),
        st.sampled_from(["xt=urn:btih:", "xt=urn:btmh:1220", "tr=http://127.0.0.1:9/a", "&", "=", "%zz", "xt.1="]),
    ),
    max_size=6,
)


@SETTINGS
@given(st.one_of(st.text(max_size=200), magnet_parts.map(lambda p: "magnet:?" + "&".join(p))))
def test_any_text_as_a_magnet(text):
    tried()
    try:
        hashes = from_magnet(text)
    except TorrentError as exc:
        assert str(exc)
        return
    assert hashes.id and len(hashes.id) == 40


@SETTINGS
@given(st.binary(min_size=20, max_size=20), hex64, st.sampled_from(["hex", "HEX", "base32", "base32lower"]),
       st.booleans(), st.booleans())  # fmt: skip
def test_valid_magnets_are_understood(digest, v2, spelling, with_v1, with_v2):
    tried()
    v1 = digest.hex()
    if not (with_v1 or with_v2):
        with_v1 = True
    text = {"hex": v1, "HEX": v1.upper(), "base32": base64.b32encode(digest).decode(),
            "base32lower": base64.b32encode(digest).decode().lower()}[spelling]  # fmt: skip
    parts = ([f"xt=urn:btih:{text}"] if with_v1 else []) + ([f"xt=urn:btmh:1220{v2.upper()}"] if with_v2 else [])
    hashes = from_magnet("magnet:?" + "&".join(parts + ["dn=rel"]))
    assert hashes.v1 == (v1 if with_v1 else None)
    assert hashes.v2 == (v2 if with_v2 else None)
    assert hashes.id == (v2[:40] if with_v2 else v1)


@SETTINGS
@given(st.one_of(st.text(max_size=80), hex40, hex64, st.none(), st.integers()))
def test_any_hash(text):
    tried()
    try:
        hashes = from_hash(text)
    except TorrentError as exc:
        assert str(exc)
        return
    assert hashes.id == text.strip().lower()[:40]


# ------------------------------------------------------------------------------------------------ preferences
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20)
    | st.sampled_from(["yes", "off", "1", "0", "1.5", "1e400", "nan", "-0", " 7 ", "{}", '{"/x": 1}', "Subfolder"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
KEYS = sorted(prefs.SCHEMA)
KINDS = {"bool": bool, "int": int, "float": float, "str": str, "dict": dict}


@settings(SETTINGS, max_examples=1000)
@given(st.sampled_from(KEYS), json_values)
def test_coercion(key, value):
    check_coercion(key, value)


@settings(SETTINGS, max_examples=200)
@given(st.sampled_from(sorted(k for k, p in prefs.SCHEMA.items() if p.kind == "float")),
       st.integers(min_value=10**309, max_value=10**400))  # fmt: skip
def test_coercion_of_huge_numbers(key, value):
    check_coercion(key, value)


def check_coercion(key, value):
    tried()
    kind = prefs.SCHEMA[key].kind
    try:
        converted = prefs.coerce(key, value, kind)
    except ValueError as exc:
        message = str(exc)
        assert message.startswith(f"{key}:"), message
        if key in prefs.SECRET_KEYS and isinstance(value, str) and len(value) >= 4:
            assert value not in message, "a secret value is shown in a message"
        return
    assert isinstance(converted, KINDS[kind]) and not (kind != "bool" and isinstance(converted, bool))


def current_preferences(proxy_type_as_int: bool) -> dict:
    defaults = {"bool": False, "int": 0, "float": -1, "str": "", "dict": {}}
    current = {key: defaults[pref.kind] for key, pref in prefs.SCHEMA.items() if key not in prefs.WRITE_ONLY_KEYS}
    current["proxy_type"] = 0 if proxy_type_as_int else "None"
    return current


@settings(SETTINGS, max_examples=300)
@given(st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=12), json_values, max_size=6), st.booleans())
def test_resolve_collects_problems(declared, proxy_as_int):
    tried()
    problems = prefs.static_problems(declared)
    assert all(isinstance(problem, str) for problem in problems)
    resolution = prefs.resolve(declared, current_preferences(proxy_as_int))
    for problem in resolution.problems:
        assert isinstance(problem, str)
        for key in prefs.SECRET_KEYS.intersection(declared):
            value = declared[key]
            assert not (isinstance(value, str) and len(value) >= 4 and value in problem), "a secret is shown"


# ------------------------------------------------------------------------------------------------ URLs
@SETTINGS
@given(st.one_of(
    st.text(max_size=60),
    st.builds(lambda scheme, host, port, path: f"{scheme}{host}{port}{path}",
              st.sampled_from(["", "http://", "https://", "HTTP://", "//", "ftp://", "file://", "http:/", "x://"]),
              st.sampled_from(["127.0.0.1", "localhost", "[::1]", "", "a b", "host:"]),
              st.sampled_from(["", ":8080", ":0", ":99999", ":abc", ":", ":-1"]),
              st.sampled_from(["", "/", "/qbt", "/qbt/", "?x=1", "#f"]))))  # fmt: skip
def test_split_url(url):
    tried()
    try:
        scheme, netloc, path = split_url(url)
    except ValueError as exc:
        assert "the url" in str(exc)
        return
    assert scheme in (None, "http", "https")
    assert netloc and path.endswith("/")
    parsed = relkit.requests.utils.urlparse(f"{scheme or 'http'}://{netloc}{path}")
    assert parsed.hostname and (parsed.port is None or 1 <= parsed.port <= 65535)
