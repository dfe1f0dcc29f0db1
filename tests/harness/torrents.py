# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build deterministic data and BitTorrent v1, v2 (BEP 52) and hybrid .torrent files for tests and benchmarks.

Standard library only, independent of the collection's own decoder, and never with a tracker unless one is
asked for (tests pass only loopback tracker URLs that nobody serves). The info dictionaries are the ones
libtorrent's create_torrent writes for the same files, so the info hashes are the ones qBittorrent reports.

CLI (prints JSON on stdout)::

    python3 torrents.py make --data-dir D --torrent-dir T --name NAME [--size N] [--files K]
                             [--version v1|v2|hybrid] [--tracker URL] [--seed S]
    python3 torrents.py bulk --data-dir D --torrent-dir T --prefix P --count N [--size N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

BLOCK = 16 * 1024  # BEP 52 leaf block size
ZERO = bytes(32)


def bencode(value: Any) -> bytes:
    """Bencode int, bytes, str, list and dict (keys sorted as bytes)."""
    if isinstance(value, bool):
        raise TypeError("no booleans in bencode")
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode("utf-8")
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(item) for item in value) + b"e"
    if isinstance(value, dict):
        items = sorted((k.encode("utf-8") if isinstance(k, str) else k, v) for k, v in value.items())
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"
    raise TypeError(f"cannot bencode {type(value).__name__}")


