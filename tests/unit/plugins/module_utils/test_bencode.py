# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils._bencode import (
    MAX_DEPTH,
    BencodeError,
    decode,
    decode_dict,
    encode,
)


@pytest.mark.parametrize(
    "data, value",
    [
        (b"i0e", 0),
        (b"i42e", 42),
        (b"i-7e", -7),
        (b"i123456789012345678901234567890e", 123456789012345678901234567890),
        (b"0:", b""),
        (b"4:spam", b"spam"),
        (b"3:\x00\xff\x10", b"\x00\xff\x10"),
        (b"le", []),
        (b"li1e4:spamlee", [1, b"spam", []]),
        (b"de", {}),
        (b"d3:bar4:spam3:fooi42ee", {b"bar": b"spam", b"foo": 42}),
        (b"d1:ad1:bli1eeee", {b"a": {b"b": [1]}}),
    ],
)
def test_decode_valid(data, value):
    assert decode(data) == value
    assert decode(bytearray(data)) == value


def test_unsorted_keys_are_accepted_and_kept():
    # libtorrent accepts them too, and the hash covers the original bytes anyway
    assert decode(b"d1:bi2e1:ai1ee") == {b"b": 2, b"a": 1}


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "unexpected end of data at offset 0"),
        (b"i42", "integer is not terminated"),
        (b"ie", "invalid integer"),
        (b"i-e", "invalid integer"),
        (b"i4x2e", "invalid integer"),
        (b"i 1e", "invalid integer"),
        (b"i03e", "leading zero"),
        (b"i-0e", "negative zero"),
        (b"4:spa", "runs past the end"),
        (b"04:spam", "invalid string length"),
        (b"-1:a", "unexpected byte"),
        (b"4spam", "not followed by ':'"),
        (b"l", "list is not terminated"),
        (b"li1e", "list is not terminated"),
        (b"d3:foo", "unexpected end of data"),
        (b"d3:fooi1e", "dictionary is not terminated"),
        (b"di1ei2ee", "dictionary key must be a byte string"),
        (b"d1:ai1e1:ai2ee", "duplicate dictionary key b'a'"),
        (b"i1ei2e", "unexpected data after the end"),
        (b"4:spamx", "unexpected data after the end"),
        (b"x", "unexpected byte b'x' at offset 0"),
        (b"<html>", "unexpected byte"),
    ],
)
def test_decode_malformed(data, message):
    with pytest.raises(BencodeError, match=None) as caught:
        decode(data)
    assert message in str(caught.value)


def test_decode_refuses_text_and_deep_nesting():
    with pytest.raises(BencodeError, match="bencode is bytes, not str"):
        decode("i1e")
    assert decode(b"l" * MAX_DEPTH + b"e" * MAX_DEPTH) is not None
    with pytest.raises(BencodeError, match="nesting deeper than"):
        decode(b"l" * (MAX_DEPTH + 2) + b"e" * (MAX_DEPTH + 2))


def test_decode_dict_returns_the_exact_spans():
    # keys out of order and a non-canonical inner order: the span must still be the original bytes
    data = b"d4:infod4:name1:x6:lengthi3ee8:announce4:httpe"
    meta, spans = decode_dict(data)
    assert meta[b"info"] == {b"length": 3, b"name": b"x"}
    start, end = spans[b"info"]
    assert data[start:end] == b"d4:name1:x6:lengthi3ee"
    assert data[slice(*spans[b"announce"])] == b"4:http"
    # re-encoding would sort the keys and give other bytes: the span is what the hash must use
    assert encode(meta[b"info"]) != data[start:end]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "does not start with a bencoded dictionary"),
        (b"li1ee", "does not start with a bencoded dictionary"),
        (b"d4:infode", "not terminated"),
        (b"d4:infodeee", "unexpected data after the end"),
        (b"d4:infodeexyz", "unexpected data after the end"),
        (b"di1ei2ee", "dictionary key must be a byte string"),
        (b"d1:ai1e1:ai1ee", "duplicate dictionary key"),
    ],
)
def test_decode_dict_malformed(data, message):
    with pytest.raises(BencodeError) as caught:
        decode_dict(data)
    assert message in str(caught.value)


def test_encode_round_trip():
    value = {"name": "ü", "list": [1, -2, b"\x00"], "nested": {"z": 0, "a": []}, b"raw": b"bytes"}
    data = encode(value)
    assert data == b"d4:listli1ei-2e1:\x00e4:name2:\xc3\xbc6:nestedd1:ale1:zi0ee3:raw5:bytese"
    assert decode(data) == {
        b"name": "ü".encode(),
        b"list": [1, -2, b"\x00"],
        b"nested": {b"z": 0, b"a": []},
        b"raw": b"bytes",
    }
    assert encode({"b": 1, "a": 2}) == b"d1:ai2e1:bi1ee"


@pytest.mark.parametrize("value", [True, 1.5, None, {1: 2}])
def test_encode_refuses_other_types(value):
    with pytest.raises(TypeError):
        encode(value)
