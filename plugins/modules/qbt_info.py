#!/usr/bin/python
# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: qbt_info
short_description: Read the state of a qBittorrent server
version_added: 0.1.0
description:
  - Reads what O(gather_subset) asks for from a qBittorrent server through its WebUI API.
  - Every subset costs at most a few requests; by default everything but the torrent list is gathered, because a
    server can hold thousands of torrents.
author:
  - community.qbittorrent maintainers (@ansible-collections)
extends_documentation_fragment:
  - community.qbittorrent._connection
  - community.qbittorrent._attributes.INFO_MODULE
  - community.qbittorrent._attributes.ACTIONGROUP
options:
  gather_subset:
    description:
      - What to read. V(all) reads everything, the torrents included.
      - V(version) reads the qBittorrent release, the WebAPI version, the build information and whether the
        collection supports that version.
      - V(preferences) reads the application preferences; the values of secret preferences
        (C(web_ui_api_key), C(proxy_password), C(mail_notification_password), C(dyndns_password)) are masked.
      - V(tags) needs qBittorrent 4.2 or later; on older servers it returns an empty list.
      - V(rss) reads the RSS feeds and folders and the auto-download rules (with their articles when
        O(rss_articles) is set).
      - V(rss_matching) reads, for each auto-download rule (or those in O(rss_rules)), the articles of its feeds
        the rule matches right now, as qBittorrent's rule editor shows them. It costs one request per rule and
        needs qBittorrent 4.2.5 or later (with V(all) it is skipped on older servers).
      - V(cookies) reads the cookie jar as M(community.qbittorrent.qbt_cookie) returns it, values masked; it needs
        qBittorrent 5.1 or later and returns an empty dict on older servers.
      - V(search_plugins) reads the search plugins as M(community.qbittorrent.qbt_search_plugin) returns them.
      - V(transfer) reads whether the alternative speed limits are on, as M(community.qbittorrent.qbt_transfer)
        declares them.
    type: list
    elements: str
    choices: [all, version, preferences, categories, tags, torrents, rss, rss_matching, cookies, search_plugins,
              transfer]
    default: [version, preferences, categories, tags]
  torrent_filters:
    description:
      - Which torrents to list when O(gather_subset) includes V(torrents) or V(all).
    type: dict
    suboptions:
      status:
        description:
          - A status filter. V(stopped) and V(paused) mean the same on every version (qBittorrent 5 renamed
            paused to stopped), as do V(running) and V(resumed).
        type: str
        choices: [all, downloading, seeding, completed, stopped, paused, running, resumed, active, inactive,
                  stalled, stalled_uploading, stalled_downloading, checking, moving, errored]
      category:
        description: Only torrents in this category; an empty string lists torrents without a category.
        type: str
      tag:
        description: Only torrents with this tag (qBittorrent 4.4 or later); an empty string lists untagged torrents.
        type: str
      hashes:
        description:
          - Only these torrents, by the hash qBittorrent shows for them.
          - Any number of hashes can be given; they are sent in chunks, so no request line exceeds 8 KiB (what a
            reverse proxy such as nginx accepts by default).
        type: list
        elements: str
  torrent_fields:
    description:
      - Return only these fields of each torrent (the names of RV(torrents); V(raw) is the entry as the server
        reports it). Without it, every field and V(raw) are returned.
      - A full read of a big server costs more on the controller than on the server. Every torrent is returned
        with about 25 fields plus its C(raw) entry of about 60, and Ansible copies the result on its way to the
        controller; the collection's docs/performance.md (Big servers) has the time and memory measured with
        20,000 torrents. Asking for a few fields, such as V(hash), V(name) and V(state), returns a fraction of
        that; a filter that selects fewer torrents makes it smaller still.
    type: list
    elements: str
    choices: [hash, infohash_v1, infohash_v2, name, progress, size, category, save_path, download_path, upload_limit,
              download_limit, ratio_limit, seeding_time_limit, inactive_seeding_time_limit, share_limit_action,
              share_limits_mode, auto_tmm, sequential_download, first_last_piece_priority, super_seeding, force_start,
              state, has_metadata, tags, raw]
    version_added: 0.2.0
  rss_articles:
    description:
      - With the V(rss) subset, also read each feed's articles and state (title, last build date, loading, error).
    type: bool
    default: false
  rss_rules:
    description:
      - With the V(rss_matching) subset, read the matching articles of these rules only (by name). A name that is
        not a rule of the server fails the task, listing the rules it has.
      - Without it (or with an empty list), every rule is read.
    type: list
    elements: str
    version_added: 0.2.0
  reveal_tracker_secrets:
    description:
      - Show the torrents' tracker URLs (C(raw.tracker) and C(raw.magnet_uri)) as they are.
      - By default the parts that look like a credential are replaced by C(********), namely the user and password
        of a URL, and every path segment or query value made of 16 or more letters and digits (a passkey). The info
        hashes of a magnet are not masked.
    type: bool
    default: false
    version_added: 0.2.0
