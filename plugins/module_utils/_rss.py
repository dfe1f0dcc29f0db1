# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RSS feeds, folders and auto-download rules: what qbt_rss_feed, qbt_rss_rule and qbt_info share.

Facts: docs/dev/rss-facts.md (qBittorrent's rsscontroller.cpp and src/base/rss/). The traps this file exists for:

* rss/items is a nested tree; modules work on a flat {path: item} view with '\\' between the parts.
* rss/setRule replaces the whole rule, the server-maintained lastMatch and previouslyMatchedEpisodes included,
  so every update is read-modify-write of the object rss/rules returned.
* 4.5 knows only the legacy torrent keys (assignedCategory, savePath, addPaused, torrentContentLayout); 4.6+
  reads torrentParams and ignores the legacy keys when torrentParams is present.
* The server rewrites paths (QDir::cleanPath) and sorts, trims and de-duplicates tags, so both sides are
  normalised the same way before they are compared.
* The server never rejects a bad rule (invalid JSON becomes a default rule, a string "false" becomes true), and
  releases up to 5.0 trim names, paths and URLs: everything is validated here, before the first request.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from ._client import Client
from ._errors import InvalidInput, QbtError
from ._validate import absolute_path, tag_name
from ._versions import has_feature

SEPARATOR = "\\"
# Item::isValidPath: no empty part, no leading or trailing separator ('/' is an ordinary character).
_VALID_PATH = re.compile(r"[^\\]+(\\[^\\]+)*", re.DOTALL)
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# PCRE's (?<name>...) is Python's (?P<name>...); lookbehinds (?<= and (?<! are left alone.
_PCRE_NAMED_GROUP = re.compile(r"\(\?<(?![=!])")

CONTENT_LAYOUTS = ["Default", "Original", "Subfolder", "NoSubfolder"]
SHARE_LIMIT_ACTIONS = ["Default", "Stop", "Remove", "RemoveWithContent", "EnableSuperSeeding"]

# Rule fields: Ansible name -> key of the rule object (the same on every version).
RULE_FIELDS = {
    "enabled": "enabled",
    "must_contain": "mustContain",
    "must_not_contain": "mustNotContain",
    "use_regex": "useRegex",
    "episode_filter": "episodeFilter",
    "smart_filter": "smartFilter",
    "affected_feeds": "affectedFeeds",
    "ignore_days": "ignoreDays",
}
# Torrent parameters of a rule: Ansible name -> legacy key (4.5 and older), None when 4.5 has no such field.
TORRENT_FIELDS = {
    "category": "assignedCategory",
    "save_path": "savePath",
    "stopped": "addPaused",
    "content_layout": "torrentContentLayout",
    "tags": None,
    "download_path": None,
    "upload_limit": None,
    "download_limit": None,
    "ratio_limit": None,
    "seeding_time_limit": None,
    "inactive_seeding_time_limit": None,
    "share_limit_action": None,
}
SERVER_OWNED = {"last_match": "lastMatch", "previously_matched_episodes": "previouslyMatchedEpisodes"}
LEGACY_KEYS = ("assignedCategory", "savePath", "addPaused", "torrentContentLayout", "createSubfolder")

# What the server fills in for a key a rule does not have (rss_autodownloadrule.cpp, addtorrentparams.cpp).
RULE_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "priority": 0,
    "must_contain": "",
    "must_not_contain": "",
    "use_regex": False,
    "episode_filter": "",
    "smart_filter": False,
    "affected_feeds": [],
    "ignore_days": 0,
    "category": "",
    "tags": [],
    "save_path": "",
    "download_path": "",
    "stopped": None,
    "content_layout": "Default",
    "upload_limit": -1,
    "download_limit": -1,
    "ratio_limit": -2.0,
    "seeding_time_limit": -2,
    "inactive_seeding_time_limit": -2,
    "share_limit_action": "Default",
    "last_match": "",
    "previously_matched_episodes": [],
}
# Options that need torrentParams (4.6+) or share limit actions (5.0+).
MODERN_ONLY = ("priority", "tags", "download_path", "upload_limit", "download_limit", "ratio_limit",
               "seeding_time_limit", "inactive_seeding_time_limit")  # fmt: skip
