# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module logic against servers older than the real ones the tests run (4.1-4.3): a fake HTTP layer."""

from __future__ import annotations

import json

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _client
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import UnimplementedEndpoint
from ansible_collections.community.qbittorrent.plugins.modules import qbt_category, qbt_tag
from ansible_collections.community.qbittorrent.tests.unit.plugins.module_utils import fake_server
from ansible_collections.community.qbittorrent.tests.unit.plugins.module_utils.fake_server import form, install

BASE = fake_server.BASE


def old_server(webapi, tags=None):
    """Routes of a server that keeps categories like 4.1-4.3 did: name and savePath only."""
    categories = {}

    def create(request):
        fields = form(request)
        categories[fields["category"]] = {"name": fields["category"], "savePath": fields.get("savePath", "")}
        return (200, "")

    return {
        ("POST", "auth/login"): (200, "Ok."),
        ("POST", "auth/logout"): (200, ""),
        ("GET", "app/webapiVersion"): (200, webapi),
        ("GET", "torrents/categories"): lambda request: (200, json.dumps(categories)),
        ("GET", "torrents/tags"): (200, json.dumps(tags or [])),
        ("POST", "torrents/createCategory"): create,
    }


def task_for(module, check_mode=False, **params):
    # These tests set fail_on_unimplemented_endpoint on the client themselves; it starts false here.
    options = {"fail_on_unimplemented_endpoint": False}
    return fake_server.task_for(module, check_mode, client_options=options, **params)


def test_category_download_path_fails_on_4_3_naming_the_release(monkeypatch):
    adapter = install(monkeypatch, _client, old_server("2.8.2"))
    task = task_for(qbt_category, name="movies", save_path="/data/movies", download_path="/data/incomplete")
    task.client.fail_on_unimplemented_endpoint = True
    with pytest.raises(UnimplementedEndpoint, match="download_path of a category needs qBittorrent 4.4.0"):
        qbt_category.run(task)
    assert not [r for r, _kwargs in adapter.requests if r.method == "POST" and "auth" not in r.url]


def test_category_download_path_is_skipped_with_a_warning_when_allowed(monkeypatch):
    adapter = install(monkeypatch, _client, old_server("2.8.2"))
    task = task_for(qbt_category, name="movies", save_path="/data/movies", download_path="/data/incomplete")
    result = qbt_category.run(task)
    assert result["changed"] is True
    assert "needs qBittorrent 4.4.0" in task.client.warnings[0]
    created = [form(r) for r, _kwargs in adapter.requests if r.url.endswith("createCategory")]
    assert created == [{"category": "movies", "savePath": "/data/movies"}]


def test_category_without_download_settings_works_on_4_1_and_sends_no_download_fields(monkeypatch):
    adapter = install(monkeypatch, _client, old_server("2.2"))
    task = task_for(qbt_category, name="movies", save_path="/m")
    assert qbt_category.run(task)["changed"] is True
    created = [form(r) for r, _kwargs in adapter.requests if r.url.endswith("createCategory")]
    assert created == [{"category": "movies", "savePath": "/m"}]
    assert task.client.warnings == []


def test_tags_on_4_1_fail_or_warn(monkeypatch):
    install(monkeypatch, _client, old_server("2.2"))
    task = task_for(qbt_tag, tags=["hd"])
    task.client.fail_on_unimplemented_endpoint = True
    with pytest.raises(UnimplementedEndpoint, match="tags needs qBittorrent 4.2.0"):
        qbt_tag.run(task)
    task = task_for(qbt_tag, tags=["hd"])
    assert qbt_tag.run(task) == {"changed": False, "tags": [], "created": [], "deleted": []}
    assert "skipped because fail_on_unimplemented_endpoint is false" in task.client.warnings[0]


def test_check_mode_sends_no_write(monkeypatch):
    adapter = install(monkeypatch, _client, old_server("2.11.4", tags=["a"]))
    result = qbt_tag.run(task_for(qbt_tag, check_mode=True, tags=["b"], purge=True))
    assert result["changed"] and result["created"] == ["b"] and result["deleted"] == ["a"]
    assert [r.method for r, _kwargs in adapter.requests if "auth" not in r.url] == ["GET", "GET"]