"""

EXAMPLES = r"""
- name: Read the version, preferences, categories and tags
  community.qbittorrent.qbt_info:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
  register: qbt

- name: Show the qBittorrent release
  ansible.builtin.debug:
    msg: "{{ qbt.version.app }} (WebAPI {{ qbt.version.webapi }})"

- name: List the stopped torrents of one category, with an API key
  community.qbittorrent.qbt_info:
    url: https://qbt.example.org
    api_key: "{{ qbt_api_key }}"
    gather_subset: [torrents]
    torrent_filters:
      status: stopped
      category: movies
  register: stopped

- name: Use the connection options of the action group
  module_defaults:
    group/community.qbittorrent.qbittorrent:
      url: "{{ qbt_url }}"
      username: admin
      password: "{{ qbt_password }}"
  block:
    - name: Read the categories
      community.qbittorrent.qbt_info:
        gather_subset: [categories]

- name: Read the RSS feeds, their articles and the auto-download rules
  community.qbittorrent.qbt_info:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    gather_subset: [rss]
    rss_articles: true
  register: rss

- name: See which articles the rule My Show would download now (before enabling it, for instance)
  community.qbittorrent.qbt_info:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    gather_subset: [rss_matching]
    rss_rules: [My Show]
  register: preview

- name: List the torrents tagged linux; tags and states read as qbt_torrent declares them
  community.qbittorrent.qbt_info:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    gather_subset: [torrents]
  register: all_torrents

- name: Show their names and the server's own entry of the first one
  ansible.builtin.debug:
    msg:
      - "{{ all_torrents.torrents | selectattr('tags', 'contains', 'linux') | map(attribute='name') | list }}"
      - "{{ (all_torrents.torrents | first).raw | default({}) }}"
"""

RETURN = r"""
version:
  description: The server's versions.
  returned: when O(gather_subset) includes V(version)
  type: dict
  contains:
    app:
      description: The qBittorrent release.
      type: str
      sample: v5.1.0
    webapi:
      description: The WebAPI version.
      type: str
      sample: 2.11.4
    build_info:
      description: Qt, libtorrent, Boost, OpenSSL and zlib versions (qBittorrent 4.2 or later, else empty).
      type: dict
      sample: {qt: 6.8.2, libtorrent: 2.0.11.0, bitness: 64}
    supported:
      description: Whether this collection supports the server's version.
      type: bool
      sample: true
preferences:
  description: The application preferences as the server reports them, secrets masked.
  returned: when O(gather_subset) includes V(preferences)
  type: dict
  sample: {save_path: /downloads, dl_limit: 0, proxy_password: "********"}
categories:
  description:
    - The categories by name. Their C(download_path) is V(null) when the category follows the global
      setting, V(false) when it is disabled for the category, and a path when it is enabled.
  returned: when O(gather_subset) includes V(categories)
  type: dict
  sample: {movies: {name: movies, save_path: /data/movies, download_path: null}}
