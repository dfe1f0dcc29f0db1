#!/usr/bin/python
# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: qbt_rss_feed
short_description: Declare the RSS feeds and feed folders of a qBittorrent server
version_added: 0.1.0
description:
  - Makes one RSS feed or folder, or the whole feed tree, match what the task declares.
  - Items are addressed by their path in qBittorrent's RSS tree, with a backslash between the parts, as in
    V(Series\\Anime); the last part is the name qBittorrent shows. In YAML a backslash is an ordinary character in
    a plain or single-quoted string; in a double-quoted string write two.
  - An item with a URL (O(feed_url), or O(feeds[].url)) is a feed, an item without one is a folder.
  - One task reads the tree once, then writes only what differs, and reads it back to check that the server kept it.
  - Missing parent folders are created (see O(create_parents)).
  - qBittorrent fetches feeds by itself only while its preference C(rss_processing_enabled) is on (off by default;
    in the WebUI C(Options > RSS > Enable fetching RSS feeds)), every C(rss_refresh_interval) minutes (30 by
    default). Adding a feed while it is on fetches the feed at once.
author:
  - community.qbittorrent maintainers (@ansible-collections)
extends_documentation_fragment:
  - community.qbittorrent._connection
  - community.qbittorrent._attributes
  - community.qbittorrent._attributes.ACTIONGROUP
options:
  path:
    description:
      - The feed or folder, for a task about one item. Mutually exclusive with O(feeds).
      - Parts are separated by one backslash; no empty part, no backslash at the start or the end, no spaces at
        the start or the end (qBittorrent 5.0 and older strip them). C(/) is an ordinary character.
    type: str
  feed_url:
    description:
      - The feed's URL, for a task about one item (O(url) is the WebUI's address). Given, the item is a feed;
        not given, it is a folder.
      - A URL is unique on a server. If another feed already has it, the task fails, unless that feed is declared
        V(absent) in the same task (or removed by O(purge)); then the feed is moved to O(path) and keeps its
        articles and their read state.
      - Changing the URL of an existing feed uses C(rss/setFeedURL) on qBittorrent 4.6 and later, which keeps the
        feed's articles and read state and points the rules at the new URL. B(qBittorrent 4.5 and older have no
        way to change a URL;) the feed is removed and added again, so its articles and their read state are lost
        (articles the feed still serves count as new and unread, and auto-download rules may download them again),
        and the module points every rule that named the old URL at the new one. The task warns when it does this.
    type: str
  refresh_interval:
    description:
      - How often qBittorrent fetches this feed, in B(seconds). V(0) means the global
        C(rss_refresh_interval) preference (in minutes).
      - Needs qBittorrent 5.2 or later; see O(fail_on_unimplemented_endpoint) for older servers.
      - Not given means the current interval is kept (the global one for a new feed).
      - A feed that followed the global interval picks up a shorter one only after its next scheduled refresh.
    type: int
  state:
    description:
      - Whether the item exists. Removing a folder removes everything in it.
      - Rules keep naming the URL of a removed feed.
    type: str
    choices: [present, absent]
    default: present
  feeds:
    description:
      - A whole set of feeds and folders in one task, each with the options of the single form. Mutually exclusive with
        O(path).
      - Every path may appear once and every URL once; the whole list is checked before anything is written.
    type: list
    elements: dict
    suboptions:
      path:
        description: As O(path).
        type: str
        required: true
      url:
        description: As O(feed_url).
        type: str
        aliases: [feed_url]
      refresh_interval:
        description: As O(refresh_interval).
        type: int
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
        default: present
  purge:
    description:
      - With O(feeds), remove every feed and folder of the server that the list does not name.
      - The parent folders of declared items are kept.
      - A purge with a list that declares nothing to keep (an empty list, say from a variable that templated to
        V([])) is refused before anything is written, unless O(allow_empty_purge=true).
    type: bool
    default: false
  allow_empty_purge:
    description:
      - Let O(purge) remove every feed and folder of the server when O(feeds) declares none to keep.
    type: bool
    default: false
  create_parents:
    description:
      - Create missing parent folders of the declared items.
      - With V(false), a parent folder that neither exists nor is declared in the same task fails the task
        before anything is written.
    type: bool
    default: true
notes:
  - Folders are never moved; feeds are moved only as described under O(feed_url). Moving a folder in qBittorrent
    leaves the paths of its children stale until the next restart, and moving a folder into its own subfolder
    crashes qBittorrent 4.5 to 5.1.
  - A declared folder is compared only by its existence; items in it that the task does not name are left alone
    unless O(purge) is set.
  - A feed whose path is a folder on the server, or the other way round, fails the task; remove the item first.
  - Auto-download rules are declared with M(community.qbittorrent.qbt_rss_rule); they only add torrents while the
    preference C(rss_auto_downloading_enabled) is on.
