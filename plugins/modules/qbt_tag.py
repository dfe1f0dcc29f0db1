#!/usr/bin/python
# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: qbt_tag
short_description: Declare the tags of a qBittorrent server
version_added: 0.1.0
description:
  - Makes the server's tags include (or not include) the declared tags, or be exactly the declared set.
  - One read of the tags, then at most one call that creates tags and one that deletes them.
  - Tags need qBittorrent 4.2 or later.
author:
  - community.qbittorrent maintainers (@ansible-collections)
extends_documentation_fragment:
  - community.qbittorrent._connection
  - community.qbittorrent._attributes
  - community.qbittorrent._attributes.ACTIONGROUP
options:
  tags:
    description:
      - The tags. Leading and trailing spaces are removed, as qBittorrent does; a tag cannot be empty or contain
        a comma. A tag listed twice counts once.
    type: list
    elements: str
    required: true
  state:
    description:
      - V(present) creates the tags that are missing; V(absent) deletes the listed tags (and takes them off every
        torrent).
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), also delete every tag that O(tags) does not list, so the server has exactly these
        tags.
      - O(tags=[]) with O(purge=true) would delete every tag; it is refused before anything is written, unless
        O(allow_empty_purge=true), so that a list variable that templated to V([]) by mistake cannot wipe the tags.
    type: bool
    default: false
  allow_empty_purge:
    description:
      - Let O(purge) delete every tag of the server when O(tags) is empty.
    type: bool
    default: false
notes:
  - Tags with control characters (a newline, a tab) are refused, because qBittorrent would read them as list
    separators.
"""

EXAMPLES = r"""
- name: Make sure some tags exist
  community.qbittorrent.qbt_tag:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    tags: [hd, linux, seed-forever]

- name: Make the server have exactly these tags
  community.qbittorrent.qbt_tag:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    tags: [hd, linux]
    purge: true

- name: Delete tags, with the connection options set once for the collection
  module_defaults:
    group/community.qbittorrent.qbittorrent:
      url: "{{ qbt_url }}"
      api_key: "{{ qbt_api_key }}"
  block:
    - name: Delete the old tags
      community.qbittorrent.qbt_tag:
        tags: [old, obsolete]
        state: absent
"""

RETURN = r"""
tags:
  description: Every tag of the server after the task (as predicted, in check mode), sorted.
  returned: success
  type: list
  elements: str
  sample: [hd, linux]
created:
  description: The tags the task created (or would create, in check mode).
  returned: success
  type: list
  elements: str
  sample: [hd]
deleted:
  description: The tags the task deleted (or would delete, in check mode).
  returned: success
  type: list
  elements: str
  sample: [old]
diff:
  description: The sorted tag list before and after.
  returned: in diff mode
  type: dict
"""

from ansible_collections.community.qbittorrent.plugins.module_utils import _fields
from ansible_collections.community.qbittorrent.plugins.module_utils._engine import PURGE_OPTIONS, converge
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput
from ansible_collections.community.qbittorrent.plugins.module_utils._module import run_module
from ansible_collections.community.qbittorrent.plugins.module_utils._tags import Tags

ARGUMENT_SPEC = {
    "tags": {"type": "list", "elements": "str", "required": True},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    **PURGE_OPTIONS,
}
MODULE_KWARGS = {}


def run(task):
    params = task.params
    if params["purge"] and params["state"] == "absent":
        raise InvalidInput("purge: purge keeps only the listed tags, so it needs state: present")
    problems = _fields.Problems()
    names = [problems.check(_fields.tag, f"tags[{index}]", tag) for index, tag in enumerate(params["tags"])]
    problems.raise_any()
    values = {} if params["state"] == "present" else None
    return converge(Tags(task), dict.fromkeys(names, values))


def main():
    run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)


if __name__ == "__main__":
    main()
