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
        tags. O(tags=[]) with O(purge=true) deletes every tag.
    type: bool
    default: false
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

from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput, QbtError
from ansible_collections.community.qbittorrent.plugins.module_utils._module import run_module
from ansible_collections.community.qbittorrent.plugins.module_utils._validate import tag_name

ARGUMENT_SPEC = {
    "tags": {"type": "list", "elements": "str", "required": True},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "purge": {"type": "bool", "default": False},
}
MODULE_KWARGS = {}


def run(task):
    params = task.params
    if params["purge"] and params["state"] == "absent":
        raise InvalidInput("purge: purge keeps only the listed tags, so it needs state: present")
    declared = list(dict.fromkeys(tag_name(f"tags[{i}]", tag) for i, tag in enumerate(params["tags"])))
    client = task.client
    if not client.require("torrents/tags", setting="tags"):
        return {"changed": False, "tags": [], "created": [], "deleted": []}
    current = set(client.get_json("torrents/tags"))
    if params["state"] == "present":
        create = [tag for tag in declared if tag not in current]
        delete = sorted(current.difference(declared)) if params["purge"] else []
    else:
        create, delete = [], [tag for tag in declared if tag in current]
    after = sorted(current.union(create).difference(delete))
    result = {"changed": bool(create or delete), "tags": after, "created": create, "deleted": delete}
    if task.diff:
        result["diff"] = {"before": {"tags": sorted(current)}, "after": {"tags": after}}
    if task.check_mode or not result["changed"]:
        return result
    if create:
        client.post("torrents/createTags", {"tags": ",".join(create)})
    if delete:
        client.post("torrents/deleteTags", {"tags": ",".join(delete)})
    kept = sorted(client.get_json("torrents/tags"))
    missing = [tag for tag in create if tag not in kept] + [tag for tag in delete if tag in kept]
    if missing:
        raise QbtError(f"tags: qBittorrent did not apply the change to {', '.join(missing)}")
    result["tags"] = kept
    return result


def main():
    run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)


if __name__ == "__main__":
    main()
