# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests (hypothesis) of the field kinds that take names and paths: _fields.category_name,
_fields.tag, _fields.text, _fields.path and _rss_feeds.item_path.

* _fields.CONTROL is exactly Unicode's Cc, Zl and Zp (checked over every code point).
* A name or path holding any of those characters anywhere is refused with InvalidInput naming the option and the
  character: qBittorrent splits list fields (removeCategories, tags, urls) at line breaks, so 'a<newline>b' in a
  removal would name a and b.
* A character of every other general category (letters, marks, numbers, punctuation, symbols, spaces, format
  characters, private use, unassigned) is accepted inside a name or path, where the kind's own rules allow the
  rest (no backslash in a category, no comma in a tag, an absolute path, backslashes between RSS path parts),
  and comes back as given (a path as qBittorrent's QDir::cleanPath would store it).

Deterministic (derandomize) and without an example database, like test_properties.py.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest
import relkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.community.qbittorrent.plugins.module_utils import _fields
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput
from ansible_collections.community.qbittorrent.plugins.module_utils._rss_feeds import item_path

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
REFUSED_CATEGORIES = ("Cc", "Zl", "Zp")
CONTROLS = sorted(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in REFUSED_CATEGORIES)
# Every general category a declared string can hold, except the refused ones (Cs, lone surrogates, cannot come
# from YAML or JSON text).
ACCEPTED_CATEGORIES = (
    "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
    "Sm", "Sc", "Sk", "So", "Zs", "Cf", "Co", "Cn",
)  # fmt: skip
PRINTABLE = st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=20)


def _shown(char: str) -> str:
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", "\f": "\\f"}.get(char, f"U+{ord(char):04X}")


def _tag(option, value):
    return _fields.tag(option, value)


def _text(option, value):
    return _fields.text(option, value, "feed")


def _path(option, value):
    return _fields.path(option, "/" + value)


# kind -> (checker, how a generated middle part is made acceptable to the kind's own rules)
KINDS = {
    "category_name": (_fields.category_name, lambda s: s.replace("\\", "_").replace("/", "_")),
    "tag": (_tag, lambda s: s.replace(",", "_")),
    "text": (_text, lambda s: s),
    "path": (_path, lambda s: s.replace("/", "_")),
    "item_path": (item_path, lambda s: s.replace("\\", "_")),
}


def tried() -> None:
    relkit.TALLY.property_examples += 1


def test_control_is_exactly_cc_zl_zp():
    """Over every code point: the refused set is Unicode's Cc, Zl and Zp, nothing more, nothing less."""
    wrong = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if bool(_fields.CONTROL.match(chr(code))) != (unicodedata.category(chr(code)) in REFUSED_CATEGORIES)
    ]
    assert not wrong, wrong[:20]
    assert len(CONTROLS) == 67


@pytest.mark.parametrize("kind", sorted(KINDS))
@SETTINGS
@given(before=PRINTABLE, char=st.sampled_from(CONTROLS), after=PRINTABLE)
def test_control_inside_refused(kind, before, char, after):
    """A control character between two ordinary characters is refused, naming the option and the character."""
    tried()
    check, fit = KINDS[kind]
    value = "a" + fit(before) + char + fit(after) + "b"
    with pytest.raises(InvalidInput) as caught:
        check("opt[0]", value)
    message = str(caught.value)
    assert message.startswith("opt[0]:") and f"control character {_shown(char)}" in message, message


@pytest.mark.parametrize("kind", sorted(k for k in KINDS if k != "tag"))
@SETTINGS
@given(text=PRINTABLE, char=st.sampled_from(CONTROLS), at_end=st.booleans())
def test_control_at_either_end_refused(kind, text, char, at_end):
    """At the start or the end too (the value is refused, not trimmed into something else)."""
    tried()
    check, fit = KINDS[kind]
    middle = "a" + fit(text) + "b"
    value = middle + char if at_end else char + middle
    with pytest.raises(InvalidInput, match="control character"):
        check("opt", value)


@pytest.mark.parametrize("char", ["\n", "\r", "\t", "\x1f", "\x85"])
def test_tag_control_at_end_refused(char):
    with pytest.raises(InvalidInput, match="control character"):
        _fields.tag("tags[0]", "rel" + char)


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("category", ACCEPTED_CATEGORIES)
@settings(SETTINGS, max_examples=25)
@given(data=st.data())
def test_every_other_category_accepted(kind, category, data):
    """A character of any other general category, inside a name, is accepted and kept as given."""
    tried()
    check, fit = KINDS[kind]
    char = data.draw(st.characters(categories=(category,)))
    value = "a" + fit(char) + "b"
    result = check("opt", value)
    expected = "/" + value if kind == "path" else value
    if kind == "tag":
        expected = value.strip()
    assert result == expected


@pytest.mark.parametrize("kind", sorted(KINDS))
@SETTINGS
@given(text=PRINTABLE)
def test_printable_names_accepted(kind, text):
    """Any text without a refused character, fitted to the kind's own rules, is accepted."""
    tried()
    check, fit = KINDS[kind]
    value = "a" + fit(text) + "b"
    assert check("opt", value) in (value, "/" + value)


def test_paths_normalised_like_qbittorrent():
    """'..', '.', '//' and a trailing '/' go (QDir::cleanPath), so the value sent is the value the server keeps."""
    assert _fields.path("save_path", "/srv/a/../b//") == "/srv/b"
    assert _fields.path("save_path", "/srv/./a//b/") == "/srv/a/b"
    assert _fields.path("save_path", "/../srv") == "/srv"
