#!/usr/bin/python
# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: qbt_transfer
short_description: Turn qBittorrent's alternative speed limits on or off
version_added: 0.2.0
description:
  - Makes the server use its alternative speed limits (the "turtle" mode of the WebUI), or its normal ones, as the
    task declares. One read; a write only when the mode differs; then the mode is read back until the server
    reports it (for a few seconds at most).
  - On qBittorrent 4.5.0 and later the mode is set directly. Older servers can only toggle it, which the task does
    only after reading that the mode differs.
  - The limits themselves (C(alt_dl_limit), C(alt_up_limit), and the normal C(dl_limit), C(up_limit)) are
    preferences, declared with M(community.qbittorrent.qbt_preferences).
author:
  - community.qbittorrent maintainers (@ansible-collections)
extends_documentation_fragment:
  - community.qbittorrent._connection
  - community.qbittorrent._attributes
  - community.qbittorrent._attributes.ACTIONGROUP
options:
  alternative_speed_limits:
    description:
      - V(true) makes the server use the alternative speed limits, V(false) the normal ones.
    type: bool
    required: true
notes:
  - When the bandwidth scheduler is on (the preference C(scheduler_enabled)), qBittorrent itself switches the mode
    when the scheduled window starts and ends, so a declared mode lasts until the next switch.
seealso:
  - module: community.qbittorrent.qbt_preferences
    description: Declares the speed limits, the alternative ones and the scheduler.
"""

EXAMPLES = r"""
- name: Slow every torrent down to the alternative limits
  community.qbittorrent.qbt_transfer:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    alternative_speed_limits: true

- name: Declare the alternative limits and use the normal ones for now
  module_defaults:
    group/community.qbittorrent.qbittorrent:
      url: "{{ qbt_url }}"
      api_key: "{{ qbt_api_key }}"
  block:
    - name: Set the alternative limits
      community.qbittorrent.qbt_preferences:
        preferences:
          alt_dl_limit: 1048576
          alt_up_limit: 262144
    - name: Use the normal limits
      community.qbittorrent.qbt_transfer:
        alternative_speed_limits: false
"""

RETURN = r"""
alternative_speed_limits:
  description: Whether the alternative speed limits are on after the task (as predicted, in check mode).
  returned: success
  type: bool
  sample: true
diff:
  description: The mode before and after.
  returned: in diff mode
  type: dict
  sample: {before: {alternative_speed_limits: false}, after: {alternative_speed_limits: true}}
"""

from ansible_collections.community.qbittorrent.plugins.module_utils._engine import run_resource, specs
from ansible_collections.community.qbittorrent.plugins.module_utils._module import run_module
from ansible_collections.community.qbittorrent.plugins.module_utils._transfer import Transfer

ARGUMENT_SPEC = specs(Transfer.fields)
MODULE_KWARGS = {}


def run(task):
    return run_resource(task, Transfer)


def main():
    run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)


if __name__ == "__main__":
    main()
