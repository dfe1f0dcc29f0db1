# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RSS feeds and folders (qbt_rss_feed, qbt_info's rss subset): the tree the server keeps, and the ordered writes
that make it match the declared one.

Server facts (src/base/rss/rss_session.cpp: Session::addFolder, addFeed, moveItem, removeItem, setFeedURL;
src/base/rss/rss_item.cpp: Item::isValidPath; docs/dev/rss-facts.md):

* rss/items is a nested tree; the modules work on a flat {path: item} view with '\\' between the parts.
* A feed URL is unique on a server; setFeedURL exists from 4.6 (WebAPI 2.9.1), before that a feed is re-created.
* Releases up to 5.0 trim paths and URLs, so values with outer spaces are refused before the first request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from . import _fields
from ._diff import Diff
from ._engine import Field, Resource
from ._errors import InvalidInput

SEPARATOR = "\\"
# Item::isValidPath: no empty part, no leading or trailing separator ('/' is an ordinary character).
_VALID_PATH = re.compile(r"[^\\]+(\\[^\\]+)*", re.DOTALL)

FIELDS = {
    "url": Field(
        {"type": "str", "aliases": ["feed_url"]}, lambda option, value: _fields.url(option, value, "feed URL")
    ),
    "refresh_interval": Field(
        {"type": "int"},
        lambda option, value: _fields.number(option, value, 0, 2**31 - 1, unit="minutes"),
        needs="rss/setFeedRefreshInterval",
        label="refresh_interval of a feed",
    ),
}


def item_path(option: str, value: Any) -> str:
    """A feed or folder path such as 'Series\\Anime' (qBittorrent's Item::isValidPath, plus no outer spaces)."""
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{option}: an RSS path cannot be empty (the root folder cannot be declared)")
    _fields.text(option, value, "RSS path", strip_note=True)
    if not _VALID_PATH.fullmatch(value):
        raise InvalidInput(
            f"{option}: '{value}' is not a valid RSS path: parts are separated by one backslash, with no empty "
            "part and no backslash at the start or the end, as in Series\\Anime"
        )
    return value


class Feeds(Resource):
    list_option = "feeds"
    key = "path"
    noun = "feed or folder"
    fields = FIELDS

    def check_key(self, option, value):
        return item_path(option, value)

    def item_values(self, item, option, problems):
        values = super().item_values(item, option, problems)
        if item.get("url") is None:
            if item.get("refresh_interval") is not None:
                problems.add(
                    f"{option('refresh_interval')}: only a feed has a refresh interval; give its {option('url')}"
                )
            return {"type": "folder"}
        return {"type": "feed", **values}

    def check_desired(self, desired, problems):
        urls = [values["url"] for values in desired.values() if values and values.get("url")]
        for url in sorted({url for url in urls if urls.count(url) > 1}):
            problems.add(f"feeds: {url!r} is declared more than once; a feed URL is unique on a server")
        problems.check(check_declared_tree, desired)

    def read(self):
        return read_items(self.client)

    def plan(self, current, desired, purge):
        return plan_feeds(current, desired, purge, self.task.params["create_parents"])

    def removals(self, plan):
        return list(plan.remove)

    def predicted(self, current, plan, desired):
        return predicted_items(current, plan, has_feed_intervals(self.client))

    def summary(self, plan):
        can_set_url = self.client.supports("rss/setFeedURL")
        return {"recreated": [] if can_set_url else sorted(plan.set_url)}

    def apply(self, plan, current, desired):
        recreated = apply_feed_plan(self.client, plan, self.client.supports("rss/setFeedURL"))
        for path in recreated:
            self.task.warn(
                f"feeds: re-created '{path}' to change its URL, because qBittorrent before 4.6 cannot change a "
                "feed's URL: its articles and their read state are gone, and rules may download articles it still "
                "serves again"
            )


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


def has_feed_intervals(client) -> bool:
    return client.supports("rss/setFeedRefreshInterval")


def read_items(client, with_data: bool = False) -> dict[str, dict[str, Any]]:
    """Every feed and folder of the server, flat by path (see flatten_items)."""
    tree = client.get_json("rss/items", {"withData": True} if with_data else None)
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
        self.diff = Diff()
        self.before = self.diff.before
        self.after = self.diff.after

    def __bool__(self) -> bool:
        return bool(
            self.create_folders or self.moves or self.remove or self.add_feeds or self.set_url or self.set_interval
        )


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


def apply_feed_plan(client, plan: FeedPlan, can_set_url: bool) -> list[str]:
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


def replace_feed_url_in_rules(client, old: str, new: str) -> None:
    """Point every rule that names the feed URL old at new instead (what setFeedURL does on 4.6+)."""
    for name, raw in client.get_json("rss/rules").items():
        feeds = raw.get("affectedFeeds") or []
        if isinstance(feeds, str):
            feeds = [feeds]
        if old in feeds:
            raw = dict(raw, affectedFeeds=[new if url == old else url for url in feeds])
            client.post("rss/setRule", {"ruleName": name, "ruleDef": json.dumps(raw, sort_keys=True)})
