# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.community.qbittorrent.plugins.module_utils._diff import Diff, differences, masked_change
from ansible_collections.community.qbittorrent.plugins.module_utils._fields import normalize_path


def test_normalize_path():
    assert normalize_path("/data/") == "/data"
    assert normalize_path("/data") == "/data"
    assert normalize_path("/") == "/"
    assert normalize_path("C:\\dl\\") == "C:/dl"
    assert normalize_path("") == ""
    assert normalize_path(None) is None


def test_only_declared_keys_are_compared():
    current = {"a": 1, "b": "/x/", "c": 3}
    desired = {"a": 1, "b": "/x", "d": 4}
    assert differences(current, desired, {"b": normalize_path}) == {"d": (None, 4)}
    assert differences(current, {"c": None}) == {"c": (3, None)}


def test_diff_records_changes_creations_and_removals():
    diff = Diff()
    assert not diff
    diff.changed({"save_path": ("/a", "/b")}, item="movies")
    diff.created("tv", {"save_path": "/tv", "download_path": None})
    diff.removed("old", {"save_path": "/old"})
    assert diff.as_dict() == {
        "before": {
            "movies": {"save_path": "/a"},
            "tv": {"state": "absent"},
            "old": {"state": "present", "save_path": "/old"},
        },
        "after": {
            "movies": {"save_path": "/b"},
            "tv": {"state": "present", "save_path": "/tv"},
            "old": {"state": "absent"},
        },
    }


def test_plan_items_creates_changes_removes_and_purges():
    from ansible_collections.community.qbittorrent.plugins.module_utils._diff import plan_items

    current = {"a": {"save_path": "/a/"}, "b": {"save_path": "/b"}, "c": {"save_path": "/c"}, "p": {"save_path": ""}}
    desired = {"a": {"save_path": "/a"}, "b": {"save_path": "/bb"}, "n": {"save_path": "/n"}, "c": None}
    plan = plan_items(current, desired, normalizers={"save_path": normalize_path})
    assert plan.create == {"n": {"save_path": "/n"}}
    assert plan.update == {"b": {"save_path": ("/b", "/bb")}}
    assert plan.remove == ["c"]
    purged = plan_items(current, desired, purge=True, keep=lambda name: name == "p")
    assert purged.remove == ["c"]
    assert plan_items(current, desired, purge=True).remove == ["c", "p"]
    assert not plan_items(current, {"a": {"save_path": "/a"}}, normalizers={"save_path": normalize_path})


def test_masked_change_shows_a_change_never_a_value():
    assert masked_change("old-secret", "new-secret") == ("********", "******** (changed)")
    assert masked_change(None, "new-secret", before_known=False) == ("********", "******** (changed)")
    assert masked_change("", "new-secret") == ("", "********")  # set
    assert masked_change("old-secret", "") == ("********", "")  # cleared
    assert masked_change() == ("********", "******** (changed)")
