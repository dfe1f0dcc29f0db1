# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The torrent parameters that qbt_torrent and qbt_rss_rule share, declared once: one set of fields with one set
of checks (their documentation is the doc fragment plugins/doc_fragments/_torrent_params.py).

Bounds: src/base/bittorrent/torrent.h (MAX_RATIO, MAX_SEEDING_TIME, MAX_INACTIVE_SEEDING_TIME); names of the
share limit actions and content layouts: src/base/bittorrent/sharelimitaction.h, torrentcontentlayout.h.
"""

from __future__ import annotations

from typing import Any

from . import _fields
from ._engine import Field

SHARE_LIMIT_ACTIONS = ["Default", "Stop", "Remove", "RemoveWithContent", "EnableSuperSeeding"]
CONTENT_LAYOUTS = ["Original", "Subfolder", "NoSubfolder"]


def category_or_none(option: str, value: Any) -> Any:
    """A category, or '' for none."""
    return value if value == "" else _fields.category_name(option, value)


PARAMETERS = {
    "save_path": Field({"type": "str"}, _fields.path, _fields.normalize_path),
    "download_path": Field({"type": "str"}, _fields.path, _fields.normalize_path),
    "category": Field({"type": "str"}, category_or_none),
    "tags": Field({"type": "list", "elements": "str"}, _fields.tags, _fields.normalize_tags),
    "upload_limit": Field({"type": "int"}, _fields.speed_limit),
    "download_limit": Field({"type": "int"}, _fields.speed_limit),
    "ratio_limit": Field({"type": "float"}, _fields.ratio_limit, _fields.normalize_ratio),
    "seeding_time_limit": Field({"type": "int"}, _fields.minutes_limit),
    "inactive_seeding_time_limit": Field({"type": "int"}, _fields.minutes_limit),
    "share_limit_action": Field({"type": "str", "choices": SHARE_LIMIT_ACTIONS}),
}


def parameters(needs: dict[str, tuple[str, str]] | None = None, **extra: Field) -> dict[str, Field]:
    """The shared fields, with the version each needs in the module at hand ({name: (gate, label)}) and the
    module's own fields of the same names (EXTRA) in place of the shared ones."""
    fields = {}
    for name, field in {**PARAMETERS, **extra}.items():
        gate, label = (needs or {}).get(name, (field.needs, field.label))
        fields[name] = Field(field.spec, field.check, field.normalize, gate, label)
    return fields
