#!/usr/bin/python
# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: qbt_torrent_policy
short_description: Apply policies to the torrents of a qBittorrent server that match them
version_added: 0.2.0
description:
  - Declares what every torrent that matches a policy gets (tags, category, share and speed limits, automatic
    management, started, stopped or removed) and edits tracker URLs in bulk (replace by regular expression keeping
    the tier, remove, add), for torrents the playbook does not name, such as ones added by Sonarr, Radarr, RSS
    rules or a person in the WebUI.
  - One C(torrents/info) read per run, with the trackers in the same read on qBittorrent 5.1 and later. On 4.3 to
    4.5 the one read is C(sync/maindata), which lists every torrent's tracker URLs but not the trackers' messages.
    Otherwise, and for O(policies[].match.tracker_message) before 5.1, one C(torrents/trackers) read per torrent,
    made only for torrents that the other criteria of a policy that needs them already selected (and one
    C(torrents/properties) read per such torrent for O(policies[].match.private) before qBittorrent 5.0). With
    O(mode=first_match), not for a torrent that an earlier policy takes on what was already read.
  - Writes are grouped by value, one request per setter and value for all the torrents that need it. Tracker
    edits cannot be grouped, C(torrents/editTracker) takes one torrent per request on every version, and
    C(torrents/addTrackers) and C(torrents/removeTrackers) one before qBittorrent 5.2, so a rotation over N
    torrents costs N requests.
  - Every output (results, diff, warnings, errors) masks the secret parts of tracker URLs, see
    O(reveal_tracker_secrets).
author:
  - community.qbittorrent maintainers (@ansible-collections)
extends_documentation_fragment:
  - community.qbittorrent._connection
  - community.qbittorrent._attributes
  - community.qbittorrent._attributes.ACTIONGROUP