seealso:
  - module: community.qbittorrent.qbt_rss_rule
  - module: community.qbittorrent.qbt_info
    description: >-
      Reads the feed tree, the rules and the articles with
      O(community.qbittorrent.qbt_info#module:gather_subset=rss).
"""

EXAMPLES = r"""
- name: Declare one feed in a folder (the folder is created when missing)
  community.qbittorrent.qbt_rss_feed:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    path: Series\Anime
    feed_url: https://feeds.example.org/anime.xml

- name: Give one feed its own refresh interval of 15 minutes (qBittorrent 5.2 or later)
  community.qbittorrent.qbt_rss_feed:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    path: Series\Anime
    feed_url: https://feeds.example.org/anime.xml
    refresh_interval: 900

- name: Declare the whole feed tree of every server, removing what it does not name
  module_defaults:
    group/community.qbittorrent.qbittorrent:
      url: "{{ qbt_url }}"
      api_key: "{{ qbt_api_key }}"
  community.qbittorrent.qbt_rss_feed:
    feeds:
      - path: Series
      - path: Series\Anime
        url: https://feeds.example.org/anime.xml
      - path: Series\Drama
        url: https://feeds.example.org/drama.xml
      - path: Linux\Debian
        url: https://feeds.example.org/debian.xml
    purge: true

- name: Move a feed to another folder, keeping its articles and read state
  community.qbittorrent.qbt_rss_feed:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    feeds:
      - path: Old\Anime
        state: absent
      - path: Series\Anime
        url: https://feeds.example.org/anime.xml

- name: Remove a folder and everything in it
  community.qbittorrent.qbt_rss_feed:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    path: Old
    state: absent
"""

RETURN = r"""
feeds:
  description:
    - Every feed and folder of the server after the task (as predicted, in check mode), by path, parents first.
    - A folder has C(path) and C(type) V(folder). A feed has C(type) V(feed), C(url), C(uid) (qBittorrent's
      identifier, V(null) for a feed check mode would add) and C(refresh_interval) in seconds (V(0) = the global
      interval, V(null) on servers older than qBittorrent 5.2).
  returned: success
  type: dict
  sample:
    Series: {path: Series, type: folder}
    Series\Anime:
      path: Series\Anime
      type: feed
      url: https://feeds.example.org/anime.xml
      uid: "{4c1b2e76-0d3f-4b8e-9f6a-2a51c0e5d1e2}"
      refresh_interval: 0
recreated:
  description:
    - The feeds that were removed and added again to change their URL (qBittorrent 4.5 and older, which have no
      C(rss/setFeedURL)); their articles and read state were lost.
  returned: success
  type: list
  elements: str
  sample: []
diff:
  description:
    - Before and after of what differs, per path. Created and removed items show C(state); a moved feed shows
      C(moved_to) and C(moved_from).
  returned: in diff mode
  type: dict
"""

from ansible_collections.community.qbittorrent.plugins.module_utils._engine import (
    item_module_kwargs,
    item_module_spec,
    run_resource,
)
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import ConnectionFailed, UnexpectedResponse
from ansible_collections.community.qbittorrent.plugins.module_utils._module import run_module
from ansible_collections.community.qbittorrent.plugins.module_utils._rss_feeds import Feeds

# 'url' is the WebUI's address (a connection option), so the top-level form names the feed's URL feed_url.
ARGUMENT_SPEC = item_module_spec(
    Feeds,
    single={"feed_url": {"type": "str"}, "refresh_interval": Feeds.fields["refresh_interval"].spec},
    create_parents={"type": "bool", "default": True},
)
MODULE_KWARGS = item_module_kwargs(Feeds)


def run(task):
    params = task.params
    single = (dict(params, url=params["feed_url"]), lambda field: "feed_url" if field == "url" else field)
    try:
        return run_resource(task, Feeds, single, item_options=("feed_url", "refresh_interval"))
    except (ConnectionFailed, UnexpectedResponse) as exc:
        if params["feeds"] is None and params["feed_url"] is None:
            # The commonest slip with this module: the feed's address written as url, which is the WebUI's.
            kind = ConnectionFailed if isinstance(exc, ConnectionFailed) else UnexpectedResponse
            raise kind(
                f"{exc}. Note: in qbt_rss_feed, url is the address of the qBittorrent WebUI; the feed's own address "
                "goes in feed_url"
            ) from exc
        raise


def main():
    run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)


if __name__ == "__main__":
    main()
