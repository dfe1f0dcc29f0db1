#!/usr/bin/python
# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: qbt_rss_rule
short_description: Declare the RSS auto-download rules of a qBittorrent server
version_added: 0.1.0
description:
  - Makes one RSS auto-download rule, or a set of rules, match what the task declares.
  - A rule watches the articles of its feeds and adds the torrent of each new article that matches it, with the
    rule's category, tags, save path and other torrent parameters.
  - Only the options a task gives are compared and changed; the rest of the rule stays as it is (a new rule gets
    qBittorrent's defaults). This includes what the server maintains itself, the date of the last match and the
    episodes the smart filter has already downloaded, which a plain C(rss/setRule) call would reset.
  - Values are compared the way qBittorrent stores them (cleaned paths, tags sorted and without duplicates, feeds
    in any order), so a second run with the same options changes nothing.
  - How a rule is stored differs between qBittorrent 4.5 (a few legacy fields) and 4.6 and later (all torrent
    parameters); the module handles both. Options a server's version does not have are refused, or skipped with a
    warning, as O(fail_on_unimplemented_endpoint) says.
  - B(Rules add torrents only while RSS auto-downloading is on), that is while the preference
    C(rss_auto_downloading_enabled) is true (off by default; in the WebUI
    C(Options > RSS > Enable auto downloading of RSS torrents)), and they only see articles of feeds that are
    fetched, which qBittorrent does by itself only while C(rss_processing_enabled) is on (off by default). A task
    that declares an enabled rule while either is off warns about it.
  - Only unread articles are considered. An article that was read, or was already processed while
    auto-downloading was off and stayed unmatched, is considered again when a rule changes.
author:
  - community.qbittorrent maintainers (@ansible-collections)
extends_documentation_fragment:
  - community.qbittorrent._connection
  - community.qbittorrent._attributes
  - community.qbittorrent._attributes.ACTIONGROUP
options:
  name:
    description:
      - The rule, for a task about one rule. Mutually exclusive with O(rules).
      - Not empty, and without spaces at the start or the end (qBittorrent 5.0 and older strip them).
    type: str
  enabled:
    description: Whether the rule adds torrents. A new rule is enabled.
    type: bool
  priority:
    description:
      - The rule's priority. For each article the enabled rules are tried from the lowest priority value up, and the
        first one that matches adds the torrent. New rules get V(0).
      - Needs qBittorrent 4.6 or later.
    type: int
  must_contain:
    description:
      - What an article's title must contain.
      - Without O(use_regex), words separated by spaces must all appear, in any order and case, with C(*) and C(?)
        as wildcards, and C(|) separates alternatives, as in V(Show* 1080p|Show* 720p).
      - With O(use_regex), the whole text is one regular expression, matched without regard to case.
    type: str
  must_not_contain:
    description: What an article's title must not contain, in the same syntax as O(must_contain).
    type: str
  use_regex:
    description:
      - Whether O(must_contain) and O(must_not_contain) are regular expressions (Perl-compatible, as qBittorrent
        uses them). A pattern that Python cannot read is sent with a warning; qBittorrent would accept an invalid one
        and never match, but Python does not know every PCRE feature (such as V(\\p{L})), so the module cannot tell
        which it is.
    type: bool
  episode_filter:
    description:
      - An episode filter in qBittorrent's syntax, one season then episodes each ended by V(;)
        (a number, a range V(N-M), or V(N-) for episode N onwards and every later season).
        V(1x2;8-15;30-;) matches episodes 2, 8 to 15, and 30 onwards of season 1; V(1x01-;) every episode.
      - The server keeps a filter in another form, and the rule then matches no article, so such a filter is sent
        with a warning.
    type: str
  smart_filter:
    description:
      - Whether the smart episode filter is on. It downloads each episode only once (the server remembers the
        episodes, see RV(rules)), and, since qBittorrent 5.2, ignores titles
        without an episode number it recognises.
    type: bool
  affected_feeds:
    description:
      - The feeds the rule watches, each given as the feed's path in the RSS tree (such as V(Series\\Anime)) or as
        the feed's URL. Paths are looked up on the server and stored as URLs, which is what qBittorrent keeps; a
        folder is refused.
      - A URL that no feed of the server has yet is accepted with a warning. In check mode, so is a path that is not
        a feed yet (an earlier task of the same run may only have predicted it).
      - The order does not matter. V([]) removes every feed from the rule.
    type: list
    elements: str
  ignore_days:
    description: After a match, ignore further matches for this many days. V(0) turns it off.
    type: int
  category:
    description:
      - The category of the torrents the rule adds; V('') for none. A category that does not exist is created when
        the first torrent is added.
    type: str
  tags:
    description:
      - The tags of the torrents the rule adds (no comma in a tag). Order and duplicates do not matter.
      - Needs qBittorrent 4.6 or later.
    type: list
    elements: str
  save_path:
    description:
      - Where the torrents the rule adds are saved, an absolute path on the server. A path turns automatic torrent
        management off for those torrents, so that it counts; V('') follows the default save path (of the category)
        again.
    type: str
  download_path:
    description:
      - Where incomplete torrents of the rule are kept, an absolute path on the server; giving a path turns the
        download path on for those torrents. V('') follows the global setting again.
      - Needs qBittorrent 4.6 or later.
    type: str
  stopped:
    description:
      - Whether the torrents the rule adds are added stopped (paused, before qBittorrent 5).
      - Not given means the current setting is kept; a new rule follows the global setting.
    type: bool
  content_layout:
    description:
      - The content layout of the torrents the rule adds. V(Default) follows the global setting.
    type: str
    choices: [Default, Original, Subfolder, NoSubfolder]
  upload_limit:
    description:
      - The upload limit of the torrents the rule adds, in bytes per second; V(-1) for none.
      - Needs qBittorrent 4.6 or later.
    type: int
  download_limit:
    description:
      - The download limit of the torrents the rule adds, in bytes per second; V(-1) for none.
      - Needs qBittorrent 4.6 or later.
    type: int
  ratio_limit:
    description:
      - The share ratio limit of the torrents the rule adds; V(-2) follows the global setting, V(-1) means none,
        otherwise V(0) to V(9998), as for a torrent.
      - Needs qBittorrent 4.6 or later.
    type: float
  seeding_time_limit:
    description:
      - The seeding time limit of the torrents the rule adds, in minutes; V(-2) follows the global setting, V(-1)
        means none.
      - Needs qBittorrent 4.6 or later.
    type: int
  inactive_seeding_time_limit:
    description:
      - The inactive seeding time limit of the torrents the rule adds, in minutes; V(-2) follows the global setting,
        V(-1) means none.
      - Needs qBittorrent 4.6 or later.
    type: int
  share_limit_action:
    description:
      - What happens to a torrent of the rule when it reaches a share limit. V(Default) follows the global setting.
      - Needs qBittorrent 5.0 or later.
    type: str
    choices: [Default, Stop, Remove, RemoveWithContent, EnableSuperSeeding]
  state:
    description: Whether the rule exists.
    type: str
    choices: [present, absent]
    default: present
  rules:
    description:
      - Several rules in one task, each with the options of the single form. Mutually exclusive with O(name).
      - Every name may appear once; the whole list is checked before anything is written.
    type: list
    elements: dict
    suboptions:
      name:
        description: The rule.
        type: str
        required: true
      enabled:
        description: As O(enabled).
        type: bool
      priority:
        description: As O(priority).
        type: int
      must_contain:
        description: As O(must_contain).
        type: str
      must_not_contain:
        description: As O(must_not_contain).
        type: str
      use_regex:
        description: As O(use_regex).
        type: bool
      episode_filter:
        description: As O(episode_filter).
        type: str
      smart_filter:
        description: As O(smart_filter).
        type: bool
      affected_feeds:
        description: As O(affected_feeds).
        type: list
        elements: str
      ignore_days:
        description: As O(ignore_days).
        type: int
      category:
        description: As O(category).
        type: str
      tags:
        description: As O(tags).
        type: list
        elements: str
      save_path:
        description: As O(save_path).
        type: str
      download_path:
        description: As O(download_path).
        type: str
      stopped:
        description: As O(stopped).
        type: bool
      content_layout:
        description: As O(content_layout).
        type: str
        choices: [Default, Original, Subfolder, NoSubfolder]
      upload_limit:
        description: As O(upload_limit).
        type: int
      download_limit:
        description: As O(download_limit).
        type: int
      ratio_limit:
        description: As O(ratio_limit).
        type: float
      seeding_time_limit:
        description: As O(seeding_time_limit).
        type: int
      inactive_seeding_time_limit:
        description: As O(inactive_seeding_time_limit).
        type: int
      share_limit_action:
        description: As O(share_limit_action).
        type: str
        choices: [Default, Stop, Remove, RemoveWithContent, EnableSuperSeeding]
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
        default: present
  purge:
    description:
      - With O(rules), remove every rule of the server that the list does not name.
      - A purge with a list that declares nothing to keep (an empty list, say from a variable that templated to
        V([])) is refused before anything is written, unless O(allow_empty_purge=true).
    type: bool
    default: false
  allow_empty_purge:
    description:
      - Let O(purge) remove every rule of the server when O(rules) declares none to keep.
    type: bool
    default: false
notes:
  - Feeds are declared with M(community.qbittorrent.qbt_rss_feed); declare them before the rules that name them by
    path.
  - Which rules would match which articles right now can be read with M(community.qbittorrent.qbt_info)
    (O(community.qbittorrent.qbt_info#module:gather_subset=rss_matching)).
seealso:
  - module: community.qbittorrent.qbt_rss_feed
  - module: community.qbittorrent.qbt_info
"""

EXAMPLES = r"""
- name: Download each new episode of a show once, into its category, tagged
  community.qbittorrent.qbt_rss_rule:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    name: My Show
    must_contain: My Show 1080p
    must_not_contain: x265
    smart_filter: true
    affected_feeds:
      - Series\Anime
    category: tv
    tags: [rss, my-show]
    save_path: /data/tv/my-show

- name: Match with a regular expression, and add the torrents stopped
  community.qbittorrent.qbt_rss_rule:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    name: Debian netinst
    use_regex: true
    must_contain: '^debian-\d+\.\d+\.\d+-amd64-netinst'
    affected_feeds: [https://feeds.example.org/debian.xml]
    stopped: true

- name: Declare every rule of every server, removing the others
  module_defaults:
    group/community.qbittorrent.qbittorrent:
      url: "{{ qbt_url }}"
      api_key: "{{ qbt_api_key }}"
  community.qbittorrent.qbt_rss_rule:
    rules:
      - name: My Show
        must_contain: My Show 1080p
        smart_filter: true
        affected_feeds: [Series\Anime]
        category: tv
      - name: Other Show
        must_contain: Other Show
        episode_filter: 2x01-;
        affected_feeds: [Series\Drama]
        category: tv
        ratio_limit: 2.0
    purge: true

- name: Turn a rule off, keeping everything else about it
  community.qbittorrent.qbt_rss_rule:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    name: Other Show
    enabled: false

- name: Remove a rule
  community.qbittorrent.qbt_rss_rule:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    name: Old rule
    state: absent
"""

RETURN = r"""
rules:
  description:
    - Every rule of the server after the task (as predicted, in check mode), by name, in the options' names.
    - The options a server's version does not have are left out (on qBittorrent 4.5 C(priority), C(tags),
      C(download_path) and the limits; before 5.0 C(share_limit_action)).
    - C(stopped) is V(null) when the rule follows the global setting.
    - C(last_match) (the publication date of the last article the rule matched, or V('')) and
      C(previously_matched_episodes) (what the smart filter has downloaded) are maintained by the server.
  returned: success
  type: dict
  sample:
    My Show:
      name: My Show
      enabled: true
      priority: 0
      must_contain: My Show 1080p
      must_not_contain: ""
      use_regex: false
      episode_filter: ""
      smart_filter: true
      affected_feeds: [https://feeds.example.org/anime.xml]
      ignore_days: 0
      category: tv
      tags: [my-show, rss]
      save_path: /data/tv/my-show
      download_path: ""
      stopped: null
      content_layout: Default
      upload_limit: -1
      download_limit: -1
      ratio_limit: -2.0
      seeding_time_limit: -2
      inactive_seeding_time_limit: -2
      share_limit_action: Default
      last_match: "25 Nov 2026 06:09:04 +0000"
      previously_matched_episodes: [1x2]
diff:
  description: Before and after of what differs, per rule; created and removed rules show C(state).
  returned: in diff mode
  type: dict
"""

from ansible_collections.community.qbittorrent.plugins.module_utils._engine import (
    item_module_kwargs,
    item_module_spec,
    run_resource,
)
from ansible_collections.community.qbittorrent.plugins.module_utils._module import run_module
from ansible_collections.community.qbittorrent.plugins.module_utils._rss_rules import Rules

ARGUMENT_SPEC = item_module_spec(Rules)
MODULE_KWARGS = item_module_kwargs(Rules)


def run(task):
    return run_resource(task, Rules)


def main():
    run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)


if __name__ == "__main__":
    main()