options:
  policies:
    description:
      - The policies, in order. See O(mode) for how they combine.
      - Every problem of every policy (an empty match, a bad regular expression, conflicting values) is reported in
        one message before any request but the version read.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The policy's name, unique in the task; results and messages name the policy by it.
        type: str
        required: true
      match:
        description:
          - Which torrents the policy applies to. Every criterion given must hold; a list criterion holds when
            any of its values does.
          - A match without criteria is refused unless it says O(policies[].match.all=true).
          - The torrents are matched as they are when the task reads them, before any policy changes them.
        type: dict
        suboptions:
          all:
            description: Match every torrent of the server; no other criterion can be given with it.
            type: bool
            default: false
          tracker_hosts:
            description:
              - Host name patterns (shell globs such as V(*.tracker.example), compared without case) of which at
                least one tracker of the torrent must match. V(*.tracker.example) does not match
                V(tracker.example) itself.
            type: list
            elements: str
          tracker_url:
            description: A Python regular expression that at least one tracker URL of the torrent must contain.
            type: str
          tracker_message:
            description:
              - A Python regular expression that the message of at least one tracker of the torrent must contain,
                such as V((?i\)unregistered) for torrents a tracker no longer knows.
              - qBittorrent has a tracker's message only after it announced to the tracker.
            type: str
          categories:
            description: Categories, one of which the torrent must have (V("") for no category).
            type: list
            elements: str
          tags_any:
            description: The torrent has at least one of these tags.
            type: list
            elements: str
          tags_all:
            description: The torrent has all of these tags.
            type: list
            elements: str
          tags_none:
            description: The torrent has none of these tags.
            type: list
            elements: str
          private:
            description:
              - Whether the torrent is private (from a private tracker). A magnet without metadata matches neither.
              - Needs qBittorrent 4.5.1 or later.
            type: bool
          name:
            description: A Python regular expression that the torrent's name must contain.
            type: str
          save_path_prefix:
            description: An absolute path; the torrent's save path must be it or under it.
            type: str
          states:
            description: The torrent's state must be one of these (qBittorrent 5 names on every version, as
              M(community.qbittorrent.qbt_torrent) reports them).
            type: list
            elements: str
            choices: [error, missingFiles, uploading, stoppedUP, queuedUP, stalledUP, checkingUP, forcedUP,
              allocating, downloading, metaDL, forcedMetaDL, stoppedDL, queuedDL, stalledDL, checkingDL,
              forcedDL, checkingResumeData, moving, unknown]
          min_size:
            description: The size of the torrent's selected files is at least this many bytes.
            type: int
          max_size:
            description: The size of the torrent's selected files is at most this many bytes.
            type: int
          min_ratio:
            description: The share ratio is at least this.
            type: float
          max_ratio:
            description: The share ratio is at most this.
            type: float
          min_seeding_time:
            description: The torrent has seeded at least this many minutes (needs qBittorrent 4.3.4 or later).
            type: int
          max_seeding_time:
            description: The torrent has seeded at most this many minutes (needs qBittorrent 4.3.4 or later).
            type: int
          added_before:
            description:
              - The torrent was added before this moment, an ISO 8601 date or date and time (UTC unless it says
                otherwise), seconds since the epoch, or an age such as V(30d), V(12h) or V(45m) before the task runs.
            type: str
          added_after:
            description: The torrent was added after this moment, given as for O(policies[].match.added_before).
            type: str
      set:
        description: What the matching torrents get. Only what differs is written.
        type: dict
        suboptions:
          add_tags:
            description: Tags to add (the other tags stay).
            type: list
            elements: str
          remove_tags:
            description: Tags to remove.
            type: list
            elements: str
          category:
            description: The category (V("") for none). It must exist, see M(community.qbittorrent.qbt_category).
            type: str
          ratio_limit:
            description: As in M(community.qbittorrent.qbt_torrent) (V(-2) the global limit, V(-1) no limit).
            type: float
          seeding_time_limit:
            description: Minutes, as in M(community.qbittorrent.qbt_torrent).
            type: int
          inactive_seeding_time_limit:
            description: Minutes, as in M(community.qbittorrent.qbt_torrent) (qBittorrent 4.6 or later).
            type: int
          share_limit_action:
            description: As in M(community.qbittorrent.qbt_torrent) (qBittorrent 5.2 or later).
            type: str
            choices: [Default, Stop, Remove, RemoveWithContent, EnableSuperSeeding]
          upload_limit:
            description: Bytes per second; V(0) or V(-1) for no limit.
            type: int
          download_limit:
            description: Bytes per second; V(0) or V(-1) for no limit.
            type: int
          auto_tmm:
            description: Automatic torrent management.
            type: bool
          state:
            description:
              - V(started) or V(stopped); V(absent) removes the matching torrents, and only a policy that says so
                removes any. No other value can be set with V(absent).
            type: str
            choices: [started, stopped, absent]
          delete_files:
            description: With O(policies[].set.state=absent), delete the torrents' data too.
            type: bool
            default: false
      trackers:
        description:
          - Tracker URL edits, applied in this order within a policy. Tracker URLs must use http, https, udp or ws.
        type: dict
        suboptions:
          replace:
            description:
              - Each tracker URL that O(policies[].trackers.replace[].regex) finds something in becomes the URL
                with what it found replaced (Python's C(re.sub), so V(\\1) is the first group). The tracker keeps
                its tier (C(torrents/editTracker)).
              - When the new URL is already a tracker of the torrent, the old one is removed instead.
            type: list
            elements: dict
            suboptions:
              regex:
                description: A Python regular expression.
                type: str
                required: true
              replacement:
                description: The replacement, with group references such as V(\\1).
                type: str
                required: true
          remove:
            description: Python regular expressions; the tracker URLs they find something in are removed.
            type: list
            elements: str
          add:
            description: Tracker URLs the torrents get when they lack them.
            type: list
            elements: str
  mode:
    description:
      - V(first_match) applies to each torrent the first policy that matches it; later policies do not apply to it.
      - V(all) applies every policy that matches, in order. When two of them set the same field, the later one
        wins; tags are added and removed in order; tracker edits apply to the URLs the earlier policies left; a
        policy with O(policies[].set.state=absent) removes the torrent and the later ones do not apply.
    type: str
    choices: [first_match, all]
    default: first_match
  max_changes:
    description:
      - The most torrents one run may change (removals included). When more would change, the task fails before
        writing anything, saying how many would change per policy; raise this value to let them.
    type: int
    default: 100
  reveal_tracker_secrets:
    description:
      - Show tracker URLs as they are.
      - By default the parts that look like a credential are replaced by C(********) in every output of the module
        (results, diff, warnings, errors), namely the user and password of a URL, and every path segment or query
        value made of 16 or more letters and digits (a passkey). A change of only such a part shows as the same
        masked URL before and after.
    type: bool
    default: false
notes:
  - The changes are read back for up to 30 seconds (qBittorrent applies state changes asynchronously); the task
    fails naming what the server did not keep.
  - In check mode the module reads the server and reports per torrent what a real run would change; it sends no
    write. O(max_changes) applies in check mode too.
  - The guide R(Policies for torrents you did not add,ansible_collections.community.qbittorrent.docsite.policies)
    explains the combinations and costs.
seealso:
  - module: community.qbittorrent.qbt_torrent
  - module: community.qbittorrent.qbt_info
"""

EXAMPLES = r"""
- name: Tag and limit a private tracker's torrents, stop tv after two weeks, rotate a passkey, drop unregistered
  community.qbittorrent.qbt_torrent_policy:
    max_changes: 500
    policies:
      - name: private tracker
        match:
          tracker_hosts: ["*.tracker.example"]
        set:
          add_tags: [private]
          ratio_limit: 2.0
          seeding_time_limit: 20160
      - name: tv stops after two weeks
        match:
          categories: [tv]
        set:
          seeding_time_limit: 20160
      - name: rotate the passkey
        match:
          tracker_hosts: [old.tracker.example]
        trackers:
          replace:
            - regex: "^https://old\\.tracker\\.example/(\\w+)/announce$"
              replacement: "https://new.tracker.example/\\1/announce"
      - name: unregistered
        match:
          tracker_message: "(?i)unregistered"
        set:
          state: absent

- name: Every matching policy applies, in order (a later value of the same field wins)
  community.qbittorrent.qbt_torrent_policy:
    mode: all
    policies:
      - name: everything seeds to 1.0
        match:
          all: true
        set:
          ratio_limit: 1.0
      - name: but linux images seed to 3.0
        match:
          name: "(?i)linux"
        set:
          ratio_limit: 3.0
          add_tags: [linux]

- name: Preview in check mode what a policy would change, torrent by torrent
  community.qbittorrent.qbt_torrent_policy:
    policies:
      - name: old stopped downloads
        match:
          states: [stoppedDL]
          added_before: 90d
        set:
          state: absent
          delete_files: true
  check_mode: true
  diff: true
  register: preview
"""

RETURN = r"""
torrents:
  description:
    - The torrents that changed (or would in check mode), with the policies that changed them.
    - Tracker URLs are masked unless O(reveal_tracker_secrets=true).
  returned: always
  type: list
  elements: dict
  contains:
    hash:
      description: The torrent's id (C(hash) of C(torrents/info)).
      type: str
    name:
      description: The torrent's name.
      type: str
    policies:
      description: The names of the policies whose values changed it.
      type: list
      elements: str
    changes:
      description: Per field, C(before) and C(after) (C(state) is V(started) or V(stopped), C(trackers) a list).
      type: dict
      returned: when the torrent is not removed
    removed:
      description: True for a torrent that a policy removes.
      type: bool
      returned: when the torrent is removed
    delete_files:
      description: Whether its data is deleted with it.
      type: bool
      returned: when the torrent is removed
  sample:
    - hash: 8c212779b4abde7c6bc608063a0d008b7e40ce32
      name: debian-12.iso
      policies: [private tracker]
      changes:
        tags: {before: [], after: [private]}
        ratio_limit: {before: -2, after: 2.0}
policies:
  description: Per policy in order, how many torrents it matched and the hashes of the torrents it changed.
  returned: always
  type: list
  elements: dict
  sample:
    - {name: private tracker, matched: 3, changed: 1, torrents: [8c212779b4abde7c6bc608063a0d008b7e40ce32]}
counts:
  description:
    - C(torrents) read, C(matched) by any policy, C(changed) (or that would change) and C(removed) of those.
  returned: always
  type: dict
  sample: {torrents: 120, matched: 3, changed: 1, removed: 0}
"""

from ansible_collections.community.qbittorrent.plugins.module_utils import _policies as P
from ansible_collections.community.qbittorrent.plugins.module_utils import _policy_read
from ansible_collections.community.qbittorrent.plugins.module_utils import _policy_results as R
from ansible_collections.community.qbittorrent.plugins.module_utils._gc import paused
from ansible_collections.community.qbittorrent.plugins.module_utils._module import masking_tracker_secrets, run_module

ARGUMENT_SPEC = P.ARGUMENT_SPEC
MODULE_KWARGS = {}


def run(task):
    return masking_tracker_secrets(task, apply)


def apply(task):
    client, params = task.client, task.params
    policies = P.declared(params, client)
    with paused():  # every torrent of the server, decoded and matched (_gc)
        entries = _policy_read.read(client, policies, params["mode"])
        plans = P.plan(client, policies, params["mode"], entries)
    P.guard(plans, params["max_changes"])
    changed = any(torrent.changing for torrent in plans)
    if changed and not task.check_mode:
        P.apply(client, plans)
        P.verify(client, plans)
    return R.result(policies, entries, plans, changed, task.diff)


def main():
    run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)


if __name__ == "__main__":
    main()