search_plugins:
  description: The search plugins by name, as qbt_search_plugin returns them.
  returned: when O(gather_subset) includes V(search_plugins)
  type: dict
  version_added: 0.2.0
  sample: {loopbacktest: {name: loopbacktest, enabled: true, version: "1.0", full_name: Loopback test,
           url: "http://127.0.0.1:8000", supported_categories: [all]}}
transfer:
  description: The transfer mode, as qbt_transfer declares it.
  returned: when O(gather_subset) includes V(transfer)
  type: dict
  version_added: 0.2.0
  sample: {alternative_speed_limits: false}
cookies:
  description: The cookies by C(<name>@<domain><path>), values masked (V(********)), as qbt_cookie returns them.
  returned: when O(gather_subset) includes V(cookies)
  type: dict
  version_added: 0.2.0
tags:
  description: The tags, sorted.
  returned: when O(gather_subset) includes V(tags)
  type: list
  elements: str
  sample: [hd, linux]
torrents:
  description:
    - The torrents, each in the names M(community.qbittorrent.qbt_torrent) returns and takes as options
      (C(upload_limit), not C(up_limit); C(tags) a sorted list, not a comma-separated string), in the order the
      server lists them.
    - C(state) uses qBittorrent 5 names on every version (C(stoppedUP) and C(stoppedDL), never C(pausedUP)).
    - Fields the server's version does not report (such as C(share_limit_action) before 5.2) are left out.
    - C(raw) is the entry exactly as qBittorrent's C(torrents/info) reports it, for the fields not listed here
      (sizes, speeds, dates, ratio, ...).
  returned: when O(gather_subset) includes V(torrents)
  type: list
  elements: dict
  contains:
    hash:
      description: qBittorrent's id of the torrent (the v1 hash, or the truncated v2 hash).
      type: str
    infohash_v1:
      description: The v1 info hash, empty for a pure v2 torrent (qBittorrent 4.4+).
      type: str
    infohash_v2:
      description: The v2 info hash, empty for a v1 torrent (qBittorrent 4.4+).
      type: str
    name:
      description: The torrent's name.
      type: str
    state:
      description: qBittorrent's state in qBittorrent 5 names, such as C(stalledUP), C(stoppedDL) or C(metaDL).
      type: str
    progress:
      description: Progress from 0 to 1.
      type: float
    size:
      description: The size of the torrent's selected files in bytes (0 before a magnet has its metadata).
      type: int
      version_added: 0.2.0
    has_metadata:
      description: Whether the torrent has its metadata (a magnet gets it from peers).
      type: bool
    category:
      description: The category, empty for none.
      type: str
    tags:
      description: The tags, sorted.
      type: list
      elements: str
    save_path:
      description: The save path.
      type: str
    download_path:
      description: The download path, empty when off (qBittorrent 4.4+).
      type: str
    upload_limit:
      description: Upload limit in bytes per second, 0 for unlimited.
      type: int
    download_limit:
      description: Download limit in bytes per second, 0 for unlimited.
      type: int
    ratio_limit:
      description: Share ratio limit (-2 global, -1 none).
      type: float
    seeding_time_limit:
      description: Seeding time limit in minutes (-2 global, -1 none).
      type: int
    inactive_seeding_time_limit:
      description: Inactive seeding time limit in minutes (qBittorrent 4.6+).
      type: int
    share_limit_action:
      description: The action when a share limit is reached (qBittorrent 5.2+).
      type: str
    share_limits_mode:
      description: How the share limits apply (qBittorrent 5.3+).
      type: str
    auto_tmm:
      description: Automatic Torrent Management.
      type: bool
    sequential_download:
      description: Sequential download.
      type: bool
    first_last_piece_priority:
      description: First and last pieces first.
      type: bool
    super_seeding:
      description: Super seeding.
      type: bool
    force_start:
      description: Force start.
      type: bool
    raw:
      description:
        - The entry as C(torrents/info) reports it, unchanged (4.x state names, tags as one comma-separated
          string).
      type: dict
  sample:
    - hash: 8c212779b4abde7c6bc608063a0d008b7e40ce32
      infohash_v1: 8c212779b4abde7c6bc608063a0d008b7e40ce32
      infohash_v2: ""
      name: debian.iso
      state: stoppedUP
      progress: 1
      has_metadata: true
      category: isos
      tags: [iso, linux]
      save_path: /data/isos
      upload_limit: 0
      raw: {hash: 8c212779b4abde7c6bc608063a0d008b7e40ce32, state: pausedUP, tags: "linux, iso", up_limit: 0}
