# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The WebUI password as qBittorrent stores it in qBittorrent.conf: make one, and check one against a password.

qBittorrent 4.2 and later store WebUI\\Password_PBKDF2: src/base/utils/password.cpp,
Utils::Password::PBKDF2::generate makes PBKDF2-HMAC-SHA512 with 100,000 iterations, a 16-byte random salt and a
64-byte key, and returns "<salt base64>:<key base64>", which Preferences::setWebUIPassword stores as a QByteArray, so
QSettings writes it as @ByteArray(...). Utils::Password::PBKDF2::verify splits at ':', decodes both halves and
recomputes with the stored salt. qBittorrent 4.1 stored WebUI\\Password_ha1 instead: the MD5 of the password in hex
(src/base/preferences.cpp, Preferences::getWebUiPassword, whose default f6fdffe48c908deb0f4c3bd36c032e72 is the MD5
of "adminadmin").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

ITERATIONS = 100000
SALT_BYTES = 16
KEY_BYTES = 64
BYTEARRAY_PREFIX = "@ByteArray("


class PasswordHashError(ValueError):
    """A salt or a stored hash that cannot be used; the message says what to do."""


def _salt_bytes(salt: str | bytes | None) -> bytes:
    if salt is None:
        return os.urandom(SALT_BYTES)
    if isinstance(salt, bytes):
        raw = salt
    else:
        try:
            raw = base64.b64decode(str(salt).encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError) as err:
            raise PasswordHashError(f"the salt {salt!r} is not base64 ({err}); give 16 bytes in base64") from None
    if len(raw) != SALT_BYTES:
        raise PasswordHashError(
            f"the salt is {len(raw)} bytes; qBittorrent uses {SALT_BYTES} (24 base64 characters, for example the "
            "output of: openssl rand -base64 16)"
        )
    return raw


def pbkdf2(password: str, salt: str | bytes | None = None) -> str:
    """'<salt b64>:<key b64>', what Utils::Password::PBKDF2::generate returns; a random salt unless SALT is given."""
    raw_salt = _salt_bytes(salt)
    key = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), raw_salt, ITERATIONS, dklen=KEY_BYTES)
    return f"{base64.b64encode(raw_salt).decode()}:{base64.b64encode(key).decode()}"


def md5_ha1(password: str) -> str:
    """The WebUI\\Password_ha1 of qBittorrent 4.1: the MD5 of the UTF-8 password, in lower-case hex."""
    return hashlib.md5(password.encode("utf-8")).hexdigest()  # noqa: S324  # qBittorrent 4.1's own format


def as_bytearray(secret: str) -> str:
    """The value as QSettings shows a QByteArray (without the quoting that its '=' padding needs in the file)."""
    return f"{BYTEARRAY_PREFIX}{secret})"


def strip_bytearray(value: str) -> str:
    """'@ByteArray(x)' -> 'x'; other text unchanged."""
    if value.startswith(BYTEARRAY_PREFIX) and value.endswith(")"):
        return value[len(BYTEARRAY_PREFIX) : -1]
    return value


def verify_pbkdf2(stored: str, password: str) -> bool:
    """Whether STORED ('<salt>:<key>', with or without @ByteArray()) is PASSWORD, as PBKDF2::verify decides."""
    parts = strip_bytearray(stored or "").split(":")
    if len(parts) != 2:
        return False
    try:
        salt = base64.b64decode(parts[0].encode("ascii"))
        key = base64.b64decode(parts[1].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError):
        return False
    computed = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, ITERATIONS, dklen=KEY_BYTES)
    return hmac.compare_digest(key, computed)


def verify_md5(stored: str, password: str) -> bool:
    """Whether STORED (a WebUI\\Password_ha1) is PASSWORD."""
    return hmac.compare_digest(strip_bytearray((stored or "").strip()).lower(), md5_ha1(password))
