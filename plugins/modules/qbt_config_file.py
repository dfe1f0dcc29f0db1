#!/usr/bin/python
# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: qbt_config_file
short_description: Declare keys of qBittorrent.conf on the server host, such as the first WebUI credentials
version_added: 0.2.0
description:
  - Sets keys of a qBittorrent profile's C(qBittorrent.conf) on the host the task runs on, in the file's own format
    (the INI format of QSettings, with sections, keys such as C(WebUI\Port), V(@ByteArray(...\)) values, quoting
    and escaping as Qt writes them). Keys it is not told about, comments and the order of the lines stay as they are.
  - This is the step before the WebUI can be used at all. Since qBittorrent 4.6.1 a new profile has no password
    (the server prints a temporary one to its log at each start), and older ones start with admin/adminadmin;
    this module writes the user name and the password hash that the other modules of the collection then log in with.
  - The password is written only when the stored hash does not match it (the hash is checked as qBittorrent checks
    it), so a second run reports no change although each hash has a new random salt.
  - This module talks to no WebUI; it takes no connection options and is not in the action group
    C(community.qbittorrent.qbittorrent). Run it on the qBittorrent host (a host of the inventory, or with
    C(delegate_to)), as a user that may write the file (C(become)), while that qBittorrent is stopped.
  - qBittorrent writes its settings back to the file when it exits, which would undo a change made while it runs.
    So before writing, the module looks for a running qBittorrent that uses the file (the profile's lock file, and
    the command lines of the running processes) and refuses, naming the process; see O(running).
  - The file and its folders are created when missing.
author:
  - community.qbittorrent maintainers (@ansible-collections)
extends_documentation_fragment:
  - community.qbittorrent._attributes
  - ansible.builtin.files