rss:
  description: The RSS feeds and folders and the auto-download rules.
  returned: when O(gather_subset) includes V(rss)
  type: dict
  contains:
    feeds:
      description:
        - Every feed and folder by its path in the RSS tree (parts separated by a backslash), parents first, as
          M(community.qbittorrent.qbt_rss_feed) returns them.
        - With O(rss_articles), each feed also has C(title), C(last_build_date), C(is_loading), C(has_error) and
          C(articles), a list of the feed's articles as qBittorrent reports them (C(id), C(title), C(date),
          C(torrentURL), C(isRead) once read, and more). Their order is not meaningful.
      type: dict
      sample:
        Series: {path: Series, type: folder}
        Series\Anime: {path: Series\Anime, type: feed, url: https://feeds.example.org/anime.xml,
                        uid: "{4c1b2e76-0d3f-4b8e-9f6a-2a51c0e5d1e2}", refresh_interval: 0}
    rules:
      description:
        - Every auto-download rule by name, in the option names of M(community.qbittorrent.qbt_rss_rule), with the
          server-maintained C(last_match) and C(previously_matched_episodes). Their C(tags) are sorted.
      type: dict
      sample: {My Show: {name: My Show, enabled: true, must_contain: My Show 1080p, category: tv, last_match: ""}}
rss_matching:
  description:
    - For each auto-download rule (those in O(rss_rules), or all), the titles of the articles it matches right now,
      by the path of the feed they are in. A rule without matches has an empty dict.
    - This is what the rule would download from the articles the server has now, whether or not the rule is
      enabled and whether or not an article was already read or downloaded. Its smart episode filter and
      C(ignore_days) count, so an episode the rule has already downloaded no longer matches.
    - When two of a rule's feeds have the same name in different folders, qBittorrent reports the matches of only
      one of them, under the feed's name instead of its path.
  returned: when O(gather_subset) includes V(rss_matching) (or V(all)) and the server has it (qBittorrent 4.2.5+)
  type: dict
  sample:
    My Show: {Series\Shows: [My Show S01E02 1080p, My Show S01E03 1080p]}
    Other show: {}
api_calls:
  description: The HTTP calls the task made (method, endpoint, status, milliseconds), when run with C(-vvv) or more.
  returned: when the verbosity is 3 or more
  type: list
  elements: dict
