# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _versions as v


@pytest.mark.parametrize(
    "app, supported",
    [
        ("v4.1.0", True),
        ("v4.5.2", True),
        ("4.6.7", True),
        ("v5.1.9", True),  # a bug-fix release nobody listed yet
        ("v5.3.0alpha1", True),
        ("v5.3.2", True),
        ("v4.0.4", False),
        ("v5.4.0", False),
        ("nonsense", False),
    ],
)
def test_app_support_is_a_range(app, supported):
    assert v.is_app_version_supported(app) is supported


@pytest.mark.parametrize(
    "api, supported", [("2.0", True), ("2.8.19", True), ("2.16.1", True), ("1.9", False), ("2.17", False)]
)
def test_webapi_support_is_a_range(api, supported):
    assert v.is_webapi_version_supported(api) is supported


def test_table_is_ordered_by_release_and_webapi():
    releases = list(v.RELEASE_TO_WEBAPI)
    assert releases == sorted(releases, key=v.parse_version)
    apis = [v.parse_version(api) for api in v.RELEASE_TO_WEBAPI.values()]
    assert apis == sorted(apis)


def test_release_for_webapi_names_the_first_release():
    assert v.release_for_webapi("2.11.0") == "5.0.0"
    assert v.release_for_webapi("2.14.1") == "5.2.0"
    assert v.release_for_webapi("2.8.4") == "4.4.0"


def test_endpoint_gap_for_introduced_and_removed_endpoints():
    old, new = v.parse_version("2.8.19"), v.parse_version("2.11.4")
    assert v.gap("torrents/setTags", new) is None
    assert "needs qBittorrent 5.1.0" in v.gap("torrents/setTags", old)
    assert v.gap("torrents/pause", old) is None
    assert "was removed in qBittorrent 5.0.0" in v.gap("torrents/pause", new)
    assert v.gap("torrents/info", old) is None


def test_features():
    assert v.has_feature("api_key", v.parse_version("2.15.1"))
    assert not v.has_feature("api_key", v.parse_version("2.11.4"))
    assert "5.2.0" in v.gap("api_key", v.parse_version("2.11.4"))


def test_rss_rule_content_layout_gate_matches_4_2_5():
    # observed on 4.2.5 (WebAPI 2.5.1): its rules have createSubfolder, no torrentContentLayout
    gap = v.gap("rss_rule_content_layout", v.parse_version("2.5.1"), "content_layout in RSS rules")
    assert gap == (
        "content_layout in RSS rules needs qBittorrent 4.3.2 or later (WebAPI 2.7); this server has WebAPI 2.5.1"
    )
    assert v.gap("rss_rule_content_layout", v.parse_version("2.8.19")) is None
