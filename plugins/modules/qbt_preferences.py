#!/usr/bin/python
# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: qbt_preferences
short_description: Declare the application preferences of a qBittorrent server
version_added: 0.1.0
description:
  - Makes the application preferences of a qBittorrent server (what C(app/preferences) reports and
    C(app/setPreferences) changes) match the declared keys. Keys that are not declared are left alone.
  - One read, then at most one write holding only the keys that differ, then one read-back that checks every
    written key took effect. qBittorrent ignores unknown keys, wrong types and values it cannot use without an
    error, so the module fails, naming the key, what was sent and what the server kept, when the server did not
    keep a value; the task then reports C(changed=true), since it wrote.
  - Works with qBittorrent 4.1 to 5.3; keys renamed between versions are translated (see O(preferences)).
  - Keys that move the WebUI itself (C(web_ui_port), C(web_ui_address), C(use_https), C(web_ui_https_cert_path),
    C(web_ui_https_key_path)) or change its credentials (C(web_ui_username), C(web_ui_password)) are written
    last, in a write of their own, and the module follows the WebUI to its new address, scheme or credentials to
    verify them. When the new address cannot be reached from where the module runs while the old one still
    answers, the task reports what it changed (RV(web_ui)) and warns instead of failing.
  - When the WebUI answers neither at its old address nor at the new one after a change of C(web_ui_port) or
    C(web_ui_address) (another process holds the port, the host lacks the address, or the new address cannot be
    reached from where the module runs), the task fails with C(changed=true), says that the change was sent and
    what to check. qBittorrent cannot undo this through its API (up to 4.6 it exits); set C(WebUI\Port) and
    C(WebUI\Address) back in C(qBittorrent.conf) and restart it.
author:
  - community.qbittorrent maintainers (@ansible-collections)
extends_documentation_fragment:
  - community.qbittorrent._connection
  - community.qbittorrent._attributes
  - community.qbittorrent._attributes.ACTIONGROUP