options:
  path:
    description:
      - The C(qBittorrent.conf) to edit.
      - Without O(path) and O(profile), the first of these that exists, else the first one; the default profile of
        the user the module runs as (C($XDG_CONFIG_HOME/qBittorrent/qBittorrent.conf), or
        C(~/.config/qBittorrent/qBittorrent.conf) when C(XDG_CONFIG_HOME) is not set), and the linuxserver container
        image's
        C(/config/qBittorrent/qBittorrent.conf).
    type: path
  profile:
    description:
      - The directory given to qBittorrent as C(--profile); the file is then
        C(<profile>/qBittorrent/config/qBittorrent.conf).
      - Mutually exclusive with O(path).
    type: path
  configuration:
    description:
      - The name given to qBittorrent as C(--configuration), which makes the folder C(qBittorrent_<name>) in place of
        C(qBittorrent). Ignored with O(path).
    type: str
  web_ui_keys:
    description:
      - Where the WebUI options go. qBittorrent up to 5.2 reads them in the C([Preferences]) section
        (C(WebUI\Port)); 5.3 reads them in a C([WebUI]) section (C(Port)), and moves the old keys there at its first
        start with a profile that an older version (or nobody) wrote.
      - V(auto) writes to C([WebUI]) when the file says that qBittorrent 5.3 or later has migrated it
        (C([Meta] MigrationVersion) 11 or more), else to C([Preferences]), which every version reads or migrates.
        V(preferences) and V(webui) choose one.
    type: str
    choices: [auto, preferences, webui]
    default: auto
  web_ui_username:
    description: The WebUI user name, C(WebUI\Username) (see O(web_ui_keys)).
    type: str
  web_ui_password:
    description:
      - The WebUI password. The file keeps only its hash, C(WebUI\Password_PBKDF2) (see
        P(community.qbittorrent.qbt_password_hash#filter)).
      - Rewritten only when the stored hash does not match this password. The value is never shown; the diff says
        that it changed.
    type: str
  password_format:
    description:
      - V(pbkdf2) writes C(WebUI\Password_PBKDF2) (qBittorrent 4.2 and later); V(md5) writes C(WebUI\Password_ha1),
        the form of qBittorrent 4.1.
    type: str
    choices: [pbkdf2, md5]
    default: pbkdf2
  web_ui_address:
    description:
      - The address the WebUI listens on, C(WebUI\Address). V(127.0.0.1) keeps it on the host itself (behind a reverse
        proxy, or for modules that run on the host); V(*) means every address.
    type: str
  web_ui_port:
    description: The WebUI's TCP port, C(WebUI\Port).
    type: int
  settings:
    description:
      - Any other key, by section and name.
      - A key of C([Preferences]) whose name starts with C(WebUI) and a backslash goes where O(web_ui_keys) puts the
        WebUI options.
        Other keys are written as given; qBittorrent renames some keys between versions (C(src/app/upgrade.cpp)), so
        declare the name that the server's version reads.
    type: list
    elements: dict
    default: []
    suboptions:
      section:
        description: The section, such as V(Preferences), V(BitTorrent), V(Network) or V(LegalNotice).
        type: str
        required: true
      key:
        description:
          - The key in the section, as the file shows it (V(Session\\DHTEnabled)) or as QSettings names it
            (V(Session/DHTEnabled)).
        type: str
        required: true
      value:
        description:
          - The value. Booleans are written V(true) and V(false) and numbers as they are, as qBittorrent writes
            them. Required with O(settings[].state=present).
        type: raw
      state:
        description: V(absent) deletes the key.
        type: str
        choices: [present, absent]
        default: present
      secret:
        description:
          - Keep the value out of the diff and of every output of the task, as for O(web_ui_password). Keys whose
            name contains C(password), C(apikey), C(passkey), C(secret), C(token) or C(cookie) are secret anyway.
        type: bool
        default: false
  running:
    description:
      - What to do when a qBittorrent that uses this file is running and the file needs a change.
      - V(fail) refuses before writing anything, in check mode too, naming the process; stop the server first
        (for example with M(ansible.builtin.systemd_service)) and start it after.
      - V(ignore) writes anyway, with a warning. qBittorrent keeps its settings in memory and writes them back when
        it exits, so the change is likely lost.
    type: str
    choices: [fail, ignore]
    default: fail
attributes:
  check_mode:
    support: full
    description: Computes C(changed) and the diff as a real run would, and writes nothing.
  diff_mode:
    support: full
    description: Shows the keys that change, before and after, by section; the password and other secrets are masked.
  idempotent:
    support: full
    description: A second run with the same options reports no change and writes nothing.
notes:
  - Only for Linux hosts where C(/proc) shows the processes. A qBittorrent in a container is seen from the
    host only when its profile path is the same inside and outside; stop the container before writing its profile.
seealso:
  - ref: ansible_collections.community.qbittorrent.docsite.first_boot
    description: From a bare host to a declared server.
  - module: community.qbittorrent.qbt_preferences
    description: The preferences of a running server, through the WebUI.
"""

EXAMPLES = r"""
- name: Set the WebUI credentials of a new server before its first start
  community.qbittorrent.qbt_config_file:
    path: /var/lib/qbittorrent/.config/qBittorrent/qBittorrent.conf
    web_ui_username: admin
    web_ui_password: "{{ vault_qbt_password }}"
    web_ui_address: 127.0.0.1
    web_ui_port: 8080
    owner: qbittorrent
    group: qbittorrent
    mode: "0600"
  become: true

- name: A --profile directory, with more keys
  community.qbittorrent.qbt_config_file:
    profile: /srv/qbittorrent
    web_ui_username: admin
    web_ui_password: "{{ vault_qbt_password }}"
    settings:
      - section: LegalNotice
        key: Accepted
        value: true
      - section: BitTorrent
        key: Session\DHTEnabled
        value: false
      - section: Preferences
        key: WebUI\HostHeaderValidation
        value: true

- name: Stop the server, change the file, start it again
  block:
    - name: Stop qBittorrent
      ansible.builtin.systemd_service:
        name: qbittorrent-nox
        state: stopped
    - name: Move the WebUI to another port
      community.qbittorrent.qbt_config_file:
        web_ui_port: 8081
  always:
    - name: Start qBittorrent
      ansible.builtin.systemd_service:
        name: qbittorrent-nox
        state: started
"""

RETURN = r"""
path:
  description: The file the module read (and wrote, when something changed).
  returned: always
  type: str
  sample: /var/lib/qbittorrent/.config/qBittorrent/qBittorrent.conf
found_by:
  description:
    - How the file was chosen. V(path) or V(profile) from the options; V(found) when it was the first existing one of
      the usual places; V(default) when none existed and the module took the default profile of its user.
  returned: always
  type: str
  sample: path
changed_keys:
  description: The keys that changed (or would change in check mode), as C([Section] Key); never their values.
  returned: always
  type: list
  elements: str
  sample: ["[Preferences] WebUI\\Password_PBKDF2", "[Preferences] WebUI\\Port"]
running:
  description: Whether a qBittorrent that uses the file was running when the module looked.
  returned: always
  type: bool
  sample: false
processes:
  description: The qBittorrent processes that use the file, and how each was found.
  returned: always
  type: list
  elements: dict
  sample: [{"pid": 1234, "how": "holds the lock on /var/lib/qbittorrent/.config/qBittorrent/lockfile"}]
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.community.qbittorrent.plugins.module_utils._config_file import (
    ConfigError,
    declared,
    plan,
    verify,
)
from ansible_collections.community.qbittorrent.plugins.module_utils._profile import locate, running
from ansible_collections.community.qbittorrent.plugins.module_utils._qsettings import QSettingsFile

SETTING = {
    "section": {"type": "str", "required": True},
    "key": {"type": "str", "required": True, "no_log": False},
    "value": {"type": "raw"},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "secret": {"type": "bool", "default": False},
}

ARGUMENT_SPEC = {
    "path": {"type": "path"},
    "profile": {"type": "path"},
    "configuration": {"type": "str"},
    "web_ui_username": {"type": "str"},
    "web_ui_password": {"type": "str", "no_log": True},
    "password_format": {"type": "str", "choices": ["pbkdf2", "md5"], "default": "pbkdf2", "no_log": False},
    "web_ui_address": {"type": "str"},
    "web_ui_port": {"type": "int"},
    "settings": {"type": "list", "elements": "dict", "options": SETTING, "default": []},
    "web_ui_keys": {"type": "str", "choices": ["auto", "preferences", "webui"], "default": "auto"},
    "running": {"type": "str", "choices": ["fail", "ignore"], "default": "fail"},
}


def read(module: AnsibleModule, path: str) -> QSettingsFile:
    if not os.path.exists(path):
        return QSettingsFile("")
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            return QSettingsFile(handle.read())
    except OSError as err:
        module.fail_json(msg=f"cannot read {path}: {err}; run the task as a user that may (become: true)", path=path)
        raise  # unreachable: fail_json exits


def write(module: AnsibleModule, path: str, text: str) -> None:
    """Write TEXT to PATH through a temporary file in the same folder and a rename, creating the folders."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".qBittorrent.conf.")
        with os.fdopen(handle, "w", encoding="utf-8", errors="surrogateescape") as out:
            out.write(text)
    except OSError as err:
        module.fail_json(msg=f"cannot write {path}: {err}; run the task as a user that may (become: true)", path=path)
    new = not os.path.exists(path)
    module.atomic_move(temporary, path)
    if new:
        os.chmod(path, 0o600)  # the file holds the password hash; a declared mode is applied after this


def main() -> None:
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=[("path", "profile")],
        add_file_common_args=True,
        supports_check_mode=True,
    )
    params = module.params
    path, found_by = locate(params["path"], params["profile"], params["configuration"])
    result = {"changed": False, "path": path, "found_by": found_by, "changed_keys": []}
    existed = os.path.exists(path)
    conf = read(module, path)
    try:
        wanted = declared(params, conf)
    except ConfigError as err:
        module.fail_json(msg=str(err), **result)
    for item in wanted:
        if item["secret"] and item["value"]:
            # a secret setting (secret: true, or a name such as Proxy\Password) stays out of every output, the
            # task's echoed arguments included, as web_ui_password does through no_log
            module.no_log_values.add(item["value"])
    processes = running(path)
    result.update(running=bool(processes), processes=processes)
    changed_keys, diff = plan(conf, wanted, params)
    result["changed_keys"] = changed_keys
    if changed_keys and processes:
        names = ", ".join(f"{p['pid']} ({p['how']})" for p in processes)
        if params["running"] == "fail":
            module.fail_json(
                msg=f"{path} needs changes ({', '.join(changed_keys)}) but qBittorrent is running with it: process "
                f"{names}. qBittorrent writes its settings back when it exits, which would undo them. Stop it first "
                "(and start it after), or set running: ignore to write anyway.",
                **result,
            )
        module.warn(f"wrote {path} while qBittorrent runs with it (process {names}); it may undo the change on exit")
    if changed_keys:
        result["changed"] = True
        if module._diff:
            result["diff"] = dict(diff.as_dict(), before_header=path, after_header=path)
        if not module.check_mode:
            write(module, path, conf.text())
            wrong = verify(read(module, path), wanted, params)
            if wrong:
                module.fail_json(msg=f"{path} was written but does not hold {', '.join(wrong)} as declared", **result)
    if existed or not module.check_mode:
        file_args = module.load_file_common_arguments(params, path=path)
        result["changed"] = module.set_fs_attributes_if_different(file_args, result["changed"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
