# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The field kinds every module uses: names, paths, URLs, tags, numbers."""

from __future__ import annotations

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _fields
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput


@pytest.mark.parametrize(
    "given, kept",
    [
        ("/srv/a/../b", "/srv/b"),
        ("/srv//a/./b/", "/srv/a/b"),
        ("/", "/"),
        ("/../x", "/x"),
        ("C:\\dl\\", "C:\\dl\\"),
        ("", ""),
        (None, None),
    ],
)
def test_paths_are_sent_as_qbittorrent_keeps_them(given, kept):
    assert _fields.path("save_path", given) == kept


@pytest.mark.parametrize("given", ["relative", "./x", "~/x", "/a\nb", 5])
def test_paths_that_are_not_absolute_or_carry_control_characters_are_refused(given):
    with pytest.raises(InvalidInput, match="save_path"):
        _fields.path("save_path", given)


def test_normalised_paths_compare_equal_whatever_the_separator():
    assert _fields.normalize_path("C:\\dl\\") == _fields.normalize_path("C:/dl")
    assert _fields.normalize_path("/data/") == "/data"


@pytest.mark.parametrize(
    "name, problem",
    [
        ("", "cannot be empty"),
        ("a\\b", "backslash"),
        ("/a", "starts or ends with '/'"),
        ("a//b", "'//'"),
        ("a\nb", "control character \\n"),
        ("a\u2028b", "U+2028"),
    ],
)
def test_category_names(name, problem):
    with pytest.raises(InvalidInput, match=problem.replace("\\", "\\\\").replace("+", "\\+")):
        _fields.category_name("name", name)
    assert _fields.category_name("name", "movies/hd") == "movies/hd"


def test_tags_are_trimmed_unique_sorted_and_refused_with_commas_or_control_characters():
    assert _fields.tags("tags", [" b", "a", "b "]) == ["a", "b"]
    for bad in ["", "  ", "a,b", "a\tb"]:
        with pytest.raises(InvalidInput, match=r"tags\[0\]"):
            _fields.tags("tags", [bad])
    assert _fields.normalize_tags("b,a, a") == ["a", "b"]


def test_numbers_name_the_range_and_the_special_values():
    assert _fields.ratio_limit("ratio_limit", 2) == 2.0
    assert _fields.ratio_limit("ratio_limit", -2) == -2
    for bad in [-3, -1.5, 9999, 1e300, float("nan"), True]:
        with pytest.raises(InvalidInput, match="ratio_limit"):
            _fields.ratio_limit("ratio_limit", bad)
    with pytest.raises(InvalidInput, match=r"-2 \(the global limit\) or -1 \(no limit\) or 0 to 525600 minutes"):
        _fields.minutes_limit("seeding_time_limit", 525601)


def test_urls_need_a_scheme_and_one_line():
    assert _fields.url("feed_url", "https://x/rss") == "https://x/rss"
    for bad in ["x/rss", " https://x", "https://x/\nhttps://y"]:
        with pytest.raises(InvalidInput, match="feed_url"):
            _fields.url("feed_url", bad)


def test_problems_are_collected_into_one_message():
    problems = _fields.Problems()
    problems.check(_fields.path, "a", "rel")
    problems.check(_fields.tag, "b", "x,y")
    with pytest.raises(InvalidInput, match=r"^2 problems, nothing was sent: \(1\) a: .*; \(2\) b: "):
        problems.raise_any()


# ---------------------------------------------------------------------------------------- tracker secrets
@pytest.mark.parametrize(
    "url, shown",
    [
        # a 32-hex passkey in the path (the usual private-tracker form)
        (
            "https://tracker.example/0123456789abcdef0123456789abcdef/announce",
            "https://tracker.example/********/announce",
        ),
        # a passkey and an auth key as query values; short values stay
        (
            "http://127.0.0.1:6969/announce.php?passkey=9f86d081884c7d659a2feaa0c55ad015&uid=42",
            "http://127.0.0.1:6969/announce.php?passkey=********&uid=42",
        ),
        ("udp://user:s3cret@tracker.example:1337/announce", "udp://********@tracker.example:1337/announce"),
        ("https://t.example/announce?authkey=A1b2C3d4E5f6G7h8", "https://t.example/announce?authkey=********"),
        # 15 letters and digits, or other characters in the segment: not a passkey by the rule
        ("http://localhost:1/abcdefghijklmno/announce", "http://localhost:1/abcdefghijklmno/announce"),
        ("http://localhost:1/announce", "http://localhost:1/announce"),
    ],
)
def test_tracker_urls_are_masked_by_the_rule(url, shown):
    assert _fields.mask_tracker_url(url) == shown
    assert _fields.mask_tracker_secrets(url) == shown


def test_magnets_keep_their_info_hash_and_mask_their_trackers():
    magnet = (
        "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=debian"
        "&tr=https%3A%2F%2Ftracker.example%2F0123456789abcdef0123456789abcdef%2Fannounce"
    )
    masked = _fields.mask_tracker_secrets(magnet)
    assert "c12fe1c06bba254a9dc9f519b335aa7c1367a88a" in masked
    assert "0123456789abcdef" not in masked
    assert masked.endswith("&tr=https%3A%2F%2Ftracker.example%2F********%2Fannounce")


def test_urls_in_messages_and_nested_results_are_masked():
    key = "0123456789abcdef0123456789abcdef"
    message = f"qt: trackers is ['http://h.example/{key}/announce'], not ['udp://u:p@h.example/announce']"
    assert _fields.mask_tracker_secrets(message) == (
        "qt: trackers is ['http://h.example/********/announce'], not ['udp://********@h.example/announce']"
    )
    nested = {"torrents": [{"raw": {"tracker": f"http://h/{key}/a", "size": 3}}], "hash": key}
    assert _fields.mask_tracker_secrets(nested) == {
        "torrents": [{"raw": {"tracker": "http://h/********/a", "size": 3}}],
        "hash": key,  # not a URL: left alone
    }


def test_qbt_info_torrents_have_their_tracker_urls_masked():
    from ansible_collections.community.qbittorrent.plugins.module_utils._trackers import mask_torrent_urls

    key = "9f86d081884c7d659a2feaa0c55ad015"
    magnet = f"magnet:?xt=urn:btih:{'a' * 40}&tr=udp%3A%2F%2Fu%3Ap%40t.example%2Fa"
    views = [
        {"hash": "a" * 40, "name": key, "raw": {"tracker": f"https://t.example/{key}/announce", "magnet_uri": magnet}}
    ]
    masked = mask_torrent_urls(views)[0]
    assert masked["raw"]["tracker"] == "https://t.example/********/announce"
    assert masked["raw"]["magnet_uri"] == f"magnet:?xt=urn:btih:{'a' * 40}&tr=udp%3A%2F%2F********%40t.example%2Fa"
    assert masked["name"] == key  # not a URL field
