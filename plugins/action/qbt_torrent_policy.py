# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the module qbt_torrent_policy in-process on the controller when that is equivalent (plugin_utils/_action.py)."""

from __future__ import annotations

from ansible_collections.community.qbittorrent.plugins.plugin_utils._action import ModuleAction


class ActionModule(ModuleAction):
    pass
