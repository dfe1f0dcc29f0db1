# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.community.qbittorrent.plugins.module_utils._password_hash import (
    PasswordHashError,
    as_bytearray,
    md5_ha1,
    pbkdf2,
)

DOCUMENTATION = r"""
name: qbt_password_hash
short_description: The WebUI password hash that qBittorrent stores in qBittorrent.conf
version_added: 0.2.0
description:
  - Returns the value qBittorrent 4.2 and later keep in C(WebUI\Password_PBKDF2) of C(qBittorrent.conf) for a
    password, V(@ByteArray(<salt>:<key>\)), with salt and key in base64. The key is PBKDF2-HMAC-SHA512 of the
    UTF-8 password, 100,000 iterations, a 16-byte salt and a 64-byte key, as qBittorrent computes it
    (C(src/base/utils/password.cpp), C(Utils::Password::PBKDF2::generate)).
  - Each call draws a new random salt, so the value differs every time; give O(salt) for a value that is the
    same on every run. To set the password of a server, the module M(community.qbittorrent.qbt_config_file) is
    simpler; it writes a new hash only when the stored one does not match the password.
  - qBittorrent 4.1 kept C(WebUI\Password_ha1), the MD5 of the password in hex; O(algorithm=md5) returns that.
author:
  - community.qbittorrent maintainers (@ansible-collections)
positional: salt, algorithm
options:
  _input:
    description: The password.
    type: str
    required: true
  salt:
    description:
      - 16 bytes in base64 (24 characters, for example from C(openssl rand -base64 16)), used in place of a random
        salt, so that the same password gives the same value on every run.
      - Keep it as secret as the password. Only for O(algorithm=pbkdf2).
    type: str
  algorithm:
    description:
      - V(pbkdf2) for C(WebUI\Password_PBKDF2) (qBittorrent 4.2 and later); V(md5) for C(WebUI\Password_ha1)
        (qBittorrent 4.1), which has no salt.
    type: str
    choices: [pbkdf2, md5]
    default: pbkdf2
  quoted:
    description:
      - Put the value in double quotes, as it must be in the INI file when written there as it is (the base64
        padding C(=) would otherwise end the value for QSettings). Only for O(algorithm=pbkdf2).
    type: bool
    default: false
notes:
  - The result is a secret (it lets anyone test guesses of the password offline); keep it out of logs with
    C(no_log).
"""

EXAMPLES = r"""
- name: Write the WebUI password into qBittorrent.conf with a generic INI module (the server must be stopped)
  community.general.ini_file:
    path: /var/lib/qbittorrent/.config/qBittorrent/qBittorrent.conf
    section: Preferences
    option: WebUI\Password_PBKDF2
    value: "{{ qbt_password | community.qbittorrent.qbt_password_hash(salt=qbt_password_salt, quoted=true) }}"
    no_extra_spaces: true
  no_log: true

- name: The same value on every run, from a salt kept in the vault
  ansible.builtin.set_fact:
    qbt_password_pbkdf2: "{{ qbt_password | community.qbittorrent.qbt_password_hash(vault_qbt_password_salt) }}"
  no_log: true

- name: The MD5 form of qBittorrent 4.1 (WebUI\Password_ha1)
  ansible.builtin.set_fact:
    qbt_password_ha1: "{{ qbt_password | community.qbittorrent.qbt_password_hash(algorithm='md5') }}"
  no_log: true
"""

RETURN = r"""
_value:
  description:
    - For V(pbkdf2), V(@ByteArray(<salt base64>:<key base64>\)) (in double quotes with O(quoted=true)); for V(md5),
      32 hexadecimal digits.
  type: str
  sample: "@ByteArray(ARQ77eY1NUZaQsuDHbIMCA==:0WMRkYTUWVT9wVvdDtHAjU9b3b7uB8NR1Gur2hmQCvCDpm39Q+PsJRJPaC\
    U51dEiz+dTzh8qbPsL8WkFljQYFQ==)"
"""


def qbt_password_hash(password, salt=None, algorithm="pbkdf2", quoted=False):
    """The stored form of PASSWORD; see DOCUMENTATION."""
    if password is None or not isinstance(password, (str, bytes)):
        raise AnsibleFilterError(f"qbt_password_hash: the input must be the password, a string, not {type(password)}")
    text = to_text(password, errors="surrogate_or_strict")
    if text == "":
        raise AnsibleFilterError("qbt_password_hash: the password is empty; qBittorrent would refuse to log anyone in")
    if algorithm == "md5":
        if salt is not None:
            raise AnsibleFilterError("qbt_password_hash: algorithm=md5 (qBittorrent 4.1) has no salt; drop salt")
        return md5_ha1(text)
    if algorithm != "pbkdf2":
        raise AnsibleFilterError(f"qbt_password_hash: algorithm must be pbkdf2 or md5, not {algorithm!r}")
    try:
        value = as_bytearray(pbkdf2(text, None if salt is None else to_text(salt)))
    except PasswordHashError as err:
        raise AnsibleFilterError(f"qbt_password_hash: {err}") from None
    return f'"{value}"' if quoted else value


class FilterModule:
    """community.qbittorrent's filters."""

    def filters(self):
        return {"qbt_password_hash": qbt_password_hash}