SHARE_LIMIT_ONLY = ("share_limit_action",)


# --------------------------------------------------------------------------------------------- validation
def item_path(option: str, value: Any) -> str:
    """A feed or folder path such as 'Series\\Anime' (qBittorrent's Item::isValidPath, plus no outer spaces)."""
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{option}: an RSS path cannot be empty (the root folder cannot be declared)")
    if not _VALID_PATH.fullmatch(value):
        raise InvalidInput(
            f"{option}: '{value}' is not a valid RSS path: parts are separated by one backslash, with no empty "
            "part and no backslash at the start or the end, as in Series\\Anime"
        )
    if value != value.strip():
        raise InvalidInput(
            f"{option}: '{value}' starts or ends with spaces, which qBittorrent 5.0 and older strip; remove them"
        )
    return value


def feed_url(option: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{option}: a feed URL cannot be empty")
    if value != value.strip():
        raise InvalidInput(f"{option}: '{value}' starts or ends with spaces, which qBittorrent 5.0 and older strip")
    return value


def rule_name(option: str, value: Any) -> str:
    """setRule accepts any string, '' included; refuse what would make a rule no task can address again."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{option}: a rule name cannot be empty")
    if value != value.strip():
        raise InvalidInput(f"{option}: '{value}' starts or ends with spaces, which qBittorrent 5.0 and older strip")
    return value


def check_regex(option: str, pattern: str) -> None:
    """Refuse a pattern that is not a regular expression; qBittorrent would silently never match it.

    qBittorrent uses PCRE (QRegularExpression, case-insensitive); Python's re understands the same syntax for
    everything but a few extensions, so PCRE named groups are translated before the check.
    """
    if not pattern:
        return
    try:
        re.compile(_PCRE_NAMED_GROUP.sub("(?P<", pattern))
    except re.error as exc:
        hint = ""
        if sys.version_info < (3, 11) and ("?>" in pattern or "++" in pattern or "*+" in pattern):
            hint = " (atomic groups and possessive quantifiers need Python 3.11 on the managed host to be checked)"
        raise InvalidInput(
            f"{option}: '{pattern}' is not a valid regular expression: {exc}{hint}. use_regex is on, so the whole "
            "text is one regular expression; turn use_regex off for qBittorrent's wildcard syntax"
        ) from exc


def int_at_least(option: str, value: Any, minimum: int) -> Any:
    if value is not None and value < minimum:
        raise InvalidInput(f"{option}: {value} is below {minimum}")
    return value


# --------------------------------------------------------------------------------------------- normalisation
def clean_path(value: Any) -> Any:
    """A path the way qBittorrent stores it (QDir::cleanPath): no '//', no '.', '..' resolved, no trailing '/'.

    Backslashes count as '/' so that Windows paths compare equal whichever separator the server shows.
    """
    if not isinstance(value, str) or not value:
        return value
    text = value.replace("\\", "/")
    rooted = text.startswith("/")
    parts: list[str] = []
    for part in text.split("/"):
        if part in ("", "."):
            continue
        if part == ".." and parts and parts[-1] != "..":
            parts.pop()
        elif part == ".." and rooted:
            continue
        else:
            parts.append(part)
    joined = "/".join(parts)
    return ("/" + joined) if rooted else (joined or ".")


def clean_tags(value: Any) -> Any:
    """Tags the way qBittorrent stores them: trimmed, without empty ones, unique, sorted."""
    if value is None:
        return None
    return sorted({str(tag).strip() for tag in value if str(tag).strip()})


def _sorted_unique(value: Any) -> Any:
    return None if value is None else sorted(set(value))


def _as_float(value: Any) -> Any:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _layout(value: Any) -> Any:
    return "Default" if value is None else value


RULE_NORMALIZERS = {
    "save_path": clean_path,
    "download_path": clean_path,
    "tags": clean_tags,
    "affected_feeds": _sorted_unique,
    "ratio_limit": _as_float,
    "content_layout": _layout,
}


# --------------------------------------------------------------------------------------------- feeds
def is_feed(node: Any) -> bool:
    """A feed node has a string uid or url; a folder maps child names to nodes (a child may be named 'url')."""
    return isinstance(node, Mapping) and (isinstance(node.get("uid"), str) or isinstance(node.get("url"), str))


def flatten_items(tree: Mapping[str, Any], with_intervals: bool, prefix: str = "") -> dict[str, dict[str, Any]]:
    """rss/items as {path: item}, parents before children.

    A folder is {'path', 'type': 'folder'}; a feed is {'path', 'type': 'feed', 'url', 'uid', 'refresh_interval'}
    plus, when read with data, 'title', 'last_build_date', 'is_loading', 'has_error' and 'articles' (keyed by
    article id, as article order is not stable). refresh_interval is None on servers without per-feed intervals
    (before 5.2) and 0 when the feed follows the global interval.
    """
    flat: dict[str, dict[str, Any]] = {}
    for name, node in (tree or {}).items():
        path = f"{prefix}{SEPARATOR}{name}" if prefix else name
        if is_feed(node):
            item = {
                "path": path,
                "type": "feed",
                "url": node.get("url"),
                "uid": node.get("uid"),
                "refresh_interval": int(node.get("refreshInterval") or 0) if with_intervals else None,
            }
            if "articles" in node or "title" in node:
                item.update(
                    title=node.get("title"),
                    last_build_date=node.get("lastBuildDate"),
                    is_loading=node.get("isLoading"),
                    has_error=node.get("hasError"),
                    articles=list(node.get("articles") or []),
                )
            flat[path] = item
        else:
            flat[path] = {"path": path, "type": "folder"}
            flat.update(flatten_items(node if isinstance(node, Mapping) else {}, with_intervals, path))
    return flat


def has_feed_intervals(client: Client) -> bool:
    return client.supports("rss/setFeedRefreshInterval")


def read_items(client: Client, with_data: bool = False) -> dict[str, dict[str, Any]]:
    """Every feed and folder of the server, flat by path (see flatten_items)."""
    tree = client.get_json("rss/items", {"withData": True} if with_data else None) or {}
    return flatten_items(tree, has_feed_intervals(client))


def parent_of(path: str) -> str:
    return path.rpartition(SEPARATOR)[0]


def ancestors(path: str) -> list[str]:
    """'A\\B\\C' -> ['A', 'A\\B'] (top down)."""
    parts = path.split(SEPARATOR)
    return [SEPARATOR.join(parts[:i]) for i in range(1, len(parts))]


def is_under(path: str, folder: str) -> bool:
    return path.startswith(folder + SEPARATOR)


class FeedPlan:
    """The writes that make the server's feeds and folders match the declared ones, in the order they must run.

    Folders are created top down before anything lands in them; feeds are moved (only feeds, never folders:
    moving a folder leaves its children at stale paths, and into its own subtree crashes 4.5/5.1) before their
    old folder is removed; removals run before URL changes so a URL freed by a removal can be taken.
    """

    def __init__(self) -> None:
        self.create_folders: list[str] = []
        self.moves: list[tuple[str, str]] = []
        self.remove: list[str] = []
        self.add_feeds: dict[str, dict[str, Any]] = {}
        self.set_url: dict[str, tuple[str, str]] = {}
        self.set_interval: dict[str, tuple[Any, int]] = {}
        self.before: dict[str, Any] = {}
        self.after: dict[str, Any] = {}

    def __bool__(self) -> bool:
        return bool(
            self.create_folders or self.moves or self.remove or self.add_feeds or self.set_url or self.set_interval
        )

    def diff(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after}


def _shown(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as diff mode shows it: its type and URL, and the refresh interval where the server has one."""
    return {k: v for k, v in item.items() if k in ("type", "url", "refresh_interval") and v is not None}


def check_declared_tree(desired: Mapping[str, Mapping[str, Any] | None]) -> None:
    """A declared item can sit neither under an item declared absent nor under a feed (checked before any request)."""
    for path, values in desired.items():
        if values is None:
            continue
        for parent in ancestors(path):
            if parent not in desired:
                continue
            if desired[parent] is None:
                raise InvalidInput(f"feeds: '{path}' is declared present, but '{parent}' above it is declared absent")
            if desired[parent]["type"] == "feed":
                raise InvalidInput(f"feeds: '{path}' is declared inside '{parent}', which is declared as a feed")


def plan_feeds(
    current: Mapping[str, Mapping[str, Any]],
    desired: Mapping[str, Mapping[str, Any] | None],
    purge: bool = False,
    create_parents: bool = True,
) -> FeedPlan:
    """Compare declared items ({path: {'type': 'folder'} | {'type': 'feed', 'url', ['refresh_interval']} | None})
    with the server's; raise InvalidInput for what cannot be done, before anything is written."""
    check_declared_tree(desired)
    plan = FeedPlan()
    present = {path: values for path, values in desired.items() if values is not None}
    keep = {parent for path in present for parent in ancestors(path)}

    # What goes away: declared absent, or not declared with purge; children go with their folder.
    removals = [path for path, values in desired.items() if values is None and path in current]
    if purge:
        removals += [path for path in current if path not in desired and path not in keep]
    going = set()
    for path in removals:
        going.add(path)
        going.update(other for other in current if is_under(other, path))

    holders = {item["url"]: path for path, item in current.items() if item["type"] == "feed"}
    moved_from: set[str] = set()
    new_folders: list[str] = []

    def need_folder(path: str, declared: bool) -> None:
        existing = current.get(path)
        if existing is not None and path not in going:
            if existing["type"] != "folder":
                raise InvalidInput(
                    f"feeds: '{path}' is a feed on the server, not a folder; remove it first (state: absent)"
                )
            return
        if path in new_folders:
            return
        if not declared and not create_parents:
            raise InvalidInput(
                f"feeds: the parent folder '{path}' does not exist; declare it, or set create_parents: true"
            )
        new_folders.append(path)

    for path in sorted(present, key=lambda p: p.count(SEPARATOR)):
        values = present[path]
        have = current.get(path)
        for parent in ancestors(path):
            need_folder(parent, parent in present)
        if values["type"] == "folder":
            if have is not None and have["type"] != "folder":
                raise InvalidInput(
                    f"feeds: '{path}' is a feed on the server ({have['url']}), not a folder; declare its url, or "
                    "remove it first (state: absent)"
                )
            need_folder(path, True)
            continue
        if have is not None and have["type"] != "feed":
            raise InvalidInput(
                f"feeds: '{path}' is a folder on the server, not a feed; remove it first (state: absent) to put a "
                "feed there"
            )
        url = values["url"]
        holder = holders.get(url)
        if holder is not None and holder != path:
            if holder not in going or holder in moved_from:
                raise InvalidInput(
                    f"feeds: the URL {url} already belongs to the feed '{holder}' (a URL is unique on a server). "
                    f"Declare '{holder}' with state: absent (or use purge) to move that feed to '{path}'"
                )
            if have is None:
                # Move the feed itself: it keeps its articles, read state and uid.
                plan.moves.append((holder, path))
                moved_from.add(holder)
                going.discard(holder)
                plan.before[holder] = {"state": "present", **_shown(current[holder])}
                plan.after[holder] = {"state": "absent", "moved_to": path}
                plan.before[path] = {"state": "absent"}
                plan.after[path] = {"state": "present", **_shown(current[holder]), "moved_from": holder}
                have = dict(current[holder], path=path)
        if have is None:
            plan.add_feeds[path] = {"url": url, "refresh_interval": values.get("refresh_interval")}
            plan.before[path] = {"state": "absent"}
            plan.after[path] = {"state": "present", **_shown({"type": "feed", **plan.add_feeds[path]})}
            continue
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        if have["url"] != url:
            plan.set_url[path] = (have["url"], url)
            before["url"], after["url"] = have["url"], url
        interval = values.get("refresh_interval")
        if interval is not None and (have.get("refresh_interval") or 0) != interval:
            plan.set_interval[path] = (have.get("refresh_interval"), interval)
            before["refresh_interval"], after["refresh_interval"] = have.get("refresh_interval"), interval
        if before:
            plan.before.setdefault(path, {}).update(before)
            plan.after.setdefault(path, {}).update(after)

    plan.create_folders = new_folders
    for path in new_folders:
        plan.before[path] = {"state": "absent"}
        plan.after[path] = {"state": "present", "type": "folder"}
    # Remove only the top-most items (a folder takes its children), deepest first; show every removed item.
    tops = [path for path in going if not any(is_under(path, other) for other in going)]
    plan.remove = sorted(tops, key=lambda p: (-p.count(SEPARATOR), p))
    for path in sorted(going):
        plan.before[path] = {"state": "present", **_shown(current[path])}
        plan.after[path] = {"state": "absent"}
    return plan


def predicted_items(
    current: Mapping[str, Mapping[str, Any]], plan: FeedPlan, intervals: bool
) -> dict[str, dict[str, Any]]:
    """The flat items after the plan (for check mode): uids of new feeds are unknown (None)."""
    state = {path: dict(item) for path, item in current.items()}
    for path in plan.create_folders:
        state[path] = {"path": path, "type": "folder"}
    for source, target in plan.moves:
        state[target] = dict(state.pop(source), path=target)
    for path in plan.remove:
        for other in [p for p in state if p == path or is_under(p, path)]:
            del state[other]
    for path, values in plan.add_feeds.items():
        interval = values.get("refresh_interval")
        state[path] = {
            "path": path,
            "type": "feed",
            "url": values["url"],
            "uid": None,
            "refresh_interval": interval if interval is not None else (0 if intervals else None),
        }
    for path, (_old_url, url) in plan.set_url.items():
        state[path]["url"] = url
    for path, (_old_interval, interval) in plan.set_interval.items():
        state[path]["refresh_interval"] = interval
    return dict(sorted(state.items()))


def apply_feed_plan(client: Client, plan: FeedPlan, can_set_url: bool) -> list[str]:
    """Run the plan's writes in order; return the feeds that had to be re-created to change their URL."""
    for path in plan.create_folders:
        client.post("rss/addFolder", {"path": path})
    for source, target in plan.moves:
        client.post("rss/moveItem", {"itemPath": source, "destPath": target})
    for path in plan.remove:
        client.post("rss/removeItem", {"path": path})
    for path, values in plan.add_feeds.items():
        fields = {"url": values["url"], "path": path}
        if values.get("refresh_interval") is not None:
            fields["refreshInterval"] = values["refresh_interval"]
        client.post("rss/addFeed", fields)
    recreated = []
    for path, (old, new) in plan.set_url.items():
        if can_set_url:
            client.post("rss/setFeedURL", {"path": path, "url": new})
            continue
        # Before 4.6 there is no setFeedURL: re-create the feed (its articles and read state are lost) and
        # point the rules at the new URL, as setFeedURL does on later releases.
        client.post("rss/removeItem", {"path": path})
        fields = {"url": new, "path": path}
        interval = plan.set_interval.pop(path, (None, None))[1]
        if interval is not None:
            fields["refreshInterval"] = interval
        client.post("rss/addFeed", fields)
        replace_feed_url_in_rules(client, old, new)
        recreated.append(path)
    for path, (_old_interval, interval) in plan.set_interval.items():
        client.post("rss/setFeedRefreshInterval", {"path": path, "refreshInterval": interval})
    return recreated


def replace_feed_url_in_rules(client: Client, old: str, new: str) -> None:
    """Point every rule that names the feed URL old at new instead (what setFeedURL does on 4.6+)."""
    for name, raw in (client.get_json("rss/rules") or {}).items():
        feeds = raw.get("affectedFeeds") or []
        if isinstance(feeds, str):
            feeds = [feeds]
        if old in feeds:
            raw = dict(raw, affectedFeeds=[new if url == old else url for url in feeds])
            set_rule(client, name, raw)


def verify_feeds(after: Mapping[str, Mapping[str, Any]], desired: Mapping[str, Any], plan: FeedPlan) -> None:
    """Fail unless the server now holds every declared item as declared and none of the removed ones."""
    for path, values in desired.items():
        if values is None:
            if path in after:
                raise QbtError(f"feeds: qBittorrent did not remove '{path}'")
            continue
        have = after.get(path)
        if have is None:
            raise QbtError(f"feeds: qBittorrent did not keep '{path}'")
        if have["type"] != values["type"]:
            raise QbtError(f"feeds: qBittorrent holds '{path}' as a {have['type']}, not a {values['type']}")
        if values["type"] == "feed" and have["url"] != values["url"]:
            raise QbtError(f"feeds: qBittorrent kept the URL {have['url']!r} for '{path}', not {values['url']!r}")
        interval = values.get("refresh_interval")
        if interval is not None and (have.get("refresh_interval") or 0) != interval:
            raise QbtError(
                f"feeds: qBittorrent kept the refresh interval {have.get('refresh_interval')!r} for '{path}', "
                f"not {interval!r}"
            )
    for path in plan.remove:
        if path in after:
            raise QbtError(f"feeds: qBittorrent did not remove '{path}'")


# --------------------------------------------------------------------------------------------- rules
def uses_torrent_params(client: Client) -> bool:
    """True on 4.6+, where a rule's torrent parameters live in torrentParams."""
    return has_feature("rss_rule_torrent_params", client.webapi_version)


def has_share_limit_action(client: Client) -> bool:
    return has_feature("rss_rule_share_limit_action", client.webapi_version)


def _feed_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return list(value or [])


def rule_from_server(raw: Mapping[str, Any], modern: bool, share_limits: bool = True) -> dict[str, Any]:
    """A rule object of rss/rules in Ansible's names, with the server's defaults for missing keys.

    On servers before 4.6 the options those releases do not have are left out.
    """
    rule: dict[str, Any] = {}
    for name, key in RULE_FIELDS.items():
        rule[name] = raw.get(key, RULE_DEFAULTS[name])
    rule["affected_feeds"] = _feed_list(rule["affected_feeds"])
    params = raw.get("torrentParams") if modern else None
    if modern:
        rule["priority"] = raw.get("priority", 0)
        params = params if isinstance(params, Mapping) else {}
        for name in TORRENT_FIELDS:
            if name == "share_limit_action" and not share_limits:
                continue
            rule[name] = params.get(name, RULE_DEFAULTS[name])
        rule["tags"] = list(rule["tags"] or [])
    else:
        for name, key in TORRENT_FIELDS.items():
            if key is not None:
                rule[name] = raw.get(key, RULE_DEFAULTS[name])
    rule["content_layout"] = _layout(rule["content_layout"])
    if "ratio_limit" in rule:
        rule["ratio_limit"] = _as_float(rule["ratio_limit"])
    for name, key in SERVER_OWNED.items():
        value = raw.get(key, RULE_DEFAULTS[name])
        rule[name] = _feed_list(value) if name == "previously_matched_episodes" else value
    return rule


def new_rule(modern: bool, share_limits: bool = True) -> dict[str, Any]:
    """A rule with every default, as the server creates it from '{}'."""
    return rule_from_server({}, modern, share_limits)


def rule_to_server(raw: Mapping[str, Any] | None, values: Mapping[str, Any], modern: bool) -> dict[str, Any]:
    """The full rule object for setRule: the current object (or a new one) with the declared values applied.

    Every key the server returned is kept, lastMatch and previouslyMatchedEpisodes included, because setRule
    replaces the rule and resets what it is not sent. On 4.6+ the torrent parameters go into torrentParams and the
    legacy keys are left out (the server ignores them when torrentParams is present and re-creates them).
    """
    rule = copy.deepcopy(dict(raw or {}))
    for name, key in RULE_FIELDS.items():
        if name in values:
            rule[key] = list(values[name]) if name == "affected_feeds" else values[name]
    if not modern:
        for name, key in TORRENT_FIELDS.items():
            if name in values and key is not None:
                value = values[name]
                rule[key] = None if (name == "content_layout" and value == "Default") else value
        rule.pop("torrentParams", None)
        rule.pop("priority", None)
        return rule
    if "priority" in values:
        rule["priority"] = values["priority"]
    params = dict(rule.get("torrentParams") or {})
    for key in LEGACY_KEYS:
        rule.pop(key, None)
    for name in TORRENT_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name == "tags":
            params["tags"] = clean_tags(value)
        elif (name == "content_layout" and value == "Default") or (name == "stopped" and value is None):
            params.pop(name, None)
        else:
            params[name] = value
        if name == "save_path":
            # A save path only counts with automatic torrent management off (what the server itself does for
            # a legacy savePath); no save path means the global setting decides again.
            if value:
                params["use_auto_tmm"] = False
            else:
                params.pop("use_auto_tmm", None)
        if name == "download_path":
            if value:
                params["use_download_path"] = True
            else:
                params.pop("use_download_path", None)
    rule["torrentParams"] = params
    return rule


def read_rules(client: Client) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(raw rule objects by name, the same rules in Ansible's names)."""
    raw = client.get_json("rss/rules") or {}
    modern = uses_torrent_params(client)
    share = modern and has_share_limit_action(client)
    return raw, {name: {"name": name, **rule_from_server(rule, modern, share)} for name, rule in raw.items()}


def set_rule(client: Client, name: str, rule: Mapping[str, Any]) -> None:
    client.post("rss/setRule", {"ruleName": name, "ruleDef": json.dumps(rule, sort_keys=True)})


def resolve_feeds(
    option: str, entries: Iterable[str], items: Mapping[str, Mapping[str, Any]], warn, check_mode: bool = False
) -> list[str]:
    """Feed paths become their URLs; URLs stay. A folder, or a path that is neither a feed nor a URL, fails.

    In check mode a missing path only warns (it is kept as it is): an earlier task of the same check run may have
    only predicted the feed.
    """
    urls = {item["url"] for item in items.values() if item["type"] == "feed"}
    resolved = []
    for entry in entries:
        item = items.get(entry)
        if item is not None and item["type"] == "feed":
            resolved.append(item["url"])
        elif item is not None:
            raise InvalidInput(f"{option}: '{entry}' is a folder; a rule names feeds, so list the feeds in it")
        elif check_mode and not _URL_SCHEME.match(entry):
            warn(
                f"{option}: '{entry}' is not the path of a feed on the server; in check mode this is only a warning, "
                "in case an earlier task would create the feed"
            )
            resolved.append(entry)
        elif _URL_SCHEME.match(entry):
            if entry not in urls:
                warn(f"{option}: no feed on the server has the URL {entry} yet; the rule ignores it until one does")
            resolved.append(entry)
        else:
            raise InvalidInput(
                f"{option}: '{entry}' is neither the path of a feed on the server nor a URL; give a feed path such "
                "as Series\\Anime or the feed's URL"
            )
    if len(set(resolved)) != len(resolved):
        raise InvalidInput(f"{option}: a feed is named more than once (by path or URL)")
    return resolved


def validate_rule_values(option, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check one rule's declared values (Ansible names) and return them normalised for sending.

    option(field) names the option in messages. Regexes are checked later, once the effective use_regex is known.
    """
    values = dict(values)
    for name in ("save_path", "download_path"):
        if values.get(name) is not None:
            absolute_path(option(name), values[name])
    if values.get("tags") is not None:
        values["tags"] = [tag_name(option("tags"), tag) for tag in values["tags"]]
    if values.get("affected_feeds") is not None:
        for entry in values["affected_feeds"]:
            if not isinstance(entry, str) or not entry.strip():
                raise InvalidInput(f"{option('affected_feeds')}: an entry cannot be empty")
    int_at_least(option("ignore_days"), values.get("ignore_days"), 0)
    int_at_least(option("upload_limit"), values.get("upload_limit"), -1)
    int_at_least(option("download_limit"), values.get("download_limit"), -1)
    for name in ("seeding_time_limit", "inactive_seeding_time_limit"):
        int_at_least(option(name), values.get(name), -2)
    if values.get("ratio_limit") is not None:
        values["ratio_limit"] = float(values["ratio_limit"])
        if values["ratio_limit"] < -2 or -2 < values["ratio_limit"] < -1 or -1 < values["ratio_limit"] < 0:
            raise InvalidInput(
                f"{option('ratio_limit')}: {values['ratio_limit']!r} is not a ratio: give -2 (global), -1 (no "
                "limit) or a ratio of 0 or more"
            )
    return values


def check_rule_regexes(option, merged: Mapping[str, Any]) -> None:
    """With use_regex on, must_contain and must_not_contain are each one regular expression."""
    if merged.get("use_regex"):
        for name in ("must_contain", "must_not_contain"):
            check_regex(option(name), merged.get(name) or "")


def verify_rules(after: Mapping[str, Mapping[str, Any]], desired, owned_before, removed) -> None:
    """Fail unless the server kept each declared rule as declared, its server-owned fields included."""
    for name, values in desired.items():
        if values is None:
            if name in after:
                raise QbtError(f"rules: qBittorrent did not remove the rule '{name}'")
            continue
        have = after.get(name)
        if have is None:
            raise QbtError(f"rules: qBittorrent did not keep the rule '{name}'")
        for key, wanted in values.items():
            normalize = RULE_NORMALIZERS.get(key, _identity)
            if normalize(have.get(key)) != normalize(wanted):
                raise QbtError(
                    f"rules: qBittorrent did not keep {key} of the rule '{name}' as declared: it holds "
                    f"{have.get(key)!r}, not {wanted!r}"
                )
        # The server may match an article right after the update (a changed rule re-reads the unread articles), so
        # its own fields may have grown since they were read, but what it had must not be gone.
        owned = owned_before.get(name) or {}
        if owned.get("last_match") and not have.get("last_match"):
            raise QbtError(f"rules: the update of '{name}' lost the server's last_match ({owned['last_match']!r})")
        lost = set(owned.get("previously_matched_episodes") or []) - set(have.get("previously_matched_episodes") or [])
        if lost:
            raise QbtError(
                f"rules: the update of '{name}' lost the server's previously_matched_episodes {sorted(lost)!r}"
            )
    for name in removed:
        if name in after:
            raise QbtError(f"rules: qBittorrent did not remove the rule '{name}'")


def _identity(value: Any) -> Any:
    return value


def read_rss(client: Client, with_articles: bool = False) -> dict[str, Any]:
    """qbt_info's rss subset: {'feeds': flat items by path, 'rules': rules by name in Ansible's names}."""
    _items, rules = read_rules(client)
    return {"feeds": read_items(client, with_data=with_articles), "rules": rules}
