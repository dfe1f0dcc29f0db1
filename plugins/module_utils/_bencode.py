# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bencode (BEP 3), strict: the format of .torrent files.

decode() turns bytes into Python values (int, bytes, list, dict with bytes keys). decode_dict() also returns the
exact byte span of each top-level value, so an info hash is computed over the original bytes of the info
dictionary, never over a re-encoding. Malformed input raises BencodeError naming the offset and the problem.
"""

from __future__ import annotations

from typing import Any

# libtorrent's own default nesting limit (bdecode_depth_limit); deeper input is refused, not recursed into.
MAX_DEPTH = 100
_DIGITS = b"0123456789"


class BencodeError(ValueError):
    """The bytes are not valid bencode."""


def decode(data: bytes) -> Any:
    """Decode one complete bencoded value; trailing bytes are an error."""
    value, end = _decode_at(_as_bytes(data), 0, 0)
    _no_trailing(data, end)
    return value


def decode_dict(data: bytes) -> tuple[dict[bytes, Any], dict[bytes, tuple[int, int]]]:
    """Decode a top-level dictionary and return it with {key: (start, end)} byte spans of its values."""
    data = _as_bytes(data)
    if data[:1] != b"d":
        raise BencodeError("the data does not start with a bencoded dictionary ('d' at offset 0)")
    result: dict[bytes, Any] = {}
    spans: dict[bytes, tuple[int, int]] = {}
    pos = 1
    while True:
        if pos >= len(data):
            raise BencodeError("the top-level dictionary is not terminated (missing 'e')")
        if data[pos : pos + 1] == b"e":
            break
        key, pos = _key_at(data, pos, result)
        start = pos
        result[key], pos = _decode_at(data, pos, 1)
        spans[key] = (start, pos)
    _no_trailing(data, pos + 1)
    return result, spans


def encode(value: Any) -> bytes:
    """Encode int, bytes, str (UTF-8), list/tuple and dict (keys sorted as bytes); for tests and fixtures."""
    out: list[bytes] = []
    _encode_into(value, out)
    return b"".join(out)


def _as_bytes(data: Any) -> bytes:
    if isinstance(data, bytearray):
        return bytes(data)
    if not isinstance(data, bytes):
        raise BencodeError(f"bencode is bytes, not {type(data).__name__}")
    return data


def _no_trailing(data: bytes, end: int) -> None:
    if end != len(data):
        raise BencodeError(f"unexpected data after the end of the bencoded value at offset {end}")


def _decode_at(data: bytes, pos: int, depth: int) -> tuple[Any, int]:
    if pos >= len(data):
        raise BencodeError(f"unexpected end of data at offset {pos}")
    if depth > MAX_DEPTH:
        raise BencodeError(f"nesting deeper than {MAX_DEPTH} levels at offset {pos}")
    lead = data[pos : pos + 1]
    if lead == b"i":
        return _int_at(data, pos)
    if lead in (b"l", b"d"):
        container: Any = [] if lead == b"l" else {}
        pos += 1
        while True:
            if pos >= len(data):
                kind = "list" if lead == b"l" else "dictionary"
                raise BencodeError(f"a {kind} is not terminated (missing 'e') at offset {pos}")
            if data[pos : pos + 1] == b"e":
                return container, pos + 1
            if lead == b"l":
                item, pos = _decode_at(data, pos, depth + 1)
                container.append(item)
            else:
                key, pos = _key_at(data, pos, container)
                container[key], pos = _decode_at(data, pos, depth + 1)
    if lead in _DIGITS:
        return _bytes_at(data, pos)
    raise BencodeError(f"unexpected byte {lead!r} at offset {pos}")


def _key_at(data: bytes, pos: int, seen: dict) -> tuple[bytes, int]:
    if data[pos : pos + 1] not in _DIGITS or not data[pos : pos + 1]:
        raise BencodeError(f"a dictionary key must be a byte string, at offset {pos}")
    key, end = _bytes_at(data, pos)
    if key in seen:
        raise BencodeError(f"duplicate dictionary key {key!r} at offset {pos}")
    return key, end


def _int_at(data: bytes, pos: int) -> tuple[int, int]:
    end = data.find(b"e", pos + 1)
    if end < 0:
        raise BencodeError(f"an integer is not terminated (missing 'e') at offset {pos}")
    text = data[pos + 1 : end]
    digits = text[1:] if text.startswith(b"-") else text
    if not digits or any(byte not in _DIGITS for byte in digits):
        raise BencodeError(f"invalid integer {text!r} at offset {pos}")
    if (digits.startswith(b"0") and len(digits) > 1) or text == b"-0":
        raise BencodeError(f"integer with a leading zero or negative zero {text!r} at offset {pos}")
    return int(text), end + 1


def _bytes_at(data: bytes, pos: int) -> tuple[bytes, int]:
    colon = data.find(b":", pos)
    if colon < 0:
        raise BencodeError(f"a string length is not followed by ':' at offset {pos}")
    text = data[pos:colon]
    if not text or any(byte not in _DIGITS for byte in text) or (text.startswith(b"0") and len(text) > 1):
        raise BencodeError(f"invalid string length {text[:20]!r} at offset {pos}")
    start = colon + 1
    end = start + int(text)
    if end > len(data):
        raise BencodeError(f"a string of {int(text)} bytes at offset {pos} runs past the end of the data")
    return data[start:end], end


def _encode_into(value: Any, out: list[bytes]) -> None:
    if isinstance(value, bool):
        raise TypeError("bencode has no booleans; use 0 or 1")
    if isinstance(value, int):
        out.append(b"i%de" % value)
    elif isinstance(value, (bytes, bytearray, str)):
        raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        out.append(b"%d:" % len(raw))
        out.append(raw)
    elif isinstance(value, (list, tuple)):
        out.append(b"l")
        for item in value:
            _encode_into(item, out)
        out.append(b"e")
    elif isinstance(value, dict):
        items = []
        for key, item in value.items():
            if not isinstance(key, (str, bytes)):
                raise TypeError(f"a bencoded dictionary key must be str or bytes, not {type(key).__name__}")
            items.append((key.encode("utf-8") if isinstance(key, str) else key, item))
        out.append(b"d")
        for key, item in sorted(items, key=lambda pair: pair[0]):
            _encode_into(key, out)
            _encode_into(item, out)
        out.append(b"e")
    else:
        raise TypeError(f"cannot bencode a {type(value).__name__}")
