#!/usr/bin/python
# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: qbt_api_key
short_description: Create, rotate or delete the API key of a qBittorrent server
version_added: 0.1.0
description:
  - qBittorrent 5.2 and later have one API key, which a client sends in an C(Authorization) header instead of
    logging in. This module makes sure the server has a key and returns it, replaces it, or deletes it.
  - The returned key is a secret. Run the task with C(no_log=true) and keep the key in a vault; later tasks pass
    it as O(api_key) (or the environment variable E(QBITTORRENTAPI_API_KEY)) and never log in.
  - Against a server older than 5.2 the task fails, naming qBittorrent 5.2.
author:
  - community.qbittorrent maintainers (@ansible-collections)
extends_documentation_fragment:
  - community.qbittorrent._connection
  - community.qbittorrent._attributes
  - community.qbittorrent._attributes.ACTIONGROUP
attributes:
  idempotent:
    support: partial
    details: O(rotate=true) replaces the key on every run, as asked.
options:
  state:
    description:
      - V(present) makes sure the server has a key, creating one only when there is none, and returns it.
      - V(absent) deletes the key; clients that use it are refused from then on.
    type: str
    choices: [present, absent]
    default: present
  rotate:
    description:
      - With O(state=present), replace the key with a new one even if there is one. The old key stops working at
        once.
    type: bool
    default: false
notes:
  - To create the first key, log in with O(username) and O(password). Rotating with the key itself works too;
    the task then checks the new key before it returns.
  - In check mode a key that would be created or replaced is not known (only the server makes it), so RV(api_key) is
    then empty and RV(api_key_known) is V(false). Tasks that use the key should not run in check mode in that
    case; give them the condition C(not ansible_check_mode or qbt_key.api_key_known) (see the examples).
"""

EXAMPLES = r"""
- name: Make sure the server has an API key (log in with the password once)
  community.qbittorrent.qbt_api_key:
    url: https://qbt.example.org
    username: admin
    password: "{{ vault_qbt_password }}"
  register: qbt_key
  no_log: true

- name: Use the key for every later task
  module_defaults:
    group/community.qbittorrent.qbittorrent:
      url: https://qbt.example.org
      api_key: "{{ qbt_key.api_key }}"
  # In check mode a key the task above would create is not known yet (qbt_key.api_key is empty).
  when: not ansible_check_mode or qbt_key.api_key_known
  block:
    - name: Read the server
      community.qbittorrent.qbt_info:
        gather_subset: [version]

- name: Replace a leaked key
  community.qbittorrent.qbt_api_key:
    url: https://qbt.example.org
    username: admin
    password: "{{ vault_qbt_password }}"
    rotate: true
  register: qbt_key
  no_log: true

- name: Delete the key
  community.qbittorrent.qbt_api_key:
    url: https://qbt.example.org
    username: admin
    password: "{{ vault_qbt_password }}"
    state: absent
"""

RETURN = r"""
api_key:
  description:
    - The server's API key after the task; an empty string when the server has none (after O(state=absent)).
    - Empty in check mode when a key would be created or replaced (see RV(api_key_known)).
    - A secret, so run the task with C(no_log=true).
  returned: success
  type: str
  sample: qbt_AbCdEfGhIjKlMnOpQrStUvWxYz01
api_key_known:
  description:
    - Whether RV(api_key) is the key the server has after the task. V(false) only in check mode, when a key would
      be created or replaced, as the new key exists only once the task runs without check mode; later tasks that
      use it must be skipped in check mode (condition C(not ansible_check_mode or qbt_key.api_key_known)).
  returned: success
  type: bool
  sample: true
  version_added: 0.2.0
msg:
  description: In check mode when RV(api_key_known) is V(false), a sentence that says so.
  returned: in check mode, when a key would be created or replaced
  type: str
  sample: >-
    check mode: the API key would be created; the new key is not known until the task runs without check mode, so
    skip the tasks that use it in check mode (when: not ansible_check_mode or <registered>.api_key_known)
diff:
  description: Whether the server had a key before and after, and whether it was replaced; never the key itself.
  returned: in diff mode
  type: dict
  sample: {before: {api_key: absent}, after: {api_key: present}}
"""

from ansible_collections.community.qbittorrent.plugins.module_utils._api_key import ApiKey
from ansible_collections.community.qbittorrent.plugins.module_utils._engine import run_resource, specs
from ansible_collections.community.qbittorrent.plugins.module_utils._module import run_module

ARGUMENT_SPEC = specs(ApiKey.fields)
MODULE_KWARGS = {}


def run(task):
    return run_resource(task, ApiKey)


def main():
    run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)


if __name__ == "__main__":
    main()
