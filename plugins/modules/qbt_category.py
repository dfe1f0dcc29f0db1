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
      - An empty string V('') makes the category follow the global download path setting.
      - Not given (and no O(download_path_enabled)) means the category's download path setting is kept as it is.
    type: str
  download_path_enabled:
    description:
      - V(false) turns the download path off for this category.
      - V(true) needs O(download_path).
      - Not given means the setting is kept (or, for a new category, follows the global setting).
    type: bool
  ratio_limit:
    description:
      - The share ratio limit of the category's torrents, from V(0) to V(9998); V(-2) follows the global limit,
        V(-1) means no limit. The same values as O(community.qbittorrent.qbt_torrent#module:ratio_limit).
      - Needs qBittorrent 5.3.0 or later. Not given means the category's limit is kept.
    type: float
  seeding_time_limit:
    description:
      - The seeding time limit of the category's torrents in minutes, from V(0) to V(525600); V(-2) follows the
        global limit, V(-1) means no limit. Needs qBittorrent 5.3.0 or later. Not given means it is kept.
    type: int
  inactive_seeding_time_limit:
    description:
      - The inactive seeding time limit of the category's torrents in minutes, from V(0) to V(525600); V(-2)
        follows the global limit, V(-1) means no limit. Needs qBittorrent 5.3.0 or later. Not given means it is
        kept.
    type: int
  share_limit_action:
    description:
      - What qBittorrent does with a torrent of this category when it reaches a share limit; V(Default) follows
        the global setting. Needs qBittorrent 5.3.0 or later.
      - Not given means the category's setting is kept.
    type: str
    choices: [Default, Stop, Remove, RemoveWithContent, EnableSuperSeeding]
  state:
    description: Whether the category exists.
    type: str
    choices: [present, absent]
    default: present
  categories:
    description:
      - A whole set of categories in one task, each with the options of the single form. Mutually exclusive with
        O(name).
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
      ratio_limit:
        description: As O(ratio_limit).
        type: float
      seeding_time_limit:
        description: As O(seeding_time_limit).
        type: int
      inactive_seeding_time_limit:
        description: As O(inactive_seeding_time_limit).
        type: int
      share_limit_action:
        description: As O(share_limit_action).
        type: str
        choices: [Default, Stop, Remove, RemoveWithContent, EnableSuperSeeding]
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
      - A purge with a list that declares no category to keep (an empty list, say from a variable that templated
        to V([])) is refused before anything is written, unless O(allow_empty_purge=true).
    type: bool
    default: false
  allow_empty_purge:
    description:
      - Let O(purge) remove every category of the server when O(categories) declares none to keep.
    type: bool
    default: false
notes:
  - Only the options a task gives are compared and written; an edit sends the server the current value of every
    other option, so nothing the task does not declare changes.
  - On qBittorrent 5.2 every edit of a category resets its share limits (qBittorrent issue 24787) and the server
    takes no limits to send back, so an edit of a category whose share limits are not the global ones is refused
    there before anything is sent. Upgrade to 5.3.0, or set the limits again in the WebUI after the edit.
  - Names with control characters (a newline, a tab) are refused, because qBittorrent would read them as list
    separators when the category is removed.
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

- name: Stop the torrents of a category at ratio 2 or after a week of seeding (qBittorrent 5.3 and later)
  community.qbittorrent.qbt_category:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    name: linux-isos
    save_path: /data/linux
    ratio_limit: 2
    seeding_time_limit: 10080
    share_limit_action: Stop

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
    - From qBittorrent 5.2 on, each category also has C(ratio_limit), C(seeding_time_limit),
      C(inactive_seeding_time_limit) and C(share_limit_action) (and C(share_limits_mode) from 5.3), as the server
      reports them.
  returned: success
  type: dict
  sample: {movies: {name: movies, save_path: /data/movies, download_path: /data/incomplete/movies}}
diff:
  description: Before and after of what differs, per category; created and removed categories show C(state).
  returned: in diff mode
  type: dict
"""

from ansible_collections.community.qbittorrent.plugins.module_utils._categories import Categories
from ansible_collections.community.qbittorrent.plugins.module_utils._engine import (
    item_module_kwargs,
    item_module_spec,
    run_resource,
)
from ansible_collections.community.qbittorrent.plugins.module_utils._module import run_module

ARGUMENT_SPEC = item_module_spec(Categories)
MODULE_KWARGS = item_module_kwargs(Categories)


def run(task):
    return run_resource(task, Categories)


def main():
    run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)


if __name__ == "__main__":
    main()
