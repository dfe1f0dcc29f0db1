# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""declared_items: one item in top-level options or a list of them, as qbt_category, qbt_rss_feed and qbt_rss_rule
take them."""

from __future__ import annotations

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput
from ansible_collections.community.qbittorrent.plugins.module_utils._validate import category_name, declared_items

OPTIONS = {"save_path": {"type": "str"}, "state": {"type": "str", "default": "present"}}


def params(**values):
    return {"name": None, "save_path": None, "state": "present", "categories": None, "purge": False, **values}


def item(name, **values):
    return {"name": name, "save_path": None, "state": "present", **values}


def declare(given, single=None):
    return declared_items(given, "categories", "name", OPTIONS, category_name, single)


def test_top_level_options_are_one_item_named_as_they_are():
    [(declared, option)] = declare(params(name="movies", save_path="/m"))
    assert declared["save_path"] == "/m" and option("save_path") == "save_path"


def test_list_items_are_named_by_their_key():
    items = declare(params(categories=[item("movies"), item("tv", state="absent")]))
    assert [declared["name"] for declared, _option in items] == ["movies", "tv"]
    assert items[1][1]("state") == "categories[tv].state"


def test_single_replaces_the_top_level_item():
    given = params(name="x")
    single = ({"name": "y"}, lambda field: f"top.{field}")
    [(declared, option)] = declare(given, single)
    assert declared == {"name": "y"} and option("name") == "top.name"


@pytest.mark.parametrize(
    "given, message",
    [
        (params(name="x", purge=True), "purge: only works with categories"),
        (params(save_path="/s", categories=[item("a")]), "save_path: with categories, give these options inside"),
        (params(state="absent", categories=[item("a")]), "state: with categories, give these options inside"),
        (params(categories=[item("a"), item("a")]), "categories: 'a' is declared more than once"),
        (params(categories=[item("")]), "categories[0].name"),
    ],
)
def test_mistakes_name_the_option(given, message):
    with pytest.raises(InvalidInput, match=message.replace("[", r"\[").replace("]", r"\]")):
        declare(given)