options:
  preferences:
    description:
      - The preferences to declare, by qBittorrent's own key names, such as C(dl_limit), C(save_path),
        C(max_ratio) or C(scan_dirs). The keys of a server are the keys its C(app/preferences) returns (see
        M(community.qbittorrent.qbt_info) with O(community.qbittorrent.qbt_info#module:gather_subset=preferences)).
      - Values may be strings, as templates give them. Each is converted to the type the server uses for that key
        (integer, number, boolean, string, or a mapping for C(scan_dirs)); booleans follow Ansible's rules
        (V(yes), V(on), V(true), V(1) and their opposites). A value that cannot be converted fails the task
        before anything is written, naming the key, the value and the type expected.
      - For keys qBittorrent keeps as lists (C(banned_IPs), C(excluded_file_names), C(bypass_auth_subnet_whitelist),
        C(web_ui_custom_http_headers), C(add_trackers), C(rss_smart_episode_filters), C(web_ui_domain_list),
        C(web_ui_reverse_proxies_list)) a list is joined with the server's separator (a newline, or C(;) for the
        last two).
      - Speed limits (C(dl_limit), C(up_limit), C(alt_dl_limit), C(alt_up_limit)) are bytes per second, and
        qBittorrent keeps them in whole KiB/s, so they must be multiples of 1024.
      - Every value is checked against what qBittorrent can keep as sent, because it clamps, reinterprets or drops
        anything else without an error. Integers fit the C++ C(int) the server uses, and many keys have a narrower
        range (ports, counts where -1 means no limit, C(max_ratio) up to 9999); enums take only their known values
        (C(encryption), C(max_ratio_act), C(scheduler_days), C(upload_slots_behavior), ...); paths (C(save_path),
        C(temp_path), C(scan_dirs), ...) must be absolute, and a Windows path is refused when the server reports
        another platform; addresses (C(announce_ip), C(web_ui_address), C(bypass_auth_subnet_whitelist), ...)
        must be IP addresses or subnets. The preferences reference of the collection's documentation lists every
        key's type, range, unit, choices and versions.
      - Every problem of the task (values, unknown keys, keys declared twice) is reported in one message, each by
        its option path (such as C(preferences.dl_limit)), before anything is written. Without an unknown key
        among them, value problems are found without any request.
      - C(start_paused_enabled) (qBittorrent 4.x) and C(add_stopped_enabled) (5.x) are the same preference; either
        name works on every version. C(proxy_type) is an integer up to 4.5 (0 none, 1 HTTP, 2 SOCKS5, 3 HTTP with
        authentication, 4 SOCKS5 with authentication, 5 SOCKS4) and a name from 4.6 (V(None), V(HTTP),
        V(SOCKS5), V(SOCKS4), with C(proxy_auth_enabled) apart); either form works on every version. RV(translated)
        lists what was translated.
      - A share limit and its switch are kept consistent (C(max_ratio) with C(max_ratio_enabled),
        C(max_seeding_time) with C(max_seeding_time_enabled), C(max_inactive_seeding_time) with
        C(max_inactive_seeding_time_enabled)); qBittorrent reports -1 when a limit is off. Declaring a limit of 0
        or more switches it on, and the switch alone set to V(false) sets the limit to -1. Up to qBittorrent 5.1
        both are sent together, as the server needs. The scheduler times (C(schedule_from_hour) with
        C(schedule_from_min), C(schedule_to_hour) with C(schedule_to_min)) are always sent as pairs.
      - Secret values (C(web_ui_password), C(proxy_password), C(mail_notification_password),
        C(dyndns_password)) are masked in the results, the diff and the module's output. Declare them in
        O(secret_preferences) to keep them out of the managed host's system log as well (Ansible logs a
        module's arguments there, except those marked as secret).
      - C(web_ui_password) cannot be read back from qBittorrent; O(update_password) decides when it is sent.
      - C(web_ui_api_key) cannot be declared (use M(community.qbittorrent.qbt_api_key)), and neither can the
        read-only C(current_interface_name) and C(add_trackers_url_list).
    type: dict
  secret_preferences:
    description:
      - Secret preferences (C(web_ui_password), C(proxy_password), C(mail_notification_password),
        C(dyndns_password)), declared apart from O(preferences) so that Ansible treats their values as secrets
        from the start, also in the managed host's system log.
      - A key may be declared in O(preferences) or here, not in both.
    type: dict
  unknown_keys:
    description:
      - What to do with a declared key the server does not have (a typo, or a key of another qBittorrent
        version). The server's own keys decide what is known.
      - V(fail) fails before anything is written, naming the key, the server's version and the closest keys
        it has.
      - V(warn) and V(ignore) skip the key (with or without a warning) and apply the others; they exist for
        plays that send one set of preferences to servers of different versions. RV(unknown_keys) lists the
        skipped keys.
    type: str
    choices: [fail, warn, ignore]
    default: fail
  update_password:
    description:
      - When to send a declared C(web_ui_password), which qBittorrent never returns.
      - V(on_change) logs in once with the declared password (with the server's current username, in a separate
        session) and sends the password only when that login fails. A failed login counts towards qBittorrent's
        ban of this machine's IP address (C(web_ui_max_auth_fail_count), 5 by default); the successful login
        with the new password that confirms the change clears that count (not in check mode, where nothing is
        sent, so repeated check runs with a new password add up). When the server lets this machine in
        without a password (C(bypass_local_auth) or the subnet whitelist), a login proves nothing, so the
        password is sent, with a warning.
      - V(always) sends it every run and reports a change.
      - After sending it, the module confirms it with a successful login.
    type: str
    choices: [on_change, always]
    default: on_change
notes:
  - Only the declared keys are compared and written. The comparison follows the way qBittorrent rewrites what
    it keeps (trailing slashes of paths, the order of C(banned_IPs), a single address in the subnet whitelist
    written as C(/32)).
  - When the task both moves the WebUI and changes other keys, the other keys are written and verified first,
    so a value the server did not keep stops the task before the WebUI moves.
  - When HTTPS is switched on but qBittorrent cannot load the certificate or the key, it silently keeps
    serving plain HTTP. The module detects that and fails; when it can, it also switches C(use_https) (and
    the certificate paths) back, because a password session does not work over plain HTTP once qBittorrent
    has marked its cookies secure.
  - In check mode nothing is written, but the login that decides O(update_password=on_change) still happens.
seealso:
  - module: community.qbittorrent.qbt_info
  - module: community.qbittorrent.qbt_api_key
"""

EXAMPLES = r"""
- name: Declare download and seeding preferences
  community.qbittorrent.qbt_preferences:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    preferences:
      save_path: /data/complete
      temp_path_enabled: true
      temp_path: /data/incomplete
      dl_limit: "{{ 10 * 1024 * 1024 }}"
      up_limit: 2097152
      max_ratio: 2.0
      max_seeding_time: 10080
      scan_dirs:
        /data/watch: 1
      banned_IPs:
        - 192.0.2.10
        - 192.0.2.11
      torrent_content_layout: Subfolder

- name: One set of preferences for servers of every version, with the connection options set once
  module_defaults:
    group/community.qbittorrent.qbittorrent:
      url: "{{ qbt_url }}"
      api_key: "{{ qbt_api_key }}"
  block:
    - name: Start new torrents stopped (start_paused_enabled on 4.x is add_stopped_enabled on 5.x)
      community.qbittorrent.qbt_preferences:
        preferences:
          add_stopped_enabled: true
          merge_trackers: true  # qBittorrent 4.6 and later; skipped with a warning on older servers
        unknown_keys: warn

- name: Use a SOCKS5 proxy with a password
  community.qbittorrent.qbt_preferences:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    preferences:
      proxy_type: SOCKS5
      proxy_ip: 127.0.0.1
      proxy_port: 1080
      proxy_auth_enabled: true
      proxy_username: qbt
    secret_preferences:
      proxy_password: "{{ vault_proxy_password }}"

- name: Change the WebUI password (sent only when a login with it fails)
  community.qbittorrent.qbt_preferences:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_old_password }}"
    secret_preferences:
      web_ui_password: "{{ qbt_new_password }}"

