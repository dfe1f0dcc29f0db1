# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What qbt_torrent_policy reports: per torrent (name and hash) the policies that matched and what changes,
the torrents changed per policy, counts, and diff mode's before/after per torrent.

Tracker URLs in all of it are masked by the module (_fields.mask_tracker_secrets) unless the task reveals them.
"""

from __future__ import annotations

from typing import Any


def torrents(plans) -> list[dict[str, Any]]:
    """One entry per torrent that changes (or would in check mode)."""
    shown = []
    for torrent in plans:
        if not torrent.changing:
            continue
        entry: dict[str, Any] = {"hash": torrent.hash, "name": torrent.name, "policies": torrent.changed_by()}
        if torrent.removal is not None:
            entry.update(removed=True, delete_files=torrent.removal)
        else:
            entry["changes"] = {key: {"before": pair[0], "after": pair[1]} for key, pair in torrent.changes.items()}
        shown.append(entry)
    return shown


def policies(declared, plans) -> list[dict[str, Any]]:
    """Per policy in order: how many torrents it matched, and the hashes of those it changed."""
    result = []
    for policy in declared:
        matched = [torrent for torrent in plans if policy.name in torrent.policies]
        changed = [torrent.hash for torrent in matched if torrent.changing and policy.name in torrent.changed_by()]
        result.append({"name": policy.name, "matched": len(matched), "changed": len(changed), "torrents": changed})
    return result


def counts(entries, plans) -> dict[str, int]:
    changing = [torrent for torrent in plans if torrent.changing]
    return {
        "torrents": len(entries),
        "matched": len(plans),
        "changed": len(changing),
        "removed": sum(1 for torrent in changing if torrent.removal is not None),
    }


def diff(plans) -> dict[str, Any]:
    """Diff mode: per torrent hash, its name and policies with the fields before and after."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for torrent in plans:
        if not torrent.changing:
            continue
        label = {"name": torrent.name, "policies": torrent.changed_by()}
        if torrent.removal is not None:
            before[torrent.hash] = {**label, "state": "present"}
            after[torrent.hash] = {**label, "state": "absent", "delete_files": torrent.removal}
            continue
        before[torrent.hash] = {**label, **{key: pair[0] for key, pair in torrent.changes.items()}}
        after[torrent.hash] = {**label, **{key: pair[1] for key, pair in torrent.changes.items()}}
    return {"before": before, "after": after}


def result(declared, entries, plans, changed: bool, with_diff: bool) -> dict[str, Any]:
    outcome = {
        "changed": changed,
        "torrents": torrents(plans),
        "policies": policies(declared, plans),
        "counts": counts(entries, plans),
    }
    if with_diff:
        outcome["diff"] = diff(plans)
    return outcome
