# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who a torrent is: v1/v2/hybrid info hashes from a .torrent file or a magnet, and matching against the server.

v1 is the SHA-1 of the bencoded info dictionary (BEP 3), v2 its SHA-256 when it says 'meta version' 2 (BEP 52);
a hybrid torrent has both. qBittorrent's own id ('hash' in torrents/info) is the v2 hash truncated to 40 hex
characters when there is a v2 hash, else the v1 hash: InfoHash::toTorrentID in qBittorrent's
src/base/bittorrent/infohash.cpp. Facts: docs/dev/webapi-facts.md#info-hashes-and-torrent-ids.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote_plus

from ._bencode import BencodeError, decode_dict
from ._fields import LINE_BREAKS, control_character

# \Z, not $: '$' also matches before a final '\n', and a percent-decoded magnet value can end with one.
_HEX40 = re.compile(r"^[0-9a-fA-F]{40}\Z")
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}\Z")
_BASE32 = re.compile(r"^[A-Za-z2-7]{32}\Z")
# multihash prefix of a SHA2-256 digest: code 0x12, length 0x20 (BEP 9 btmh)
_BTMH_SHA256 = "1220"
# Unicode category Cc (C0 controls U+0000-U+001F, DEL U+007F, C1 controls U+0080-U+009F, with NEL U+0085), Zl
# (U+2028 line separator) and Zp (U+2029 paragraph separator): exactly these code points. None of them belongs in
# a magnet, a URL or a path someone declares, and qBittorrent splits the urls field of torrents/add at every '\n'
# (TorrentsController::addAction, src/webui/api/torrentscontroller.cpp), so a line break inside one magnet adds
# a second torrent. Format characters (Cf, such as the zero-width joiner inside emoji file names) are allowed:
# they break no line, and error messages show them escaped (repr).
# libtorrent's parse_magnet_uri strips a '.<digits>' suffix from a parameter name (xt.1, xt.2) and compares
# names without case (src/magnet_uri.cpp); 'xt.x' is not an info hash for it, so not for us either.
_XT = re.compile(r"^xt(\.[0-9]*)?$", re.IGNORECASE)


class TorrentError(ValueError):
    """The input is not a usable .torrent file, magnet URI or hash."""


class TorrentHashes:
    """The identity of one torrent: v1 and/or v2 hash (lowercase hex), and a name when known."""

    def __init__(
        self, v1: str | None = None, v2: str | None = None, name: str | None = None, complete: bool = False
    ) -> None:
        if not v1 and not v2:
            raise TorrentError("a torrent needs a v1 or a v2 info hash")
        self.v1 = v1.lower() if v1 else None
        self.v2 = v2.lower() if v2 else None
        self.name = name
        # True when the info dictionary itself was hashed (a .torrent file): a hash missing here does not exist, so
        # a v1-only torrent cannot be a hybrid that the server knows by a v2 hash. A magnet or a bare hash may omit one.
        self.complete = complete

    @property
    def id(self) -> str:
        """qBittorrent's torrent id: the truncated v2 hash when there is one, else the v1 hash."""
        return self.v2[:40] if self.v2 else self.v1  # type: ignore[index,return-value]

    @property
    def lookup(self) -> list[str]:
        """The hashes to ask torrents/info for: the id, and the v1 hash of a hybrid torrent too, which is its id on a
        server built on libtorrent 1.2 (qBittorrent before 4.4: TorrentInfo::hash() in
        src/base/bittorrent/torrentinfo.cpp of release-4.2.5 is the SHA-1 info hash; observed on 4.2.5)."""
        return [self.id, self.v1] if self.v1 and self.v2 else [self.id]

    @property
    def version(self) -> str:
        return "hybrid" if self.v1 and self.v2 else ("v2" if self.v2 else "v1")

    def keys(self) -> set[str]:
        """Every value a torrents/info entry may carry for this torrent in hash, infohash_v1 or infohash_v2."""
        return {key for key in (self.v1, self.v2, self.v2[:40] if self.v2 else None) if key}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TorrentHashes) and (self.v1, self.v2) == (other.v1, other.v2)

    def __hash__(self) -> int:
        return hash((self.v1, self.v2))

    def __repr__(self) -> str:
        return f"TorrentHashes(v1={self.v1!r}, v2={self.v2!r}, name={self.name!r})"


def from_torrent_file(data: bytes) -> TorrentHashes:
    """The hashes of a .torrent file's bytes, computed over the original bytes of its info dictionary."""
    if not data:
        raise TorrentError("the file is empty")
    try:
        meta, spans = decode_dict(data)
    except BencodeError as exc:
        raise TorrentError(f"not a .torrent file (invalid bencode: {exc})") from exc
    info = meta.get(b"info")
    if not isinstance(info, dict):
        raise TorrentError("not a .torrent file: it has no 'info' dictionary")
    name = info.get(b"name")
    if not isinstance(name, bytes) or not name:
        raise TorrentError("invalid .torrent file: the info dictionary has no 'name'")
    piece_length = info.get(b"piece length")
    if not isinstance(piece_length, int) or piece_length <= 0:
        raise TorrentError("invalid .torrent file: the info dictionary has no positive 'piece length'")
    version = info.get(b"meta version", 1)
    if version not in (1, 2):
        raise TorrentError(f"unsupported .torrent 'meta version' {version!r} (1 and 2 are known)")
    has_v1 = b"pieces" in info
    if has_v1:
        _check_v1(info)
    if version == 2 and not isinstance(info.get(b"file tree"), dict):
        raise TorrentError("invalid v2 .torrent file: the info dictionary has no 'file tree'")
    if version == 1 and not has_v1:
        raise TorrentError("invalid .torrent file: the info dictionary has no 'pieces'")
    start, end = spans[b"info"]
    raw = data[start:end]
    return TorrentHashes(
        v1=hashlib.sha1(raw).hexdigest() if has_v1 else None,  # nosec B324 - BitTorrent v1 is defined on SHA-1
        v2=hashlib.sha256(raw).hexdigest() if version == 2 else None,
        name=name.decode("utf-8", errors="replace"),
        complete=True,
    )


