# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qbt_category's share limits on qBittorrent 5.2.x, which no test server runs: a fake server built from
qBittorrent's source at release-5.2.0.

* src/base/bittorrent/categoryoptions.cpp, CategoryOptions::toJSON: torrents/categories reports ratio_limit,
  seeding_time_limit, inactive_seeding_time_limit and share_limit_action (no share_limits_mode);
* src/webui/api/torrentscontroller.cpp, TorrentsController::editCategoryAction: the edit starts from a default
  CategoryOptions (share limits -2, action Default) and reads savePath, downloadPathEnabled and downloadPath only,
  so every edit resets the category's share limits (qBittorrent issue 24787);
* src/webui/webapplication.h, API_VERSION: 2.15.1.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _client
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput, UnimplementedEndpoint
from ansible_collections.community.qbittorrent.plugins.modules import qbt_category
from ansible_collections.community.qbittorrent.tests.unit.plugins.module_utils.fake_server import form, install
from ansible_collections.community.qbittorrent.tests.unit.plugins.modules.test_version_gates import task_for

DEFAULTS = {"ratio_limit": -2, "seeding_time_limit": -2, "inactive_seeding_time_limit": -2}


def server_5_2(categories):
    """torrents/categories and editCategory as release-5.2.0 has them."""

    def edit(request):
        fields = form(request)
        name = fields["category"]
        if name not in categories:
            return (404, "Category does not exist")
        # editCategoryAction: a fresh CategoryOptions, so the limits go back to their defaults.
        categories[name] = {
            "name": name,
            "savePath": fields["savePath"],
            "download_path": None,
            **DEFAULTS,
            "share_limit_action": "Default",
        }
        return (200, "")

    return {
        ("POST", "auth/login"): (200, "Ok."),
        ("POST", "auth/logout"): (200, ""),
        ("GET", "app/webapiVersion"): (200, "2.15.1"),
        ("GET", "torrents/categories"): lambda request: (200, json.dumps(categories)),
        ("POST", "torrents/editCategory"): edit,
    }


def category(name, **limits):
    entry = {"name": name, "savePath": "/old", "download_path": None, **DEFAULTS, "share_limit_action": "Default"}
    entry.update(limits)
    return entry


def posts(adapter):
    return [r for r, _kwargs in adapter.requests if r.method == "POST" and "auth/" not in r.url]


@pytest.mark.parametrize("check_mode", [False, True])
def test_5_2_refuses_an_edit_that_would_reset_share_limits(monkeypatch, check_mode):
    categories = {"movies": category("movies", ratio_limit=2.0, share_limit_action="Stop")}
    adapter = install(monkeypatch, _client, server_5_2(categories))
    task = task_for(qbt_category, check_mode=check_mode, name="movies", save_path="/new")
    with pytest.raises(InvalidInput) as raised:
        qbt_category.run(task)
    message = str(raised.value)
    assert "would reset its share limits" in message
    assert "'ratio_limit': 2.0" in message and "'share_limit_action': 'Stop'" in message
    assert "24787" in message and "Upgrade qBittorrent to 5.3.0" in message
    assert "set the limits again in the WebUI after the edit" in message
    assert posts(adapter) == []
    assert categories["movies"]["ratio_limit"] == 2.0


def test_5_2_edits_a_category_whose_limits_are_the_defaults(monkeypatch):
    categories = {"movies": category("movies"), "tv": category("tv", seeding_time_limit=60)}
    adapter = install(monkeypatch, _client, server_5_2(categories))
    result = qbt_category.run(task_for(qbt_category, name="movies", save_path="/new"))
    assert result["changed"] is True
    sent = [form(r) for r in posts(adapter)]
    assert sent == [{"category": "movies", "savePath": "/new", "downloadPathEnabled": ""}]


def test_5_2_leaves_alone_categories_it_does_not_edit(monkeypatch):
    # A purge removes, and an unchanged category is not edited: neither resets anyone's limits.
    categories = {"movies": category("movies", ratio_limit=3.0, savePath="/new")}
    adapter = install(monkeypatch, _client, server_5_2(categories))
    result = qbt_category.run(task_for(qbt_category, name="movies", save_path="/new"))
    assert result["changed"] is False
    assert posts(adapter) == []


def test_share_limits_on_5_2_name_the_release(monkeypatch):
    adapter = install(monkeypatch, _client, server_5_2({}))
    task = task_for(qbt_category, name="movies", ratio_limit=2)
    task.client.fail_on_unimplemented_endpoint = True
    with pytest.raises(UnimplementedEndpoint, match="ratio_limit of a category needs qBittorrent 5.3.0 or later"):
        qbt_category.run(task)
    assert posts(adapter) == []
