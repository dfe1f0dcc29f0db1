#!/usr/bin/python
# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: qbt_category
short_description: Declare the categories of a qBittorrent server
version_added: 0.1.0
description:
  - Makes one category, or a whole set of categories, match what the task declares.
  - One task with many categories reads the categories once and writes only the categories that differ.
  - Subcategories such as V(movies/hd) work as qBittorrent defines them; creating one may create its parent.
author:
  - community.qbittorrent maintainers (@ansible-collections)
extends_documentation_fragment:
  - community.qbittorrent._connection
  - community.qbittorrent._attributes
  - community.qbittorrent._attributes.ACTIONGROUP
options:
  name:
    description:
      - The category, for a task about one category. Mutually exclusive with O(categories).
      - Not empty, no backslash, and C(/) only between the parts of a subcategory.
    type: str
  save_path:
    description:
      - The category's save path, an absolute path on the qBittorrent server. Trailing slashes do not matter.
      - Not given means the current save path is kept (or empty, the default save path, for a new category).
    type: str
  download_path:
    description:
      - Where incomplete torrents of this category are kept, an absolute path on the server. Giving it turns the
        category's download path on. Needs qBittorrent 4.4 or later.
    type: str
  download_path_enabled:
    description:
      - Not given (and no O(download_path)) means the category follows the global download path setting.
      - V(false) turns the download path off for this category.
      - V(true) needs O(download_path).
    type: bool
  state:
    description: Whether the category exists.
    type: str
    choices: [present, absent]
    default: present
  categories:
    description:
      - A whole set of categories in one task, each with the options above. Mutually exclusive with O(name).
      - Every name may appear once; the whole list is checked before anything is written.
    type: list
    elements: dict
    suboptions:
      name:
        description: The category.
        type: str
        required: true
      save_path:
        description: As O(save_path).
        type: str
      download_path:
        description: As O(download_path).
        type: str
      download_path_enabled:
        description: As O(download_path_enabled).
        type: bool
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
        default: present
  purge:
    description:
      - With O(categories), remove every category of the server that the list does not name.
      - The parents of declared subcategories are kept.
      - Removing a category takes it off its torrents (qBittorrent 5.2 and later move them to the parent category).
    type: bool
    default: false
notes:
  - Only the options a task gives are compared, except the download path, whose three states (global, off, a
    path) are always declared by O(download_path) and O(download_path_enabled).
"""

EXAMPLES = r"""
- name: Declare one category
  community.qbittorrent.qbt_category:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    name: movies
    save_path: /data/movies
    download_path: /data/incomplete/movies

- name: Declare every category of the server, removing the others
  community.qbittorrent.qbt_category:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    categories:
      - name: movies
        save_path: /data/movies
      - name: movies/hd
        save_path: /data/movies/hd
        download_path_enabled: false
      - name: tv
        save_path: /data/tv
    purge: true

- name: Remove a category, with the connection options set once for the collection
  module_defaults:
    group/community.qbittorrent.qbittorrent:
      url: "{{ qbt_url }}"
      api_key: "{{ qbt_api_key }}"
  block:
    - name: Remove the old category
      community.qbittorrent.qbt_category:
        name: old-stuff
        state: absent
"""

RETURN = r"""
categories:
  description:
    - Every category of the server after the task (as predicted, in check mode), by name.
    - C(download_path) is V(null) when the category follows the global setting, V(false) when it is off, and a
      path when it is on.
  returned: success
  type: dict
  sample: {movies: {name: movies, save_path: /data/movies, download_path: /data/incomplete/movies}}
diff:
  description: Before and after of what differs, per category; created and removed categories show C(state).
  returned: in diff mode
  type: dict