"""

from ansible_collections.community.qbittorrent.plugins.module_utils import (
    _categories,
    _cookies,
    _fields,
    _search_plugins,
    _trackers,
    _transfer,
)
from ansible_collections.community.qbittorrent.plugins.module_utils import _rss_info as rss
from ansible_collections.community.qbittorrent.plugins.module_utils import _torrents as T
from ansible_collections.community.qbittorrent.plugins.module_utils._diff import mask_keys
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput
from ansible_collections.community.qbittorrent.plugins.module_utils._module import run_module
from ansible_collections.community.qbittorrent.plugins.module_utils._preference_table import SECRET_KEYS
from ansible_collections.community.qbittorrent.plugins.module_utils._versions import (
    is_app_version_supported,
    is_webapi_version_supported,
)

SUBSETS = [
    "version", "preferences", "categories", "tags", "torrents", "rss", "rss_matching", "cookies", "search_plugins",
    "transfer",
]  # fmt: skip

ARGUMENT_SPEC = {
    "gather_subset": {
        "type": "list",
        "elements": "str",
        "choices": ["all", *SUBSETS],
        "default": ["version", "preferences", "categories", "tags"],
    },
    "torrent_filters": {
        "type": "dict",
        "options": {
            "status": {
                "type": "str",
                "choices": [
                    "all", "downloading", "seeding", "completed", "stopped", "paused", "running", "resumed",
                    "active", "inactive", "stalled", "stalled_uploading", "stalled_downloading", "checking",
                    "moving", "errored",
                ],
            },
            "category": {"type": "str"},
            "tag": {"type": "str"},
            "hashes": {"type": "list", "elements": "str"},
        },
    },
    "torrent_fields": {"type": "list", "elements": "str", "choices": list(T.VIEW_FIELDS)},
    "rss_articles": {"type": "bool", "default": False},
    "rss_rules": {"type": "list", "elements": "str"},
    "reveal_tracker_secrets": {"type": "bool", "default": False},
}  # fmt: skip
MODULE_KWARGS = {}


def read_version(client):
    app = client.app_version
    webapi = str(client.webapi_version)
    build_info = client.get_json("app/buildInfo") if client.supports("app/buildInfo") else {}
    supported = is_app_version_supported(app) and is_webapi_version_supported(webapi)
    return {"app": app, "webapi": webapi, "build_info": build_info or {}, "supported": supported}


def run(task):
    client, params = task.client, task.params
    subsets = set(params["gather_subset"])
    if "all" in subsets:
        subsets = set(SUBSETS)
    if params["rss_rules"] is not None and "rss_matching" not in subsets:
        raise InvalidInput("rss_rules: it only selects rules for the rss_matching subset; add rss_matching to "
                           "gather_subset, or remove rss_rules")  # fmt: skip
    rule_names = [_fields.text(f"rss_rules[{index}]", name, "rule name")
                  for index, name in enumerate(params["rss_rules"] or [])]  # fmt: skip
    result = {"changed": False}
    if "version" in subsets:
        result["version"] = read_version(client)
    if "preferences" in subsets:
        # the table of secret keys, not _preferences (qbt_preferences' task): every file this module imports is in
        # its payload, which the controller builds and every module process loads (docs/performance.md, Over SSH)
        result["preferences"], secrets = mask_keys(client.get_json("app/preferences"), SECRET_KEYS)
        for secret in secrets:
            task.no_log(secret)
    if "categories" in subsets:
        result["categories"] = _categories.read(client)
    if "tags" in subsets:
        tags = client.get_json("torrents/tags") if client.supports("torrents/tags") else []
        result["tags"] = _fields.normalize_tags(tags or [])
    if "torrents" in subsets:
        torrents = T.read_views(client, params["torrent_filters"], params["torrent_fields"])
        # tracker URLs (raw tracker, magnet_uri) carry passkeys: masked unless the task reveals them
        result["torrents"] = torrents if params["reveal_tracker_secrets"] else _trackers.mask_torrent_urls(torrents)
    if "rss" in subsets:
        result["rss"] = rss.read_rss(client, params["rss_articles"])
    if "rss_matching" in subsets:
        matching = rss.read_matching(client, rule_names, "rss_matching" in params["gather_subset"])
        if matching is not None:
            result["rss_matching"] = matching
    if "cookies" in subsets:
        result["cookies"] = _cookies.masked(_cookies.read(client, task)) if client.supports("app/cookies") else {}
    if "search_plugins" in subsets:
        result["search_plugins"] = _search_plugins.read(client) if client.supports("search/plugins") else {}
    if "transfer" in subsets:
        result["transfer"] = {"alternative_speed_limits": _transfer.read_mode(client)}
    return result


def main():
    run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)


if __name__ == "__main__":
    main()
