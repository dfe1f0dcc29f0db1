# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Torrent policies (qbt_torrent_policy): the declared policies checked, which policy applies to which torrent,
what changes, the writes grouped by setter and value (_torrents.Writes), the max_changes guard before any write,
and the read-back that proves the server kept every change.

Facts: the setters and their grouping are _torrents' (one request per setter and value for all hashes);
torrents/editTracker keeps the tracker's tier and takes one hash on every version (editTrackerAction), as do
addTrackers/removeTrackers before 5.2 (_trackers). State changes show after 1-1.5 s (docs/dev/webapi-facts.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import _categories
from . import _torrents as T
from ._diff import differences
from ._errors import InvalidInput, QbtError
from ._fields import Problems, normalize_tags, tags
from ._policy_match import GATES, MATCH_OPTIONS, Match, regex
from ._policy_read import EVERYTHING
from ._torrent_fields import SHARE_LIMIT_ACTIONS, category_or_none, parameters
from ._torrent_writes import Writes
from ._trackers import Replacement, TrackerEdits, read_in_tier_order, tracker_urls
from ._versions import gap

SETTLE_TIMEOUT = 30.0
_LIMITS = parameters()
# set option -> (its check, the endpoint or FEATURES name it needs, what it is in a person's words)
SET_FIELDS = {
    "category": (category_or_none, None, "category"),
    "ratio_limit": (_LIMITS["ratio_limit"].check, "torrents/setShareLimits", "ratio_limit"),
    "seeding_time_limit": (_LIMITS["seeding_time_limit"].check, "torrents/setShareLimits", "seeding_time_limit"),
    "inactive_seeding_time_limit": (
        _LIMITS["inactive_seeding_time_limit"].check,
        "torrent_inactive_seeding_time_limit",
        "inactive_seeding_time_limit of a torrent",
    ),
    "share_limit_action": (None, "torrent_share_limit_action", "share_limit_action of a torrent"),
    "upload_limit": (_LIMITS["upload_limit"].check, None, "upload_limit"),
    "download_limit": (_LIMITS["download_limit"].check, None, "download_limit"),
    "auto_tmm": (None, None, "auto_tmm"),
}
SET_OPTIONS = {
    "add_tags": {"type": "list", "elements": "str"},
    "remove_tags": {"type": "list", "elements": "str"},
    "category": {"type": "str"},
    "ratio_limit": {"type": "float"},
    "seeding_time_limit": {"type": "int"},
    "inactive_seeding_time_limit": {"type": "int"},
    "share_limit_action": {"type": "str", "choices": SHARE_LIMIT_ACTIONS},
    "upload_limit": {"type": "int"},
    "download_limit": {"type": "int"},
    "auto_tmm": {"type": "bool"},
    "state": {"type": "str", "choices": ["started", "stopped", "absent"]},
    "delete_files": {"type": "bool", "default": False},
}
TRACKER_OPTIONS = {
    "replace": {
        "type": "list",
        "elements": "dict",
        "options": {"regex": {"type": "str", "required": True}, "replacement": {"type": "str", "required": True}},
    },
    "remove": {"type": "list", "elements": "str"},
    "add": {"type": "list", "elements": "str"},
}
POLICY_OPTIONS = {
    "name": {"type": "str", "required": True},
    "match": {"type": "dict", "options": MATCH_OPTIONS},
    "set": {"type": "dict", "options": SET_OPTIONS},
    "trackers": {"type": "dict", "options": TRACKER_OPTIONS},
}
ARGUMENT_SPEC = {
    "policies": {"type": "list", "elements": "dict", "required": True, "options": POLICY_OPTIONS},
    "mode": {"type": "str", "choices": ["first_match", "all"], "default": "first_match"},
    "max_changes": {"type": "int", "default": 100},
    "reveal_tracker_secrets": {"type": "bool", "default": False},
}
NORMALIZERS = {
    "ratio_limit": _LIMITS["ratio_limit"].normalize,
    "category": lambda value: value or "",
    # qBittorrent reports an unlimited torrent speed as 0 (and takes -1 or 0 for it)
    "upload_limit": lambda value: 0 if value in (-1, None) else value,
    "download_limit": lambda value: 0 if value in (-1, None) else value,
}


class Policy:
    """One declared policy: its name, match, the values it sets and its tracker edits, all checked."""

    def __init__(self, index: int, params: Mapping[str, Any], problems: Problems) -> None:
        self.index = index
        self.name = params["name"]
        self.option = f"policies[{index}]"
        self.match = Match(f"{self.option}.match", params.get("match"), problems)
        given = {key: value for key, value in (params.get("set") or {}).items() if value not in (None, False)}
        trackers = {key: value for key, value in (params.get("trackers") or {}).items() if value}
        if not given and not trackers:
            problems.add(f"{self.option}: the policy sets nothing; give set or trackers")
        self.values = {}
        for key, (check, _needs, _label) in SET_FIELDS.items():
            if key in given:
                value = given[key]
                self.values[key] = problems.check(check, f"{self.option}.set.{key}", value) if check else value
        self.add_tags = problems.check(tags, f"{self.option}.set.add_tags", given.get("add_tags")) or []
        self.remove_tags = problems.check(tags, f"{self.option}.set.remove_tags", given.get("remove_tags")) or []
        both = sorted(set(self.add_tags) & set(self.remove_tags))
        if both:
            problems.add(f"{self.option}.set: add_tags and remove_tags both name {', '.join(both)}; keep one")
        self.state = given.get("state")
        self.delete_files = bool(given.get("delete_files"))
        if self.state == "absent" and (set(given) - {"state", "delete_files"} or trackers):
            other = sorted(set(given) - {"state", "delete_files"}) + sorted(f"trackers.{key}" for key in trackers)
            problems.add(f"{self.option}.set.state: absent removes the torrents, so {', '.join(other)} cannot be set")
        if self.delete_files and self.state != "absent":
            problems.add(f"{self.option}.set.delete_files: only applies with state: absent")
        self.replace = []
        for number, rule in enumerate(trackers.get("replace") or []):
            pattern = problems.check(regex, f"{self.option}.trackers.replace[{number}].regex", rule["regex"])
            if pattern is not None:
                self.replace.append(Replacement(number, pattern, rule["replacement"]))
        self.remove = [
            problems.check(regex, f"{self.option}.trackers.remove[{number}]", text)
            for number, text in enumerate(trackers.get("remove") or [])
        ]
        self.add = problems.check(tracker_urls, f"{self.option}.trackers.add", trackers.get("add") or []) or []
        for url in self.add:
            if any(pattern and pattern.search(url) for pattern in self.remove):
                problems.add(f"{self.option}.trackers: {url!r} is in add and matched by remove; keep one")
        self.needs_trackers = self.match.needs_trackers or bool(trackers)
        self.gates = self._gates(given, trackers)

    def _gates(self, given, trackers) -> list[tuple[str, str, str]]:
        """(endpoint or feature, option, label) of what this policy uses that some versions lack."""
        gates = [(SET_FIELDS[key][1], f"{self.option}.set.{key}", SET_FIELDS[key][2]) for key in self.values]
        if self.add_tags or self.remove_tags:
            gates.append(("torrents/addTags", f"{self.option}.set", "tags of a torrent"))
        if trackers.get("replace"):
            gates.append(("torrents/editTracker", f"{self.option}.trackers.replace", "replacing tracker URLs"))
        if trackers.get("remove"):
            gates.append(("torrents/removeTrackers", f"{self.option}.trackers.remove", "removing tracker URLs"))
        return [gate for gate in gates if gate[0]]


def declared(params: Mapping[str, Any], client) -> list[Policy]:
    """Every policy checked, with every problem of every policy in one message, before any request but the
    version read that the version gates need."""
    problems = Problems()
    if params["max_changes"] < 1:
        problems.add(f"max_changes: {params['max_changes']} allows no change; give 1 or more")
    policies = [Policy(index, item, problems) for index, item in enumerate(params["policies"])]
    if not policies:
        problems.add("policies: give at least one policy")
    seen: dict[str, int] = {}
    for policy in policies:
        other = seen.setdefault(policy.name, policy.index)
        if other != policy.index:
            problems.add(f"policies[{policy.index}].name: {policy.name!r} is the name of policies[{other}] too")
    problems.raise_any()
    for policy in policies:
        for name, option, label in policy.gates:
            missing = gap(name, client.webapi_version, label)
            if missing:
                problems.add(f"{option}: {missing}")
        for criterion, (feature, label) in GATES.items():
            missing = gap(feature, client.webapi_version, label) if criterion in policy.match.given else None
            if missing:
                problems.add(f"{policy.match.option}.{criterion}: {missing}")
    problems.raise_any()
    return policies


class TorrentPlan:
    """What one torrent gets: the policies that matched it, {field: (before, after)}, its tracker edits, removal."""

    def __init__(self, entry: Mapping[str, Any], stopped: set[str]) -> None:
        self.hash = entry["hash"]
        self.name = entry.get("name", "")
        self.entry, self.stopped = entry, stopped
        self._view: dict[str, Any] | None = None
        self.policies: list[str] = []
        self.changes: dict[str, tuple[Any, Any]] = {}
        self.sources: dict[str, list[str]] = {}  # field -> the policies that set it
        self.edits: list[tuple[str, str]] = []
        self.remove_urls: list[str] = []
        self.add_urls: list[str] = []
        self.removal: bool | None = None  # delete_files when the torrent is removed

    @property
    def view(self) -> dict[str, Any]:
        """The torrent as qbt_torrent shows it, built only for a torrent whose values a policy compares or writes."""
        if self._view is None:
            self._view = view_of(self.entry, self.stopped)
        return self._view

    @property
    def changing(self) -> bool:
        return bool(self.changes or self.removal is not None)

    def changed_by(self) -> list[str]:
        if self.removal is not None:
            return self.sources.get("state", [])[-1:]
        return list(dict.fromkeys(name for key in self.changes for name in self.sources.get(key, [])))


def view_of(entry: Mapping[str, Any], stopped: set[str]) -> dict[str, Any]:
    """A torrents/info entry as qbt_torrent shows it, its state started or stopped (STOPPED: the ids of the
    torrents in a state that hides it which the server has stopped)."""
    view = T.view(entry)
    view["state"] = T.run_state(view["state"], stopped, entry["hash"])
    return view


def matching(policies: list[Policy], entry: Mapping[str, Any], mode: str) -> list[Policy]:
    if mode == "first_match":
        return next(([policy] for policy in policies if policy.match.test(entry, EVERYTHING)), [])
    return [policy for policy in policies if policy.match.test(entry, EVERYTHING)]


def plan(client, policies: list[Policy], mode: str, entries: list[dict[str, Any]]) -> list[TorrentPlan]:
    """Which policies apply to which torrent and what changes, for every torrent that at least one matches.

    With mode all, the policies apply in order: a later policy's value of a field wins, tags are added and removed
    in order, tracker edits apply to the list the earlier ones left, and state: absent ends the torrent's list.
    """
    matched = [(entry, found) for entry in entries for found in [matching(policies, entry, mode)] if found]
    unclear = [
        entry["hash"]
        for entry, found in matched
        if any(policy.state in ("started", "stopped") for policy in found)
        and T.torrent_state(entry.get("state", "")) in T.UNCLEAR_STATES
    ]
    stopped = T.stopped_ids(client, unclear)
    plans = []
    for entry, found in matched:
        torrent = TorrentPlan(entry, stopped)
        apply_policies(torrent, found, entry)
        if "trackers" in torrent.changes and read_in_tier_order(client, entry):
            torrent = TorrentPlan(entry, stopped)
            apply_policies(torrent, found, entry)
        plans.append(torrent)
    check_categories(client, plans, entries, policies)
    return plans


def apply_policies(torrent: TorrentPlan, found: list[Policy], entry: Mapping[str, Any]) -> None:
    after: dict[str, Any] = {}
    current_tags = T.entry_tags(entry)
    tags_now = list(current_tags)
    trackers = TrackerEdits(entry.get("tracker_entries"))
    for policy in found:
        torrent.policies.append(policy.name)
        if policy.state == "absent":
            torrent.removal = policy.delete_files
            torrent.sources["state"] = [policy.name]
            return
        for key, value in policy.values.items():
            after[key] = value
            torrent.sources[key] = [policy.name]  # the later value wins, and with it its policy
        if policy.add_tags or policy.remove_tags:
            tags_now = [tag for tag in tags_now if tag not in policy.remove_tags]
            tags_now += [tag for tag in policy.add_tags if tag not in tags_now]
            torrent.sources.setdefault("tags", []).append(policy.name)
        if policy.state:
            after["state"] = policy.state
            torrent.sources["state"] = [policy.name]
        if trackers.apply(policy.option, policy.replace, policy.remove, policy.add):
            torrent.sources.setdefault("trackers", []).append(policy.name)
    changes = differences(torrent.view, after, NORMALIZERS) if after else {}
    if sorted(tags_now) != sorted(current_tags):
        changes["tags"] = (current_tags, sorted(tags_now))
    torrent.edits, torrent.remove_urls, torrent.add_urls = trackers.operations()
    if torrent.edits or torrent.remove_urls or torrent.add_urls:
        changes["trackers"] = (trackers.before(), trackers.after())
    torrent.changes = changes


def check_categories(client, plans: list[TorrentPlan], entries: list[dict[str, Any]], policies: list[Policy]) -> None:
    """A category a policy sets must exist (setCategory answers 409 otherwise): refused before any write.

    A category that a torrent carries exists, so the categories are read only for one that none carries.
    """
    wanted = {t.changes["category"][1] for t in plans if "category" in t.changes and t.changes["category"][1]}
    unknown = wanted - {entry.get("category") for entry in entries}
    missing = sorted(unknown - set(_categories.read(client))) if unknown else []
    problems = Problems()
    for policy in policies:
        if policy.values.get("category") in missing:
            problems.add(
                f"{policy.option}.set.category: the category {policy.values['category']!r} does not exist; create "
                "it with qbt_category first"
            )
    problems.raise_any()


def guard(plans: list[TorrentPlan], max_changes: int) -> None:
    """Refuse, before any write, a run that would change more torrents than max_changes allows."""
    changing = [torrent for torrent in plans if torrent.changing]
    if len(changing) > max_changes:
        counts: dict[str, int] = {}
        for torrent in changing:
            for name in torrent.changed_by():
                counts[name] = counts.get(name, 0) + 1
        per_policy = ", ".join(f"{name!r}: {count}" for name, count in counts.items())
        raise InvalidInput(
            f"max_changes: {len(changing)} torrents would change ({per_policy}), more than max_changes "
            f"({max_changes}); nothing was written. Check the matches (run in check mode to see each torrent), or "
            f"raise max_changes to {len(changing)} or more"
        )


def apply(client, plans: list[TorrentPlan]) -> None:
    """The writes: one request per setter and value for every torrent that needs it, then the removals."""
    writes = Writes()
    removes: dict[bool, list[str]] = {}
    for torrent in plans:
        if torrent.removal is not None:
            removes.setdefault(torrent.removal, []).append(torrent.hash)
            continue
        simple = {key: pair for key, pair in torrent.changes.items() if key != "trackers"}
        writes.queue(simple, torrent.view, False, client)
        for pair in torrent.edits:
            writes.add("edit_tracker", pair, torrent.hash)
        if torrent.remove_urls:
            writes.add("remove_trackers", tuple(torrent.remove_urls), torrent.hash)
        if torrent.add_urls:
            writes.add("add_trackers", tuple(torrent.add_urls), torrent.hash)
    writes.apply(client)
    for delete_files, hashes in removes.items():
        T.delete_torrents(client, hashes, delete_files)


def verify(client, plans: list[TorrentPlan]) -> None:
    """Read the changed torrents back until every planned value shows (bounded); fail naming what did not."""
    changing = [torrent for torrent in plans if torrent.changing]
    if not changing:
        return
    hashes = [torrent.hash for torrent in changing]
    with_trackers = {torrent.hash for torrent in changing if "trackers" in torrent.changes}
    left: dict[str, str] = {}

    def read():
        ids = hashes if len(hashes) <= 100 else None
        entries = T.torrents_info(client, ids, (lambda e: e["hash"] in with_trackers) if with_trackers else None)
        return {entry["hash"]: entry for entry in entries}

    def kept(found):
        left.clear()
        unclear = [h for h, e in found.items() if T.torrent_state(e.get("state", "")) in T.UNCLEAR_STATES]
        stopped = T.stopped_ids(client, unclear) if unclear else set()
        for torrent in changing:
            problem = missing(torrent, found.get(torrent.hash), stopped)
            if problem:
                left[torrent.hash] = f"{torrent.name} ({torrent.hash}): {problem}"
        return not left

    T.poll(read, kept, SETTLE_TIMEOUT)
    if left:
        raise QbtError(
            f"qBittorrent did not keep what the policies set within {SETTLE_TIMEOUT:g} s: {'; '.join(left.values())}"[
                :2000
            ]
        )


def missing(torrent: TorrentPlan, entry: Mapping[str, Any] | None, stopped: set[str]) -> str:
    """What of the torrent's plan the server does not show ('' when all of it)."""
    if torrent.removal is not None:
        return "still there after removing it" if entry is not None else ""
    if entry is None:
        return "gone from the server"
    view = view_of(entry, stopped)
    problems = []
    for key, (_before, want) in torrent.changes.items():
        have = view.get(key)
        if key == "tags":
            same = sorted(normalize_tags(have) or []) == sorted(want)
        elif key == "trackers":
            same = sorted(have or []) == sorted(want)
        else:
            same = not differences(view, {key: want}, NORMALIZERS)
        if not same:
            problems.append(f"{key} is {have!r}, not {want!r}")
    return ", ".join(problems)
