# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Modules that change state: full check mode, diff mode and idempotency.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    support: full
    description: Computes C(changed) and the diff exactly as a real run would, and sends no write to the server.
  diff_mode:
    support: full
    description: Shows only what differs, before and after; secrets are masked.
  idempotent:
    support: full
    description: A second run with the same options reports no change and sends no write.
"""

    # Read-only modules.
    INFO_MODULE = r"""
attributes:
  check_mode:
    support: full
    description: Runs the same way in check mode.
    details: This module only reads.
  diff_mode:
    support: N/A
    description: Has nothing to show in diff mode.
    details: This module does not change anything.
  idempotent:
    support: full
    description: Never changes anything.
"""

    # Every module: its action group, and its action plugin (plugins/action, controller-side execution).
    ACTIONGROUP = r"""
attributes:
  action:
    description:
      - Has an action plugin of the same name, which runs the module's code on the controller when the task's
        connection is local, see
        R(Controller-side execution,ansible_collections.community.qbittorrent.docsite.controller_execution).
    support: full
  action_group:
    description: Use C(group/community.qbittorrent.qbittorrent) in C(module_defaults) to set the connection
      options once for every module of this collection.
    support: full
    membership:
      - community.qbittorrent.qbittorrent
"""
