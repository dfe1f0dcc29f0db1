#!/usr/bin/python
# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: qbt_search_plugin
short_description: Declare the search plugins of a qBittorrent server
version_added: 0.2.0
description:
  - Installs, removes, enables and disables qBittorrent search plugins (nova3 search engines), one plugin or a
    whole set of them.
  - qBittorrent never reports where a plugin came from, so a plugin is identified by its name alone; its
    O(source) is used only to install it (or to install the declared O(version)).
  - Installing is asynchronous on the server; the task waits (up to 30 seconds) until the plugin is listed, and
    fails with the reason when it is not. The commonest reason is a server without Python, which qBittorrent
    needs to run search plugins; the message says so when qBittorrent's log does.
  - The module never asks qBittorrent to update its plugins from the internet.
author:
  - community.qbittorrent maintainers (@ansible-collections)
extends_documentation_fragment:
  - community.qbittorrent._connection
  - community.qbittorrent._attributes
  - community.qbittorrent._attributes.ACTIONGROUP
options:
  name:
    description:
      - The plugin, for a task about one plugin. Mutually exclusive with O(plugins).
      - qBittorrent names a plugin after its file (V(mysite) for C(mysite.py)), so only letters, digits and C(_).
    type: str
  source:
    description:
      - Where qBittorrent installs the plugin from when it is missing, or when its version is not O(version), either an
        V(http://) or V(https://) URL that the qBittorrent server downloads itself, or the absolute path of a
        file on the qBittorrent server.
      - The file name must be the plugin's name with C(.py).
      - Needed to install; not compared with anything, since the server does not report it.
    type: str
  version:
    description:
      - The plugin version, as in the C(#VERSION:) line of its file (V(1.2)). When the server reports another
        version, the plugin is installed again from O(source).
      - Not given means any installed version is accepted.
    type: str
  enabled:
    description:
      - Whether the plugin is used by searches. Not given means the current setting is kept (a new plugin is
        usually enabled).
    type: bool
  state:
    description: Whether the plugin is installed.
    type: str
    choices: [present, absent]
    default: present
  plugins:
    description:
      - A whole set of plugins in one task, each with the options above. Mutually exclusive with O(name).
      - Every name may appear once; the whole list is checked before anything is sent.
    type: list
    elements: dict
    suboptions:
      name:
        description: The plugin.
        type: str
        required: true
      source:
        description: As O(source).
        type: str
      version:
        description: As O(version).
        type: str
      enabled:
        description: As O(enabled).
        type: bool
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
        default: present
  purge:
    description:
      - With O(plugins), uninstall every plugin of the server that the list does not name.
      - A purge with a list that declares no plugin to keep is refused before anything is sent, unless
        O(allow_empty_purge=true).
    type: bool
    default: false
  allow_empty_purge:
    description:
      - Let O(purge) uninstall every plugin of the server when O(plugins) declares none to keep.
    type: bool
    default: false
notes:
  - qBittorrent runs search plugins with Python on the server (5.3 asks for Python 3.13 or later). Without it no
    plugin can be installed; point the C(python_executable_path) preference at a Python
    (M(community.qbittorrent.qbt_preferences), qBittorrent 5.0 and later) when it is not on the server's C(PATH).
  - qBittorrent refuses to install a version that is not newer than the installed one; to go back to an older
    O(version) the module uninstalls the plugin first.
seealso:
  - module: community.qbittorrent.qbt_preferences
"""

EXAMPLES = r"""
- name: Install a search plugin from a URL
  community.qbittorrent.qbt_search_plugin:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    name: mysite
    source: https://plugins.example.org/nova3/mysite.py

- name: Install a plugin from a file on the server, at a known version, disabled
  community.qbittorrent.qbt_search_plugin:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    name: intranet
    source: /srv/qbittorrent/plugins/intranet.py
    version: "1.2"
    enabled: false

- name: Have exactly these plugins, with the connection options set once for the collection
  module_defaults:
    group/community.qbittorrent.qbittorrent:
      url: "{{ qbt_url }}"
      api_key: "{{ qbt_api_key }}"
  block:
    - name: Declare every search plugin of the server
      community.qbittorrent.qbt_search_plugin:
        plugins:
          - name: intranet
            source: /srv/qbittorrent/plugins/intranet.py
          - name: mysite
            source: https://plugins.example.org/nova3/mysite.py
            enabled: true
        purge: true
"""

RETURN = r"""
plugins:
  description:
    - Every search plugin of the server after the task (as predicted, in check mode), by name, as the server
      reports them, with C(enabled), C(version), C(full_name), C(url) (the site it searches) and
      C(supported_categories).
  returned: success
  type: dict
  sample:
    mysite: {name: mysite, enabled: true, version: "1.2", full_name: My Site, url: https://mysite.example,
             supported_categories: [all, movies]}
diff:
  description: Before and after of what differs, per plugin; installed and removed plugins show C(state).
  returned: in diff mode
  type: dict
"""

from ansible_collections.community.qbittorrent.plugins.module_utils._engine import (
    item_module_kwargs,
    item_module_spec,
    run_resource,
)
from ansible_collections.community.qbittorrent.plugins.module_utils._module import run_module
from ansible_collections.community.qbittorrent.plugins.module_utils._search_plugins import SearchPlugins

ARGUMENT_SPEC = item_module_spec(SearchPlugins)
MODULE_KWARGS = item_module_kwargs(SearchPlugins)


def run(task):
    return run_resource(task, SearchPlugins)


def main():
    run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)


if __name__ == "__main__":
    main()
