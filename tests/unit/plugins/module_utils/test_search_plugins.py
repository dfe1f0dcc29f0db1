# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure rules of qbt_search_plugin: names, sources and versions as qBittorrent reads them."""

from __future__ import annotations

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _search_plugins as sp
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput


@pytest.mark.parametrize(
    ("value", "shown"),
    [("1.00", "1.0"), ("1", "1.0"), ("1.10", "1.10"), (" 2.05 ", "2.5"), ("1.0", "1.0"), (None, None), ("x", "x")],
)
def test_versions_compare_as_qbittorrent_shows_them(value, shown):
    # Utils::Version<2>: components are integers, so 1.10 is (1, 10) and newer than 1.9.
    assert sp.normalize_version(value) == shown


def test_version_order_for_the_downgrade_rule():
    assert sp._version_key("1.10") > sp._version_key("1.9") > sp._version_key("1.0")


@pytest.mark.parametrize(
    ("source", "stem"),
    [
        ("http://127.0.0.1:8/dir/mysite.py", "mysite"),
        ("https://host/mysite.py?raw=1#x", "mysite"),
        ("/srv/plugins/mysite.py", "mysite"),
        ("C:\\plugins\\mysite.py", "mysite"),
    ],
)
def test_a_plugin_is_named_after_its_file(source, stem):
    assert sp.file_stem(source) == stem


@pytest.mark.parametrize("name", ["bad-name", "1site", "a.b", "a|b", "two words", "line\nbreak"])
def test_names_that_cannot_be_python_modules_are_refused(name):
    with pytest.raises(InvalidInput, match="name"):
        sp.check_name("name", name)


@pytest.mark.parametrize(
    ("source", "match"),
    [
        ("ftp://127.0.0.1/x.py", "http:// or https:// only"),
        ("/a.py|/b.py", "contains '|'"),
        ("relative/x.py", "not an absolute path"),
        ("http://127.0.0.1/x\n.py", "control character"),
    ],
)
def test_bad_sources_are_refused(source, match):
    with pytest.raises(InvalidInput, match=match):
        sp.check_source("source", source)


def test_good_sources_pass():
    assert sp.check_source("source", "https://127.0.0.1/x.py") == "https://127.0.0.1/x.py"
    assert sp.check_source("source", "/srv//plugins/x.py") == "/srv/plugins/x.py"
