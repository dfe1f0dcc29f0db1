#!/usr/bin/python
# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: qbt_cookie
short_description: Declare the cookies qBittorrent sends when it downloads torrents and RSS feeds
version_added: 0.2.0
description:
  - Makes one cookie, or a whole set of cookies, of qBittorrent's cookie jar match what the task declares. qBittorrent
    sends these cookies when it downloads a C(.torrent) file or an RSS feed from a matching site (a private
    tracker's login cookie, say).
  - A cookie is identified by its O(domain), O(path) and O(name); the results name it C(<name>@<domain><path>), for
    example C(uid@tracker.example.org/).
  - qBittorrent replaces its whole jar in one request, so the task reads the jar, changes only the declared cookies
    and writes the jar back once; the cookies it does not declare are kept as they are (unless O(purge)).
  - Cookie values are secrets. They are never shown in results or in the diff, which says only that a value
    changed (V(******** (changed\))).
  - Needs qBittorrent 5.1.0 or later (WebAPI 2.11.3). On older servers the task fails with a message naming the
    release, or with O(fail_on_unimplemented_endpoint=false) warns and changes nothing.
author:
  - community.qbittorrent maintainers (@ansible-collections)
extends_documentation_fragment:
  - community.qbittorrent._connection
  - community.qbittorrent._attributes
  - community.qbittorrent._attributes.ACTIONGROUP
options:
  name:
    description:
      - The cookie's name, for a task about one cookie. Mutually exclusive with O(cookies).
      - A token as RFC 6265 defines it (letters, digits and C(!#$%&'*+-.^_`|~)).
    type: str
  domain:
    description:
      - The host the cookie is sent to, such as V(tracker.example.org); with a leading dot (V(.example.org)) it is
        sent to the domain and its subdomains. Not a URL. Required with O(name).
    type: str
  path:
    description:
      - The URL path the cookie is sent for (and below). If not given, V(/), every path of the site.
      - Part of what identifies the cookie, so a cookie with another path is another cookie.
    type: str
  value:
    description:
      - The cookie's value, a secret. Required with O(state=present).
      - No control characters and no C(;).
    type: str
  expiration:
    description:
      - When the cookie expires, in seconds since the epoch (UTC), as the site set it; C(app/cookies) calls it
        C(expirationDate).
      - qBittorrent drops cookies without an expiration (session cookies) and expired cookies when it restarts,
        so give one to keep the cookie. A new cookie without it is created as a session cookie, with a warning.
      - A time in the past is refused before anything is sent; to remove a cookie use O(state=absent).
      - Not given means an existing cookie keeps its expiration. Give a fixed time (copied from the browser or the
        site), not one computed from the current time, or every run changes the cookie.
    type: int
  state:
    description: Whether the cookie exists.
    type: str
    choices: [present, absent]
    default: present
  cookies:
    description:
      - A whole set of cookies in one task, each with the options above. Mutually exclusive with O(name).
      - Each cookie (name, domain and path) may appear once; the whole list is checked before anything is sent.
    type: list
    elements: dict
    suboptions:
      name:
        description: As O(name).
        type: str
        required: true
      domain:
        description: As O(domain).
        type: str
        required: true
      path:
        description: As O(path).
        type: str
      value:
        description: As O(value).
        type: str
      expiration:
        description: As O(expiration).
        type: int
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
        default: present
  purge:
    description:
      - With O(cookies), delete every cookie of the jar that the list does not declare.
      - A purge with a list that declares no cookie to keep (an empty list, say from a variable that templated to
        V([])) is refused before anything is sent, unless O(allow_empty_purge=true).
    type: bool
    default: false
  allow_empty_purge:
    description:
      - Let O(purge) delete every cookie when O(cookies) declares none to keep.
    type: bool
    default: false
notes:
  - Values are marked C(no_log), and the values of the cookies the task reads from the server are masked in every
    output too. As with any C(no_log) value, a very short value (V(1), say) masks that text wherever it appears in
    the task's output.
  - A value with non-ASCII characters is kept as UTF-8, the way qBittorrent stores values it is sent.
seealso:
  - module: community.qbittorrent.qbt_info
    description: Its C(cookies) subset lists the cookies, values masked.
"""

EXAMPLES = r"""
- name: Give qBittorrent the login cookie of a private tracker
  community.qbittorrent.qbt_cookie:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    domain: tracker.example.org
    name: uid
    value: "{{ vault_tracker_uid }}"
    expiration: 1830297600  # 2028-01-01, as the tracker set it

- name: Declare the whole jar, deleting every other cookie
  community.qbittorrent.qbt_cookie:
    url: http://127.0.0.1:8080
    api_key: "{{ qbt_api_key }}"
    cookies:
      - domain: tracker.example.org
        name: uid
        value: "{{ vault_tracker_uid }}"
        expiration: 1830297600
      - domain: tracker.example.org
        name: pass
        value: "{{ vault_tracker_pass }}"
        expiration: 1830297600
      - domain: .feeds.example.net
        path: /rss
        name: session
        value: "{{ vault_feed_session }}"
        expiration: 1830297600
    purge: true

- name: Delete a cookie
  community.qbittorrent.qbt_cookie:
    url: http://127.0.0.1:8080
    api_key: "{{ qbt_api_key }}"
    domain: old-tracker.example.org
    name: uid
    state: absent
"""

RETURN = r"""
cookies:
  description:
    - Every cookie of the jar after the task (as predicted, in check mode), by C(<name>@<domain><path>), values
      masked. C(expiration) is V(null) for a session cookie.
  returned: success
  type: dict
  sample:
    uid@tracker.example.org/: {name: uid, domain: tracker.example.org, path: /, value: "********",
                               expiration: 1830297600}
diff:
  description: Before and after of what differs, per cookie; created and deleted cookies show C(state). Values are
    masked.
  returned: in diff mode
  type: dict
"""

from ansible_collections.community.qbittorrent.plugins.module_utils._cookies import Cookies
from ansible_collections.community.qbittorrent.plugins.module_utils._engine import (
    item_module_kwargs,
    item_module_spec,
    run_resource,
)
from ansible_collections.community.qbittorrent.plugins.module_utils._module import run_module

ARGUMENT_SPEC = item_module_spec(Cookies)
MODULE_KWARGS = item_module_kwargs(Cookies)


def run(task):
    return run_resource(task, Cookies)


def main():
    run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)


if __name__ == "__main__":
    main()
