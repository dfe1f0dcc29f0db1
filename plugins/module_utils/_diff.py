# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one desired-versus-current comparison of the collection, and the before/after of diff mode.

Only declared keys are compared: a key that is not in the desired mapping is not declared, while a key with the
value None is declared as "null" (a category following the global download path, say). Both sides pass through
the same normaliser first, so '/data/' and '/data' are the same path.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

Normalizers = Mapping[str, Callable[[Any], Any]]

# What diff mode shows in place of a secret (a password, a secret preference, a cookie's value).
MASK = "********"


def differences(current: Mapping[str, Any], desired: Mapping[str, Any], normalizers: Normalizers | None = None) -> dict:
    """The declared keys whose normalised values differ: {key: (current value, desired value)}."""
    normalizers = normalizers or {}
    changed = {}
    for key, wanted in desired.items():
        normalize = normalizers.get(key, _identity)
        have = current.get(key)
        if normalize(have) != normalize(wanted):
            changed[key] = (have, wanted)
    return changed


def after_values(changes: Mapping[str, tuple[Any, Any]]) -> dict[str, Any]:
    """The wanted values of a differences() result: {key: after}."""
    return {key: pair[1] for key, pair in changes.items()}


def _identity(value: Any) -> Any:
    return value


def mask_keys(values: Mapping[str, Any], keys: Collection[str]) -> tuple[dict[str, Any], set[str]]:
    """A copy of VALUES with every non-empty value of KEYS replaced by MASK, and the set of the values masked."""
    copy = dict(values)
    found = set()
    for key in set(keys).intersection(copy):
        if copy[key]:
            found.add(str(copy[key]))
            copy[key] = MASK
    return copy, found


def masked_change(before: Any = MASK, after: Any = MASK, before_known: bool = True) -> tuple[str, str]:
    """Before and after of a secret that changed, for diff mode, without either value.

    Both sides masked alike would show no difference, so the after side says that it changed:
    ("********", "******** (changed)"). An empty side (None or "") stays empty, so setting or clearing a secret
    shows as such. BEFORE_KNOWN is false when the old value cannot be read (a write-only password): the before
    side is then the mask whatever BEFORE is. Only the emptiness of BEFORE and AFTER is looked at.
    """
    empty = (None, "")
    shown_before = MASK if not before_known or before not in empty else ""
    if after in empty:
        return shown_before, ""
    return shown_before, MASK if shown_before == "" else f"{MASK} (changed)"


class Diff:
    """Before and after for diff mode, holding only what differs.

    For collections of named items (categories, torrents) each item is a key; created and removed items show
    their presence as state: absent / present.
    """

    def __init__(self) -> None:
        self.before: dict[str, Any] = {}
        self.after: dict[str, Any] = {}

    def __bool__(self) -> bool:
        return bool(self.before or self.after)

    def changed(self, changes: Mapping[str, tuple[Any, Any]], item: str | None = None) -> None:
        """Record {key: (before, after)} pairs, at the top level or under one item."""
        if not changes:
            return
        before = {key: pair[0] for key, pair in changes.items()}
        after = {key: pair[1] for key, pair in changes.items()}
        if item is None:
            self.before.update(before)
            self.after.update(after)
        else:
            self.before.setdefault(item, {}).update(before)
            self.after.setdefault(item, {}).update(after)

    def created(self, item: str, values: Mapping[str, Any] | None = None) -> None:
        self.before[item] = {"state": "absent"}
        self.after[item] = {"state": "present", **{k: v for k, v in (values or {}).items() if v is not None}}

    def removed(self, item: str, values: Mapping[str, Any] | None = None) -> None:
        self.before[item] = {"state": "present", **{k: v for k, v in (values or {}).items() if v is not None}}
        self.after[item] = {"state": "absent"}

    def as_dict(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after}


class Plan:
    """What a collection of named items (categories, rules, feeds) needs: items to create, change and remove."""

    def __init__(self) -> None:
        self.create: dict[str, dict[str, Any]] = {}
        self.update: dict[str, dict[str, tuple[Any, Any]]] = {}
        self.remove: list[str] = []
        self.diff = Diff()

    def __bool__(self) -> bool:
        return bool(self.create or self.update or self.remove)


def plan_items(
    current: Mapping[str, Mapping[str, Any]],
    desired: Mapping[str, Mapping[str, Any] | None],
    purge: bool = False,
    normalizers: Normalizers | None = None,
    keep: Callable[[str], bool] | None = None,
) -> Plan:
    """Compare declared items with the server's.

    desired maps a name to its declared values, or to None for an item declared absent. With purge, every
    current item that is not declared is removed too, unless keep(name) says it must stay.
    """
    plan = Plan()
    for name, values in desired.items():
        if values is None:
            if name in current:
                plan.remove.append(name)
                plan.diff.removed(name, current[name])
        elif name not in current:
            plan.create[name] = dict(values)
            plan.diff.created(name, values)
        else:
            changes = differences(current[name], values, normalizers)
            if changes:
                plan.update[name] = changes
                plan.diff.changed(changes, item=name)
    if purge:
        for name in current:
            if name not in desired and not (keep and keep(name)):
                plan.remove.append(name)
                plan.diff.removed(name, current[name])
    return plan
