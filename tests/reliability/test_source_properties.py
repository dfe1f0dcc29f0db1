# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests (hypothesis) of qbt_torrent's sources (_torrents.resolve_source): one source, one torrent.

* A line break or any other control character (every code point of Unicode Cc, U+2028 and U+2029) anywhere in a
  magnet, a URL or a path is refused with InvalidInput naming the option and the character, before any file is
  read or anything downloaded.
* A path with spaces (anywhere, also at the ends of a file name) and any other printable text is accepted: the
  file at exactly that path is read.
* Any text gives a Source or InvalidInput; a magnet Source is what the server will see as exactly one URL
  (qBittorrent splits the urls field at '\\n' and trims each part, src/webui/api/torrentscontroller.cpp) with the
  hashes the module computed.

Deterministic (derandomize) and without an example database, like test_properties.py.
"""

from __future__ import annotations

import sys
import tempfile
import unicodedata
from pathlib import Path
from unittest import mock

import pytest
import relkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.community.qbittorrent.plugins.module_utils import _torrent_add as A
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput
from ansible_collections.community.qbittorrent.plugins.module_utils._infohash import from_magnet
from ansible_collections.community.qbittorrent.tests.harness.torrents import build_torrent, file_contents

SETTINGS = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
# Every control character: Unicode Cc (C0, DEL, C1 with NEL U+0085), Zl (U+2028) and Zp (U+2029).
CONTROLS = sorted(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in ("Cc", "Zl", "Zp"))
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
# Text without control characters (and without surrogates, which no declared string holds).
PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40)
V1 = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
TORRENT, HASHES = build_torrent("p", file_contents("p", 1000), version="v1")


def tried() -> None:
    relkit.TALLY.property_examples += 1


def _shown(char: str) -> str:
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", "\f": "\\f"}.get(char, f"U+{ord(char):04X}")


def _never_reads():
    """resolve_source must refuse before reading a file or downloading anything."""
    refuse = mock.Mock(side_effect=AssertionError("a refused source was read or downloaded"))
    return mock.patch.multiple(A, _read=refuse, _download=refuse)


def test_every_control_character_is_covered():
    assert len(CONTROLS) == 67 and "\x85" in CONTROLS and "\u2028" in CONTROLS and "\u2029" in CONTROLS


@SETTINGS
@given(
    st.sampled_from(["magnet", "url", "path"]),
    PRINTABLE,
    st.sampled_from(CONTROLS),
    PRINTABLE,
    st.sampled_from(["source", "torrents[3].source"]),
)
def test_control_characters_are_refused(kind, before, char, after, option):
    tried()
    start = {"magnet": f"magnet:?xt=urn:btih:{V1}&dn=", "url": "http://127.0.0.1:9/", "path": "/tmp/"}[kind]
    text = start + before + char + after
    with _never_reads(), pytest.raises(InvalidInput) as caught:
        A.resolve_source(option, text)
    message = str(caught.value)
    first = min(text.index(c) for c in CONTROLS if c in text)
    assert message.startswith(f"{option}: a source is exactly one magnet URI")
    assert f"({_shown(text[first])}) at character {first + 1}" in message
    assert ("a line break" if text[first] in LINE_BREAKS else "a control character") in message


@SETTINGS
@given(st.lists(st.sampled_from(CONTROLS), min_size=1, max_size=3).map("".join))
def test_a_second_magnet_after_any_line_break_is_refused(separator):
    """The injection: two magnets in one source, whatever separates them."""
    tried()
    text = f"magnet:?xt=urn:btih:{V1}{separator}magnet:?xt=urn:btih:{'a' * 40}"
    with _never_reads(), pytest.raises(InvalidInput, match="a source is exactly one magnet URI"):
        A.resolve_source("source", text)


@pytest.fixture(scope="module")
def folder():
    path = Path(tempfile.mkdtemp(prefix="rel-src-prop-"))
    yield path
    for child in path.iterdir():
        child.unlink()
    path.rmdir()


# A file name: printable text without '/', spaces around it
_names = st.tuples(
    st.text(" ", max_size=2),
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="/"), max_size=40),
    st.text(" ", max_size=2),
).map("".join)


@SETTINGS
@given(_names, st.text(" ", min_size=1, max_size=3))
def test_paths_with_spaces_are_read(folder, name, spaces):
    """Spaces anywhere in a file name, and any other printable character, are part of the path: read as is."""
    tried()
    path = folder / (name + spaces + "x" + spaces)
    path.write_bytes(TORRENT)
    try:
        source = A.resolve_source("source", str(path))
    finally:
        path.unlink()
    assert (source.kind, source.text, source.data, source.hashes.v1) == ("file", str(path), TORRENT, HASHES["v1"])


@SETTINGS
@given(
    st.one_of(
        st.text(max_size=80),
        st.tuples(st.sampled_from(["magnet:?", "MAGNET:?", " magnet:?", "magnet:?dn=x&"]), st.text(max_size=60)).map(
            "".join
        ),
        st.tuples(st.text(max_size=5), st.just(f"magnet:?xt=urn:btih:{V1}"), st.text(max_size=40)).map("".join),
    )
)
def test_any_text(text):
    """A Source or InvalidInput; a magnet Source is one URL for the server, with the hashes computed here."""
    tried()
    download = mock.Mock(side_effect=InvalidInput("source: no download in this test"))
    with mock.patch.object(A, "_download", download):
        try:
            source = A.resolve_source("source", text)
        except InvalidInput as exc:
            assert str(exc).startswith("source: ")
            return
    if source.kind == "magnet":
        urls = [url.strip() for url in source.text.split("\n") if url.strip()]
        assert urls == [source.text]
        assert source.text.startswith("magnet:?")
        assert from_magnet(source.text) == source.hashes
