#!/usr/bin/python
# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: qbt_torrent
short_description: Declare the torrents of a qBittorrent server, one or hundreds per task
version_added: 0.1.0
description:
  - Adds, removes, starts, stops and configures torrents, and keeps them as declared.
  - A torrent is identified by its info hash, which the module computes from O(source) before it talks to the
    server, so a repeated run never adds a duplicate and never depends on a name. v1, v2 and hybrid torrents
    are matched by any of their hashes and by qBittorrent's own id (the truncated v2 hash).
  - Only the properties a task declares are compared, and only those that differ are changed. Every change is
    read back; a value the server did not keep fails the task.
  - Many torrents in one task (O(torrents)) cost one read of the declared torrents (by their ids, never a read of
    every torrent on the server), one C(torrents/add) per set of identical add options, and one call per setter
    and value for all torrents that need it. A repeated run sends no write at all.
  - Long lists are split so that no request line exceeds 8 KiB, what a reverse proxy such as nginx accepts by
    default. A read names at most 142 torrents, a write at most about 1,100.
  - A torrent declared by a v1 hash alone (a hash, or a magnet without a v2 hash) that the server does not list
    under that id may be a hybrid torrent the server knows by its v2 hash; the module then also reads the
    torrents that have a v2 hash, a read that costs the server about a third of a read of every torrent.
  - Differences between qBittorrent versions are handled by the module (pause/resume or stop/start, the
    answers of C(torrents/add), the fields C(torrents/setShareLimits) requires, the tracker endpoints). What
    C(torrents/add) does not take on an older server (O(tags) before qBittorrent 4.3.2, O(ratio_limit) and
    O(seeding_time_limit) before 4.3.4) is set right after adding, and read back like every change.
  - qBittorrent before 4.4 (built on libtorrent 1.2) has no BitTorrent v2. A v2-only torrent (a v2 .torrent file,
    or a magnet with only C(xt=urn:btmh:)) is refused there before anything is written, and a hybrid torrent is
    the v1 torrent that server knows, by its v1 hash (which is then its id).
author:
  - community.qbittorrent maintainers (@ansible-collections)
extends_documentation_fragment:
  - community.qbittorrent._connection
  - community.qbittorrent._attributes
  - community.qbittorrent._attributes.ACTIONGROUP
