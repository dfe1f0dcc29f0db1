# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RSS auto-download rules (qbt_rss_rule, qbt_info's rss subset).

Server facts (src/base/rss/rss_autodownloadrule.cpp: AutoDownloadRule::toJsonObject, fromJsonObject;
src/webui/api/rsscontroller.cpp: setRuleAction; docs/dev/rss-facts.md):

* rss/setRule replaces the whole rule, the server-maintained lastMatch and previouslyMatchedEpisodes included,
  so every update is read-modify-write of the object rss/rules returned.
* 4.5 knows only the legacy torrent keys (assignedCategory, savePath, addPaused, torrentContentLayout); 4.6+
  reads torrentParams and ignores the legacy keys when torrentParams is present.
* The server never rejects a bad rule (invalid JSON becomes a default rule, a string "false" becomes true), and
  releases up to 5.0 trim names: everything is validated here, before the first request.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from . import _fields
from ._engine import Field, Resource, normalizers
from ._errors import InvalidInput, QbtError
from ._rss_feeds import read_items
from ._rss_filters import episode_filter_warning, regex_warning
from ._torrent_fields import CONTENT_LAYOUTS, parameters

_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _modern(name):
    return ("rss_rule_torrent_params", f"{name} in RSS rules")


def _feeds(option: str, values: Any) -> list[str]:
    return [_fields.text(f"{option}[{index}]", value, "feed") for index, value in enumerate(values)]


def _sorted_unique(value: Any) -> Any:
    return None if value is None else sorted(set(value))


FIELDS = {
    "enabled": Field({"type": "bool"}),
    "priority": Field({"type": "int"}, needs="rss_rule_torrent_params", label="priority in RSS rules"),
    "must_contain": Field({"type": "str"}),
    "must_not_contain": Field({"type": "str"}),
    "use_regex": Field({"type": "bool"}),
    "episode_filter": Field({"type": "str"}),
    "smart_filter": Field({"type": "bool"}),
    "affected_feeds": Field({"type": "list", "elements": "str"}, _feeds, _sorted_unique),
    "ignore_days": Field(
        {"type": "int"}, lambda option, value: _fields.number(option, value, 0, 2**31 - 1, unit="days")
    ),
    **parameters(
        {
            name: _modern(name)
            for name in ("tags", "download_path", "upload_limit", "download_limit", "ratio_limit")
            + ("seeding_time_limit", "inactive_seeding_time_limit")
        }
        | {"share_limit_action": ("rss_rule_share_limit_action", "share_limit_action in RSS rules")}
        | {"content_layout": ("rss_rule_content_layout", "content_layout in RSS rules")},
        stopped=Field({"type": "bool"}),
        content_layout=Field(
            {"type": "str", "choices": ["Default", *CONTENT_LAYOUTS]}, normalize=lambda value: value or "Default"
        ),
    ),
}
RULE_NORMALIZERS = normalizers(FIELDS)


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


def uses_torrent_params(client) -> bool:
    """True on 4.6+, where a rule's torrent parameters live in torrentParams."""
    return client.supports("rss_rule_torrent_params")


def has_share_limit_action(client) -> bool:
    return client.supports("rss_rule_share_limit_action")


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
    rule["content_layout"] = rule["content_layout"] or "Default"
    if "ratio_limit" in rule:
        rule["ratio_limit"] = _fields.normalize_ratio(rule["ratio_limit"])
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
            params["tags"] = _fields.normalize_tags(value)
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


def read_rules(client) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(raw rule objects by name, the same rules in Ansible's names)."""
    raw = client.get_json("rss/rules")
    modern = uses_torrent_params(client)
    share = modern and has_share_limit_action(client)
    return raw, {name: {"name": name, **rule_from_server(rule, modern, share)} for name, rule in raw.items()}


def set_rule(client, name: str, rule: Mapping[str, Any]) -> None:
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


def warn_when_off(task, rules: Mapping[str, Mapping[str, Any]]) -> None:
    """Rules do nothing while auto-downloading is off, and see no new articles while feeds are not fetched."""
    if not any(rule["enabled"] for rule in rules.values()):
        return
    preferences = task.client.get_json("app/preferences")
    if not preferences.get("rss_auto_downloading_enabled"):
        task.warn(
            "rules: RSS auto-downloading is off on this server (preference rss_auto_downloading_enabled), so the "
            "rules add no torrents until it is turned on"
        )
    if not preferences.get("rss_processing_enabled"):
        task.warn(
            "rules: RSS feed fetching is off on this server (preference rss_processing_enabled), so the rules see "
            "no new articles until it is turned on"
        )


class Rules(Resource):
    list_option = "rules"
    noun = "RSS rule"
    fields = FIELDS

    def check_key(self, option, value):
        """setRule accepts any string, '' included; refuse what would make a rule no task can address again."""
        return _fields.text(option, value, "rule name", strip_note=True)

    def prepare(self, desired):
        """Feed paths in affected_feeds become the feeds' URLs (one read of the feeds, only when needed)."""
        if not any(values and "affected_feeds" in values for values in desired.values()):
            return
        feeds = read_items(self.client)
        for name, values in desired.items():
            if values and "affected_feeds" in values:
                values["affected_feeds"] = resolve_feeds(
                    f"rules[{name}].affected_feeds", values["affected_feeds"], feeds, self.task.warn,
                    self.task.check_mode,
                )  # fmt: skip

    def read(self):
        self.raw, rules = read_rules(self.client)
        return rules

    def predicted(self, current, plan, desired):
        modern = uses_torrent_params(self.client)
        share = modern and has_share_limit_action(self.client)
        state = {name: rule for name, rule in current.items() if name not in plan.remove}
        merged = {}
        for name in list(plan.create) + list(plan.update) + [n for n, v in desired.items() if v and n in current]:
            merged[name] = dict(current.get(name) or {"name": name, **new_rule(modern, share)}, **desired[name])
            if merged[name].get("use_regex"):
                for field in ("must_contain", "must_not_contain"):
                    warning = regex_warning(f"rules[{name}].{field}", merged[name].get(field) or "")
                    if warning:
                        self.task.warn(warning)
            warning = episode_filter_warning(f"rules[{name}].episode_filter", merged[name].get("episode_filter") or "")
            if warning:
                self.task.warn(warning)
        warn_when_off(self.task, merged)
        state.update({name: merged[name] for name in list(plan.create) + list(plan.update)})
        return state

    def apply(self, plan, current, desired):
        modern = uses_torrent_params(self.client)
        for name, values in plan.create.items():
            set_rule(self.client, name, rule_to_server(None, values, modern))
        for name, changes in plan.update.items():
            changed = {key: pair[1] for key, pair in changes.items()}
            set_rule(self.client, name, rule_to_server(self.raw[name], changed, modern))
        for name in plan.remove:
            self.client.post("rss/removeRule", {"ruleName": name})

    def verify(self, after, plan, current, desired):
        super().verify(after, plan, current, desired)
        # The server may match an article right after the update (a changed rule re-reads the unread articles),
        # so its own fields may have grown since they were read, but what it had must not be gone.
        for name in plan.update:
            had, has = current[name], after[name]
            if had.get("last_match") and not has.get("last_match"):
                raise QbtError(f"rules: the update of '{name}' lost the server's last_match ({had['last_match']!r})")
            lost = set(had.get("previously_matched_episodes") or []) - set(has.get("previously_matched_episodes") or [])
            if lost:
                raise QbtError(
                    f"rules: the update of '{name}' lost the server's previously_matched_episodes {sorted(lost)!r}"
                )