def _check_v1(info: Mapping[bytes, Any]) -> None:
    pieces = info[b"pieces"]
    if not isinstance(pieces, bytes) or len(pieces) % 20:
        raise TorrentError("invalid .torrent file: 'pieces' is not a whole number of 20-byte SHA-1 digests")
    if not isinstance(info.get(b"length"), int) and not isinstance(info.get(b"files"), list):
        raise TorrentError("invalid .torrent file: the info dictionary has neither 'length' nor 'files'")


def from_magnet(uri: str) -> TorrentHashes:
    """The hashes of a magnet URI: xt=urn:btih: (40 hex or 32 base32) and/or xt=urn:btmh:1220<64 hex>.

    A magnet is one line: a line break or any other control character is refused (see _fields.CONTROL). Parameters are
    split the way libtorrent splits them (at '&', then at the first '='; src/magnet_uri.cpp), so the hashes found
    here are the ones the server finds.
    """
    if not isinstance(uri, str) or not uri.lower().startswith("magnet:?"):
        raise TorrentError(f"{_short(uri)!r} is not a magnet URI (it must start with 'magnet:?')")
    bad = control_character(uri)
    if bad:
        kind = "a line break" if uri[bad[0]] in LINE_BREAKS else "a control character"
        raise TorrentError(f"a magnet URI is one line, but this one has {kind} ({bad[1]}) at character {bad[0] + 1}")
    v1 = v2 = name = None
    for part in uri[len("magnet:?") :].split("&"):
        key, _sep, value = part.partition("=")
        value = unquote_plus(value)
        if key.lower() == "dn" and value:
            name = value
        if not _XT.match(key):
            continue
        lowered = value.lower()
        if lowered.startswith("urn:btih:"):
            found = _btih(value[len("urn:btih:") :])
            if v1 and found != v1:
                raise TorrentError(f"the magnet {_short(uri)!r} names two different v1 hashes")
            v1 = found
        elif lowered.startswith("urn:btmh:"):
            found = _btmh(value[len("urn:btmh:") :])
            if v2 and found != v2:
                raise TorrentError(f"the magnet {_short(uri)!r} names two different v2 hashes")
            v2 = found
    if not v1 and not v2:
        raise TorrentError(f"the magnet {_short(uri)!r} has no xt=urn:btih: or xt=urn:btmh: info hash")
    return TorrentHashes(v1, v2, name)


def magnet_to_send(uri: str) -> str:
    """The magnet as torrents/add gets it: checked by from_magnet (one line, with an info hash), with the prefix
    spelled 'magnet:?', the only spelling libtorrent's parse_magnet_uri accepts (src/magnet_uri.cpp) although
    the scheme is case-insensitive (RFC 3986). The rest is sent exactly as it was parsed."""
    from_magnet(uri)
    return "magnet:?" + uri[len("magnet:?") :]


def _btih(text: str) -> str:
    if _HEX40.match(text):
        return text.lower()
    if _BASE32.match(text):
        return binascii.hexlify(base64.b32decode(text.upper())).decode("ascii")
    raise TorrentError(f"urn:btih:{_short(text)} is neither 40 hex characters nor 32 base32 characters")


def _btmh(text: str) -> str:
    if len(text) == 68 and text[:4] == _BTMH_SHA256 and _HEX64.match(text[4:]):
        return text[4:].lower()
    raise TorrentError(f"urn:btmh:{_short(text)} is not a SHA-256 multihash ('1220' followed by 64 hex characters)")


def from_hash(text: str) -> TorrentHashes:
    """A user-given hash: 64 hex is a v2 hash; 40 hex is a v1 hash or qBittorrent's (truncated v2) id."""
    value = text.strip() if isinstance(text, str) else ""
    if _HEX64.match(value):
        return TorrentHashes(v2=value)
    if _HEX40.match(value):
        return TorrentHashes(v1=value)
    raise TorrentError(
        f"{_short(text)!r} is not a torrent hash: give 40 hex characters (v1 hash or qBittorrent's id) or 64 (v2 hash)"
    )


def entry_keys(entry: Mapping[str, Any]) -> set[str]:
    """The hashes a torrents/info entry answers to: hash, infohash_v1, infohash_v2 and the truncated v2."""
    keys = {(entry.get(field) or "").lower() for field in ("hash", "infohash_v1", "infohash_v2")}
    v2 = (entry.get("infohash_v2") or "").lower()
    return {key for key in keys | {v2[:40]} if key}


class TorrentIndex:
    """torrents/info entries, found by any of their hashes (hash, infohash_v1, infohash_v2, truncated v2)."""

    def __init__(self, entries: Iterable[Mapping[str, Any]]) -> None:
        self.entries = list(entries)
        self._by_key: dict[str, Mapping[str, Any]] = {}
        for entry in self.entries:
            for key in entry_keys(entry):
                self._by_key.setdefault(key, entry)

    def find(self, hashes: TorrentHashes) -> Mapping[str, Any] | None:
        """The entry of this torrent, or None. A 40-hex user hash matches a v1 hash or an id alike."""
        for key in (hashes.v2, hashes.v2[:40] if hashes.v2 else None, hashes.v1):
            if key and key in self._by_key:
                return self._by_key[key]
        return None


def _short(value: Any, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."
