# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What qbt_info reads of RSS: the feeds and rules (the rss subset), and the articles each rule matches now (the
rss_matching subset)."""

from __future__ import annotations

from typing import Any

from . import _fields
from ._errors import InvalidInput
from ._rss_feeds import SEPARATOR, read_items
from ._rss_rules import read_rules


def read_rss(client, with_articles: bool = False) -> dict[str, Any]:
    """{'feeds': flat items by path, 'rules': rules by name in Ansible's names, tags sorted}."""
    _raw, rules = read_rules(client)
    for rule in rules.values():
        if "tags" in rule:  # 4.6+ rules have tags, in the order they were set
            rule["tags"] = _fields.normalize_tags(rule["tags"])
    return {"feeds": read_items(client, with_data=with_articles), "rules": rules}


def read_matching(client, names, asked):
    """{rule: {feed path: [titles]}}: the articles each rule matches now (rss/matchingArticles, one GET per rule).

    The server answers {feed name: [titles]} for the rule's feeds that have matches, whatever the rule's enabled
    switch and the articles' read state (RSSController::matchingArticlesAction, AutoDownloadRule::matches in
    src/base/rss/). A feed's name is the last part of its path (Item::name in rss_item.cpp), so it is turned
    back into the path when exactly one of the rule's feeds has that name. An unknown rule name answers {}.
    """
    if not client.supports("rss/matchingArticles"):
        if asked:  # named in gather_subset: fail, or warn when fail_on_unimplemented_endpoint is false
            client.require("rss/matchingArticles", "gather_subset rss_matching")
        return None
    _raw, rules = read_rules(client)
    unknown = [name for name in names if name not in rules]
    if unknown:
        raise InvalidInput(
            f"rss_rules: the server has no rule named {', '.join(map(repr, unknown))}; its rules are "
            f"{', '.join(map(repr, sorted(rules)[:20])) or 'none'}{' ...' if len(rules) > 20 else ''}; fix the name "
            "or declare the rule with qbt_rss_rule"
        )
    paths = {item["url"]: path for path, item in read_items(client).items() if item["type"] == "feed"}
    matching = {}
    for name in names or sorted(rules):  # no names (None or []): every rule
        feeds = [paths[url] for url in rules[name]["affected_feeds"] if url in paths]
        answer = client.get_json("rss/matchingArticles", {"ruleName": name}) or {}
        matching[name] = {}
        for feed_name, titles in answer.items():
            found = [path for path in feeds if path.rsplit(SEPARATOR, 1)[-1] == feed_name]
            matching[name][found[0] if len(found) == 1 else feed_name] = list(titles)
    return matching