options:
  source:
    description:
      - Where the torrent comes from. Mutually exclusive with O(hash) and O(torrents).
      - A magnet URI with C(xt=urn:btih:) (40 hex or 32 base32 characters), C(xt=urn:btmh:1220...) (v2), or both
        (hybrid).
      - An C(http://) or C(https://) URL of a .torrent file. The module downloads it itself (TLS certificates are
        checked unless O(validate_certs=false)), computes the hash and uploads the bytes, so a download failure
        fails the task at once instead of failing silently on the server later.
      - An absolute path (or C(~/...)) to a .torrent file on the machine that runs the module.
      - A malformed magnet or .torrent file fails the task before any request is sent.
    type: str
  hash:
    description:
      - An existing torrent, by its v1 hash (40 hex), v2 hash (64 hex) or qBittorrent's id, for tasks that change
        or remove a torrent without its source. Mutually exclusive with O(source) and O(torrents).
      - If no torrent matches, the task fails, unless O(state=absent).
    type: str
  state:
    description:
      - V(present) adds the torrent if it is missing and leaves its run state alone.
      - V(started) and V(stopped) also start or stop it. V(paused) is the same as V(stopped) (the name before
        qBittorrent 5.0).
      - V(absent) removes it (see O(delete_files)); it cannot be combined with properties.
    type: str
    choices: [present, started, stopped, paused, absent]
    default: present
  delete_files:
    description: With O(state=absent), also delete the torrent's downloaded data.
    type: bool
    default: false
  save_path:
    description:
      - Where the data is kept, an absolute path on the qBittorrent server. Changing it moves the data and turns
        Automatic Torrent Management off for the torrent, as qBittorrent does.
    type: str
  download_path:
    description:
      - Where incomplete data is kept, an absolute path on the server; V("") turns the download path off.
        Changing it turns Automatic Torrent Management off. Needs qBittorrent 4.4 or later.
    type: str
  category:
    description:
      - The torrent's category; V("") means no category.
      - The category must exist, or O(create_category=true) creates it.
    type: str
  create_category:
    description: Create O(category) when the server does not have it.
    type: bool
    default: false
  tags:
    description:
      - Tags of the torrent. Missing tags are created on the server.
      - With O(purge_tags=false) the listed tags are added and other tags are kept.
    type: list
    elements: str
  purge_tags:
    description: The torrent has exactly the tags in O(tags), no others (V([]) removes every tag).
    type: bool
    default: false
  name:
    description: The torrent's name in qBittorrent (a rename; the files keep their names).
    type: str
  upload_limit:
    description: Upload limit in bytes per second; V(0) (or V(-1)) means unlimited.
    type: int
  download_limit:
    description: Download limit in bytes per second; V(0) (or V(-1)) means unlimited.
    type: int
  ratio_limit:
    description:
      - Share ratio limit; V(-2) follows the global setting, V(-1) means no limit, otherwise 0 to 9998.
    type: float
  seeding_time_limit:
    description:
      - Seeding time limit in minutes; V(-2) follows the global setting, V(-1) means no limit, otherwise 0 to
        525600.
    type: int
  inactive_seeding_time_limit:
    description:
      - Inactive seeding time limit in minutes; V(-2) global, V(-1) no limit, otherwise 0 to 525600. Needs
        qBittorrent 4.6 or later.
    type: int
  share_limit_action:
    description:
      - What qBittorrent does when a share limit is reached; V(Default) follows the global setting. Needs
        qBittorrent 5.2 or later (earlier versions do not report it, so it could not be checked).
    type: str
    choices: [Default, Stop, Remove, RemoveWithContent, EnableSuperSeeding]
  auto_tmm:
    description:
      - Automatic Torrent Management (the category decides the save path). V(true) cannot be combined with
        O(save_path) or O(download_path).
    type: bool
  sequential_download:
    description: Download pieces in order. qBittorrent only toggles it, so the module reads it first.
    type: bool
  first_last_piece_priority:
    description:
      - Download the first and last pieces first. qBittorrent only toggles it, so the module reads it first.
      - qBittorrent before 4.3.0 cannot keep it on a complete torrent (it always reads false there), so V(true) is
        refused there for a complete torrent.
    type: bool
  super_seeding:
    description: Super seeding mode.
    type: bool
  force_start:
    description:
      - Force start (ignores the queue limits). V(true) starts the torrent, so it cannot be combined with
        O(state=stopped); stopping a torrent turns force start off.
    type: bool
  trackers:
    description:
      - Tracker URLs of the torrent. Missing ones are added; with O(purge_trackers=true) the others are removed.
      - The module does not manage tracker tiers.
    type: list
    elements: str
  purge_trackers:
    description: The torrent has exactly the trackers in O(trackers), no others (V([]) removes every tracker).
    type: bool
    default: false
  skip_checking:
    description: Only when adding. Trust the data at the save path without checking it.
    type: bool
  content_layout:
    description:
      - Only when adding. How the torrent's files are laid out under the save path (qBittorrent 4.3.2+).
      - V(Original) keeps the torrent's own layout, V(Subfolder) puts every torrent's files in a folder named like
        the torrent, V(NoSubfolder) drops the torrent's top folder. Unset, the server's default applies
        (O(community.qbittorrent.qbt_preferences#module:preferences) C(torrent_content_layout)).
      - "Existing data must be laid out the same way to be found: with V(Subfolder) the file of a one-file torrent
        called C(movie.mkv) is looked for at C(<save_path>/movie/movie.mkv)."
    type: str
    choices: [Original, Subfolder, NoSubfolder]
  add_to_top_of_queue:
    description: Only when adding. Put the torrent at the top of the queue (qBittorrent 4.6+).
    type: bool
  stop_condition:
    description: Only when adding. Stop the torrent when its metadata arrived or its files were checked (4.5+).
    type: str
    choices: [None, MetadataReceived, FilesChecked]
  wait:
    description:
      - Wait, after every change, until the torrent has its V(metadata), has its files V(checked), or is
        V(completed) (progress 1). V(none) does not wait.
      - The wait is bounded by O(wait_timeout); a timeout, or a torrent whose files are missing or in error,
        fails the task naming the torrent and its state. Check mode does not wait.
    type: str
    choices: [none, metadata, checked, completed]
    default: none
  wait_timeout:
    description: Seconds to wait for O(wait), for all torrents of the task together.
    type: float
    default: 120
  reveal_tracker_secrets:
    description:
      - Show tracker URLs and magnets in the results, the diff, warnings and errors as they are.
      - By default the parts that look like a credential are replaced by C(********), namely the user and password
        of a URL, and every path segment or query value made of 16 or more letters and digits (a passkey). A change
        of only such a part shows as the same masked URL before and after.
    type: bool
    default: false
    version_added: 0.2.0
  torrents:
    description:
      - Many torrents in one task, each a dictionary with the options of the single form (O(torrents[].source) or
        O(torrents[].hash), O(torrents[].state), properties...). Mutually exclusive with O(source) and O(hash);
        per-torrent options are then only given inside the items.
      - The whole list is checked (and every source read) before anything is written; each torrent may appear once.
    type: list
    elements: dict
    suboptions:
      source:
        description: As O(source).
        type: str
      hash:
        description: As O(hash).
        type: str
      state:
        description: As O(state).
        type: str
        choices: [present, started, stopped, paused, absent]
        default: present
      delete_files:
        description: As O(delete_files).
        type: bool
        default: false
      save_path:
        description: As O(save_path).
        type: str
      download_path:
        description: As O(download_path).
        type: str
      category:
        description: As O(category).
        type: str
      create_category:
        description: As O(create_category).
        type: bool
        default: false
      tags:
        description: As O(tags).
        type: list
        elements: str
      purge_tags:
        description: As O(purge_tags).
        type: bool
        default: false
      name:
        description: As O(name).
        type: str
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
      auto_tmm:
        description: As O(auto_tmm).
        type: bool
      sequential_download:
        description: As O(sequential_download).
        type: bool
      first_last_piece_priority:
        description: As O(first_last_piece_priority).
        type: bool
      super_seeding:
        description: As O(super_seeding).
        type: bool
      force_start:
        description: As O(force_start).
        type: bool
      trackers:
        description: As O(trackers).
        type: list
        elements: str
      purge_trackers:
        description: As O(purge_trackers).
        type: bool
        default: false
      skip_checking:
        description: As O(skip_checking).
        type: bool
      content_layout:
        description: As O(content_layout).
        type: str
        choices: [Original, Subfolder, NoSubfolder]
      add_to_top_of_queue:
        description: As O(add_to_top_of_queue).
        type: bool
      stop_condition:
        description: As O(stop_condition).
        type: str
        choices: [None, MetadataReceived, FilesChecked]
      wait:
        description: As O(wait).
        type: str
        choices: [none, metadata, checked, completed]
        default: none
notes:
  - A magnet stays in the metadata state until peers send the metadata; properties that need the files (such as
    a completed wait) cannot be reached before that.
  - Adding options (O(skip_checking), O(content_layout), O(add_to_top_of_queue), O(stop_condition)) are only
    used when the torrent is added; they are never compared later.
  - Changes are read back for up to 30 seconds (qBittorrent applies state changes and moves asynchronously). Data
    still being moved after that only gets a warning. qBittorrent 5 applies a new O(download_path) of an
    incomplete torrent only once it has moved the data, which a stopped torrent whose files were never checked
    does not do; the task then fails naming the value the server kept.
  - In check mode the module reads the sources and the server's torrents, and reports what a real run would
    change; it sends no write and does not wait.
"""

EXAMPLES = r"""
- name: Add a torrent from a .torrent file on the controller and wait until its data is checked and complete
  community.qbittorrent.qbt_torrent:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    source: /srv/torrents/debian-12.iso.torrent
    save_path: /data/isos
    category: isos
    create_category: true
    tags: [linux, iso]
    state: started
    wait: completed
    wait_timeout: 600

- name: Add a magnet, stopped, with limits and an extra (loopback) tracker
  community.qbittorrent.qbt_torrent:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    source: "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=example"
    state: stopped
    upload_limit: 102400
    ratio_limit: 2.0
    trackers: [http://127.0.0.1:6969/announce]

- name: Change a torrent known by its hash, and keep exactly these tags
  community.qbittorrent.qbt_torrent:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    hash: 8c9a5ab4e8e4a3a5a3c0f8f3e0e4b1c2d3e4f5a6
    name: Better name
    tags: [keep]
    purge_tags: true

- name: Declare many torrents in one task, with the connection options set once for the collection
  module_defaults:
    group/community.qbittorrent.qbittorrent:
      url: "{{ qbt_url }}"
      api_key: "{{ qbt_api_key }}"
  block:
    - name: Add or update every torrent of the list (one read, one add, grouped changes)
      community.qbittorrent.qbt_torrent:
        torrents:
          - source: /srv/torrents/one.torrent
            save_path: /data/one
            tags: [batch]
          - source: https://example.org/two.torrent
            save_path: /data/two
            tags: [batch]
            state: stopped
          - source: "magnet:?xt=urn:btmh:1220d8dd32ac93357c368556af3ac1d95c9d76bd0dff6fa9833ecdac3d53134efabb"
            save_path: /data/three
            wait: metadata
        wait_timeout: 300
      register: batch

    - name: Remove two torrents, and the data of one of them
      community.qbittorrent.qbt_torrent:
        torrents:
          - hash: 8c9a5ab4e8e4a3a5a3c0f8f3e0e4b1c2d3e4f5a6
            state: absent
            delete_files: true
          - source: https://example.org/old.torrent
            state: absent
"""

RETURN = r"""
torrents:
  description:
    - Each declared torrent after the task, in the order of the task (as predicted, in check mode).
    - Fields qBittorrent does not report on the server's version (such as C(share_limit_action) before 5.2)
      are left out. C(state) uses qBittorrent 5 names (C(stoppedUP), not C(pausedUP)).
    - C(trackers) is there when the task declared trackers. A removed or missing torrent has C(present=false).
  returned: success
  type: list
  elements: dict
  contains:
    present:
      description: Whether the torrent is on the server.
      type: bool
    hash:
      description:
        - qBittorrent's id of the torrent (the v1 hash, or the truncated v2 hash); before qBittorrent 4.4 always
          the v1 hash.
      type: str
    infohash_v1:
      description: The v1 info hash, empty for a pure v2 torrent.
      type: str
    infohash_v2:
      description: The v2 info hash, empty for a v1 torrent and on qBittorrent before 4.4, which has no v2.
      type: str
    name:
      description: The torrent's name.
      type: str
    state:
      description: qBittorrent's state, such as C(stalledUP), C(stoppedDL) or C(metaDL).
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
      description: The download path, empty when off.
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
    trackers:
      description: Tracker URLs (without qBittorrent's DHT, PeX and LSD entries).
      type: list
      elements: str
  sample:
    - present: true
      hash: 1d0b2b6961c3acfe16d2c1b17592fea6473b5f43
      infohash_v1: 19f3de4d5c119a29a7488f322d974283e1e576f8
      infohash_v2: 1d0b2b6961c3acfe16d2c1b17592fea6473b5f435c725c88eabd7c7c2eac4c5d
      name: example
      state: stalledUP
      progress: 1
      category: isos
      tags: [iso, linux]
      save_path: /data/isos
torrent:
  description: The one torrent of a task with O(source) or O(hash), as in RV(torrents).
  returned: success, without O(torrents)
  type: dict
added:
  description: The ids of the torrents the task added (would add, in check mode).
  returned: success
  type: list
  elements: str
removed:
  description: The ids of the torrents the task removed (would remove, in check mode).
  returned: success
  type: list
  elements: str
deleted_data:
  description:
    - The torrents removed with O(delete_files=true), whose data on the server is deleted (would be, in check
      mode), with their C(name), C(save_path) and C(size) in bytes. The diff shows the same, so a check run says
      before anything happens which data a task would delete.
  returned: success
  type: list
  elements: dict
  version_added: 0.2.0
  sample: [{hash: 8c212779b4abde7c6bc608063a0d008b7e40ce32, name: debian.iso, save_path: /data, delete_files: true,
            size: 661651456}]
diff:
  description: Before and after of what differs, per torrent id; added and removed torrents show C(state).
  returned: in diff mode
  type: dict
"""
from ansible_collections.community.qbittorrent.plugins.module_utils._engine import converge
from ansible_collections.community.qbittorrent.plugins.module_utils._module import masking_tracker_secrets, run_module
from ansible_collections.community.qbittorrent.plugins.module_utils._torrent_items import ITEM_OPTIONS
from ansible_collections.community.qbittorrent.plugins.module_utils._torrent_sync import Torrents

ARGUMENT_SPEC = {
    **ITEM_OPTIONS,
    "torrents": {"type": "list", "elements": "dict", "options": ITEM_OPTIONS},
    "wait_timeout": {"type": "float", "default": 120.0},
    "reveal_tracker_secrets": {"type": "bool", "default": False},
}
MODULE_KWARGS = {"mutually_exclusive": [["source", "hash", "torrents"]]}


def run(task):
    return masking_tracker_secrets(task, converge_torrents)


def converge_torrents(task):
    torrents = Torrents(task)
    return torrents.wait(converge(torrents, torrents.items), task.params["wait_timeout"])


def main():
    run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)


if __name__ == "__main__":
    main()