"""

from ansible_collections.community.qbittorrent.plugins.module_utils import _api
from ansible_collections.community.qbittorrent.plugins.module_utils._diff import (
    after_values,
    normalize_path,
    plan_items,
)
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput, QbtError
from ansible_collections.community.qbittorrent.plugins.module_utils._module import run_module
from ansible_collections.community.qbittorrent.plugins.module_utils._validate import (
    absolute_path,
    category_name,
    declared_items,
)
from ansible_collections.community.qbittorrent.plugins.module_utils._versions import has_feature

ITEM_OPTIONS = {
    "save_path": {"type": "str"},
    "download_path": {"type": "str"},
    "download_path_enabled": {"type": "bool"},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
}
ARGUMENT_SPEC = {
    "name": {"type": "str"},
    **ITEM_OPTIONS,
    "categories": {
        "type": "list",
        "elements": "dict",
        "options": {"name": {"type": "str", "required": True}, **ITEM_OPTIONS},
    },
    "purge": {"type": "bool", "default": False},
}
MODULE_KWARGS = {"mutually_exclusive": [["name", "categories"]], "required_one_of": [["name", "categories"]]}
NORMALIZERS = {"save_path": normalize_path, "download_path": normalize_path}


def desired_values(item, option, download_paths_known=True):
    """What the item declares, in the shape of _api.categories(); None for state=absent.

    option(field) names the option in messages: 'save_path', or 'categories[movies].save_path'.
    """
    name = category_name(option("name"), item["name"])
    if item["state"] == "absent":
        return name, None
    values = {}
    if item["save_path"] is not None:
        values["save_path"] = absolute_path(option("save_path"), item["save_path"])
    path = absolute_path(option("download_path"), item["download_path"])
    enabled = item["download_path_enabled"]
    if enabled is True and not path:
        raise InvalidInput(f"{option('download_path_enabled')}: it is true but no download_path is given")
    if enabled is False and path:
        raise InvalidInput(f"{option('download_path')}: it is given but download_path_enabled is false")
    # None = follow the global setting, False = off, a path = on (the server's own encoding).
    values["download_path"] = path if path else (False if enabled is False else None)
    if not download_paths_known:
        values.pop("download_path")
    return name, values


def write_fields(name, values, current):
    """createCategory/editCategory fields; editing replaces every option, so unchanged ones are sent too."""
    merged = dict(current or {}, **values)
    fields = {"category": name, "savePath": merged.get("save_path") or ""}
    if "download_path" not in merged:  # a server older than 4.4: no download paths at all
        return fields
    if merged["download_path"] is None:
        # An empty value means "follow the global setting" on every version; 5.3 keeps the current
        # setting when the field is missing, while older releases reset it (checked on 4.5.2, 5.1.0, 5.3.0).
        fields["downloadPathEnabled"] = ""
    else:
        fields["downloadPathEnabled"] = merged["download_path"] is not False
        if merged["download_path"]:
            fields["downloadPath"] = merged["download_path"]
    return fields


def run(task):
    client = task.client
    # Validate the whole list before the first request: a bad item leaves the server as it was.
    items = declared_items(task.params, "categories", "name", ITEM_OPTIONS, category_name)
    for item, option in items:
        desired_values(item, option)
    if any(item["download_path"] or item["download_path_enabled"] is not None for item, _option in items):
        download_paths_known = client.require("category_download_path", feature=True, setting="download_path")
    else:  # "follow the global setting" needs no gate, but older servers must not get download fields at all
        download_paths_known = has_feature("category_download_path", client.webapi_version)
    desired = dict(desired_values(item, option, download_paths_known) for item, option in items)

    current = _api.categories(client)
    if not download_paths_known:
        for entry in current.values():
            entry.pop("download_path", None)
    ancestors = {
        "/".join(name.split("/")[:i]) for name in desired if desired[name] for i in range(1, name.count("/") + 1)
    }
    plan = plan_items(current, desired, task.params["purge"], NORMALIZERS, keep=ancestors.__contains__)

    result = {"changed": bool(plan), "categories": predicted(current, plan)}
    if task.diff:
        result["diff"] = plan.diff.as_dict()
    if task.check_mode or not plan:
        return result
    for name, values in plan.create.items():
        client.post("torrents/createCategory", write_fields(name, values, None))
    for name, changes in plan.update.items():
        _api.edit_category(client, write_fields(name, after_values(changes), current[name]))
    if plan.remove:
        client.post("torrents/removeCategories", {"categories": "\n".join(plan.remove)})
    result["categories"] = verify(client, plan, desired)
    return result


def predicted(current, plan):
    state = {name: dict(entry) for name, entry in current.items() if name not in plan.remove}
    for name, values in plan.create.items():
        state[name] = {"name": name, "save_path": "", "download_path": None, **values}
    for name, changes in plan.update.items():
        state[name].update(after_values(changes))
    return state


def verify(client, plan, desired):
    """Read back once and fail if the server did not keep what was written."""
    after = _api.categories(client)
    for name in list(plan.create) + list(plan.update):
        if name not in after:
            raise QbtError(f"categories: qBittorrent did not keep the category {name!r}")
        kept = plan_items({name: after[name]}, {name: desired[name]}, normalizers=NORMALIZERS)
        if kept:
            raise QbtError(f"categories: qBittorrent did not keep {name!r} as declared: {kept.update[name]!r}")
    for name in plan.remove:
        if name in after:
            raise QbtError(f"categories: qBittorrent did not remove the category {name!r}")
    return after


def main():
    run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)


if __name__ == "__main__":
    main()
