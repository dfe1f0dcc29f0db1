# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection knows about qBittorrent's application preferences (app/preferences)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Preferences whose values are secrets. web_ui_password is write-only; the others are returned in clear text
# by app/preferences (shared/reference/qbittorrent-webapi.md section 3).
SECRET_KEYS = frozenset(
    {"web_ui_password", "web_ui_api_key", "proxy_password", "mail_notification_password", "dyndns_password"}
)
MASK = "********"


def masked(preferences: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """A copy with every non-empty secret replaced by a mask, and the set of secret values found."""
    copy = dict(preferences)
    found = set()
    for key in SECRET_KEYS.intersection(copy):
        value = copy[key]
        if value:
            found.add(str(value))
            copy[key] = MASK
    return copy, found