def deterministic_data(size: int, seed: str = "") -> bytes:
    """size bytes that depend only on (size, seed): a SHA-256 counter stream."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{size}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def _merkle_root(leaves: list[bytes]) -> bytes:
    layer = list(leaves)
    while len(layer) > 1:
        layer = [hashlib.sha256(layer[i] + layer[i + 1]).digest() for i in range(0, len(layer), 2)]
    return layer[0]


def _pow2(n: int) -> int:
    size = 1
    while size < n:
        size *= 2
    return size


def _v2_file(data: bytes, piece_length: int) -> tuple[bytes, bytes | None]:
    """(pieces root, piece layer or None) of one non-empty file (BEP 52)."""
    blocks = [hashlib.sha256(data[i : i + BLOCK]).digest() for i in range(0, len(data), BLOCK)]
    leaves = blocks + [ZERO] * (_pow2(len(blocks)) - len(blocks))
    root = _merkle_root(leaves)
    if len(data) <= piece_length:
        return root, None
    per_piece = piece_length // BLOCK
    pieces = []
    for start in range(0, len(blocks), per_piece):
        chunk = blocks[start : start + per_piece]
        pieces.append(_merkle_root(chunk + [ZERO] * (per_piece - len(chunk))))
    return root, b"".join(pieces)


def build_torrent(
    name: str,
    files: list[tuple[str, bytes]],
    version: str = "v1",
    piece_length: int = BLOCK,
    trackers: list[str] | None = None,
) -> tuple[bytes, dict[str, str | None]]:
    """(.torrent bytes, {'v1', 'v2', 'id'}) for files [(relative path, content)].

    One file whose path is the torrent's name makes a single-file torrent; otherwise the files sit in a folder
    named like the torrent. The hashes are computed here from the info dictionary, independently of the
    collection's decoder.

    Hybrid multi-file torrents get BEP 47 pad files after every file (the last one too, as libtorrent 2.0 does), so
    every file starts on a piece boundary.
    """
    if version not in ("v1", "v2", "hybrid"):
        raise ValueError(f"unknown torrent version {version!r}")
    if piece_length < BLOCK or piece_length & (piece_length - 1):
        raise ValueError("the piece length must be a power of two of at least 16 KiB")
    if any(not content for _path, content in files):
        raise ValueError("every file needs content (empty files are not supported here)")
    single = len(files) == 1 and files[0][0] == name
    info: dict[str, Any] = {"name": name, "piece length": piece_length}
    layers: dict[bytes, bytes] = {}
    if version != "v1":
        info["meta version"] = 2
        tree: dict[str, Any] = {}
        for path, content in files:
            root, layer = _v2_file(content, piece_length)
            node = tree
            for part in [name] if single else path.split("/"):
                node = node.setdefault(part, {})
            node[""] = {"length": len(content), "pieces root": root}
            if layer is not None:
                layers[root] = layer
        info["file tree"] = tree
    if version != "v2":
        stream = bytearray()
        listed = []
        for path, content in sorted(files) if version == "hybrid" else files:
            stream += content
            listed.append({"length": len(content), "path": path.split("/")})
            pad = -len(content) % piece_length
            if version == "hybrid" and pad and not single:
                stream += bytes(pad)
                listed.append({"attr": "p", "length": pad, "path": [".pad", str(pad)]})
        info["pieces"] = b"".join(
            hashlib.sha1(stream[i : i + piece_length]).digest()  # nosec B324 - v1 torrents use SHA-1
            for i in range(0, len(stream), piece_length)
        )
        if single:
            info["length"] = len(files[0][1])
        else:
            info["files"] = listed
    meta: dict[str, Any] = {"info": info}
    if version != "v1":
        meta["piece layers"] = layers
    if trackers:
        meta["announce"] = trackers[0]
        meta["announce-list"] = [[url] for url in trackers]
    raw = bencode(info)
    v1 = hashlib.sha1(raw).hexdigest() if version != "v2" else None  # nosec B324 - v1 is defined on SHA-1
    v2 = hashlib.sha256(raw).hexdigest() if version != "v1" else None
    return bencode(meta), {"v1": v1, "v2": v2, "id": v2[:40] if v2 else v1}


def file_contents(name: str, size: int, files: int = 1, seed: str = "") -> list[tuple[str, bytes]]:
    """The deterministic files of a test torrent: one file called name, or files file0.bin... in a folder."""
    if files == 1:
        return [(name, deterministic_data(size, seed + name))]
    return [(f"file{i}.bin", deterministic_data(size + i * 1000, f"{seed}{name}/{i}")) for i in range(files)]


def make(
    data_dir: Path,
    torrent_dir: Path,
    name: str,
    size: int = 40 * 1024,
    files: int = 1,
    version: str = "v1",
    trackers: list[str] | None = None,
    seed: str = "",
) -> dict[str, Any]:
    """Write deterministic data under data_dir/name and the .torrent under torrent_dir; describe both."""
    contents = file_contents(name, size, files, seed)
    for path, content in contents:
        target = data_dir / name if files == 1 else data_dir / name / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    torrent, hashes = build_torrent(name, contents, version=version, trackers=trackers)
    torrent_dir.mkdir(parents=True, exist_ok=True)
    torrent_path = torrent_dir / f"{name}.torrent"
    torrent_path.write_bytes(torrent)
    return {
        "name": name,
        "version": version,
        "torrent": str(torrent_path),
        "data": str(data_dir / name),
        "size": sum(len(content) for _path, content in contents),
        **hashes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for command in ("make", "bulk"):
        cmd = sub.add_parser(command)
        cmd.add_argument("--data-dir", type=Path, required=True)
        cmd.add_argument("--torrent-dir", type=Path, required=True)
        cmd.add_argument("--size", type=int, default=40 * 1024)
        cmd.add_argument("--version", choices=["v1", "v2", "hybrid"], default="v1")
        cmd.add_argument("--seed", default="")
        if command == "make":
            cmd.add_argument("--name", required=True)
            cmd.add_argument("--files", type=int, default=1)
            cmd.add_argument("--tracker", action="append", default=[])
        else:
            cmd.add_argument("--prefix", required=True)
            cmd.add_argument("--count", type=int, required=True)
    args = parser.parse_args(argv)
    common = {"size": args.size, "version": args.version, "seed": args.seed}
    if args.command == "make":
        result: Any = make(
            args.data_dir, args.torrent_dir, args.name, files=args.files, trackers=args.tracker, **common
        )
    else:
        result = [make(args.data_dir, args.torrent_dir, f"{args.prefix}{i}", **common) for i in range(args.count)]
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