- name: Switch the WebUI to HTTPS on another port; the module follows it there
  community.qbittorrent.qbt_preferences:
    url: http://127.0.0.1:8080
    username: admin
    password: "{{ qbt_password }}"
    ca_path: /etc/qbittorrent/tls/ca.crt
    preferences:
      web_ui_port: 8443
      use_https: true
      web_ui_https_cert_path: /etc/qbittorrent/tls/server.crt
      web_ui_https_key_path: /etc/qbittorrent/tls/server.key
  register: moved

- name: Show where the WebUI answers now
  ansible.builtin.debug:
    msg: "{{ moved.web_ui.url }} (verified: {{ moved.web_ui.verified }})"
"""

RETURN = r"""
preferences:
  description:
    - The declared keys (by the names declared) with their values after the task, as the server reports them,
      or as predicted in check mode. Secret values are masked; C(web_ui_password) is always masked.
    - Unknown keys skipped with O(unknown_keys=warn) or O(unknown_keys=ignore) are not included.
  returned: success
  type: dict
  sample: {dl_limit: 10485760, max_ratio: 2.0, save_path: /data/complete, proxy_password: "********"}
changed_keys:
  description:
    - The keys that were changed (or would be, in check mode), by the server's names, sorted.
    - Includes C(web_ui_password) when it was sent.
  returned: success
  type: list
  elements: str
  sample: [dl_limit, max_ratio, max_ratio_enabled]
translated:
  description: What was translated for this server's version, such as C(start_paused_enabled -> add_stopped_enabled).
  returned: success
  type: list
  elements: str
  sample: ["start_paused_enabled -> add_stopped_enabled", "proxy_type: 2 -> \"SOCKS5\""]
unknown_keys:
  description: Declared keys this server does not have, skipped with O(unknown_keys=warn) or O(unknown_keys=ignore).
  returned: success
  type: list
  elements: str
  sample: [merge_trackers]
web_ui:
  description:
    - Where the WebUI answers after a change of C(web_ui_port), C(web_ui_address), C(use_https), the certificate
      paths, C(web_ui_username) or C(web_ui_password), and whether the module reached it there and verified the
      change.
    - C(url) is V(null) when the new address cannot be derived from O(url) (the task reaches qBittorrent through a
      reverse proxy or a mapped port).
  returned: when one of those keys was changed (not in check mode)
  type: dict
  contains:
    url:
      description: The WebUI's base URL after the change.
      type: str
      sample: https://127.0.0.1:8443/
    verified:
      description: Whether the module logged in there and read back every changed key.
      type: bool
      sample: true
diff:
  description:
    - Before and after of the keys that differ.
    - Secrets are masked. A changed secret shows as a changed mask (V(********) before, V(******** (changed\))
      after), a secret set where there was none as V("") before and V(********) after, never its value.
      C(web_ui_password), which qBittorrent never returns, shows as changed whenever it is sent.
  returned: in diff mode
  type: dict
  sample:
    before: {dl_limit: 0, proxy_password: "********"}
    after: {dl_limit: 10485760, proxy_password: "******** (changed)"}
api_calls:
  description: The HTTP calls the task made (method, endpoint, status, milliseconds), when run with C(-vvv) or more.
  returned: when the verbosity is 3 or more
  type: list
  elements: dict
"""

from ansible_collections.community.qbittorrent.plugins.module_utils._engine import run_resource
from ansible_collections.community.qbittorrent.plugins.module_utils._module import run_module
from ansible_collections.community.qbittorrent.plugins.module_utils._preferences import Preferences

ARGUMENT_SPEC = {
    "preferences": {"type": "dict"},
    "secret_preferences": {"type": "dict", "no_log": True},
    "unknown_keys": {"type": "str", "choices": ["fail", "warn", "ignore"], "default": "fail"},
    "update_password": {"type": "str", "choices": ["on_change", "always"], "default": "on_change", "no_log": False},
}
MODULE_KWARGS = {"required_one_of": [["preferences", "secret_preferences"]]}


def run(task):
    return run_resource(task, Preferences)


def main():
    run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)


if __name__ == "__main__":
    main()
