# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stored WebUI password, checked against values qBittorrent itself shipped."""

from __future__ import annotations

import base64

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _password_hash as ph

# qBittorrent 4.2 to 4.6.0 shipped this as the default WebUI\Password_PBKDF2, the hash of "adminadmin"
# (src/base/preferences.cpp, Preferences::getWebUIPassword, until commit "Drop WebUI default credentials")
QBT_DEFAULT_SALT = "ARQ77eY1NUZaQsuDHbIMCA=="
QBT_DEFAULT = (
    "ARQ77eY1NUZaQsuDHbIMCA==:0WMRkYTUWVT9wVvdDtHAjU9b3b7uB8NR1Gur2hmQCvCDpm39Q+PsJRJPaCU51dEiz+dTzh8qbPsL8WkFljQYFQ=="
)
# qBittorrent 4.1's default WebUI\Password_ha1 (Preferences::getWebUiPassword): the MD5 of "adminadmin"
QBT_41_DEFAULT = "f6fdffe48c908deb0f4c3bd36c032e72"


def test_fixed_salt_reproduces_qbittorrents_own_hash():
    assert ph.pbkdf2("adminadmin", QBT_DEFAULT_SALT) == QBT_DEFAULT


def test_verify_accepts_qbittorrents_hash_and_refuses_others():
    assert ph.verify_pbkdf2(QBT_DEFAULT, "adminadmin")
    assert ph.verify_pbkdf2(ph.as_bytearray(QBT_DEFAULT), "adminadmin")
    assert not ph.verify_pbkdf2(QBT_DEFAULT, "adminadmin ")
    for broken in ("", "no colon", "a:b:c", "!!!:???", None):
        assert not ph.verify_pbkdf2(broken, "adminadmin")


def test_random_salt_shape():
    one, two = ph.pbkdf2("pw"), ph.pbkdf2("pw")
    assert one != two
    salt, key = one.split(":")
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(key)) == 64
    assert ph.verify_pbkdf2(one, "pw") and ph.verify_pbkdf2(two, "pw")


def test_utf8_password():
    assert ph.verify_pbkdf2(ph.pbkdf2("pässwörd ✓"), "pässwörd ✓")


@pytest.mark.parametrize("salt", ["short", "AAAA", base64.b64encode(b"x" * 17).decode()])
def test_bad_salt_is_refused_with_the_way_out(salt):
    with pytest.raises(ph.PasswordHashError, match="16"):
        ph.pbkdf2("pw", salt)


def test_md5_form_of_41():
    assert ph.md5_ha1("adminadmin") == QBT_41_DEFAULT
    assert ph.verify_md5(QBT_41_DEFAULT.upper(), "adminadmin")
    assert ph.verify_md5(ph.as_bytearray(QBT_41_DEFAULT), "adminadmin")
    assert not ph.verify_md5(QBT_41_DEFAULT, "admin")
