# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.community.qbittorrent.plugins.filter.qbt_password_hash import FilterModule

QBT_DEFAULT = (
    "ARQ77eY1NUZaQsuDHbIMCA==:0WMRkYTUWVT9wVvdDtHAjU9b3b7uB8NR1Gur2hmQCvCDpm39Q+PsJRJPaCU51dEiz+dTzh8qbPsL8WkFljQYFQ=="
)
qbt_password_hash = FilterModule().filters()["qbt_password_hash"]


def test_fixed_salt_gives_qbittorrents_value():
    assert qbt_password_hash("adminadmin", "ARQ77eY1NUZaQsuDHbIMCA==") == f"@ByteArray({QBT_DEFAULT})"
    assert (
        qbt_password_hash("adminadmin", salt="ARQ77eY1NUZaQsuDHbIMCA==", quoted=True) == f'"@ByteArray({QBT_DEFAULT})"'
    )


def test_random_salt_differs():
    assert qbt_password_hash("pw") != qbt_password_hash("pw")
    assert qbt_password_hash("pw").startswith("@ByteArray(")


def test_md5():
    assert qbt_password_hash("adminadmin", algorithm="md5") == "f6fdffe48c908deb0f4c3bd36c032e72"


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("",), {}, "empty"),
        ((None,), {}, "string"),
        (("pw", "AAAA"), {}, "16"),
        (("pw",), {"algorithm": "sha1"}, "pbkdf2 or md5"),
        (("pw", "ARQ77eY1NUZaQsuDHbIMCA=="), {"algorithm": "md5"}, "no salt"),
    ],
)
def test_refusals_say_what_to_do(args, kwargs, match):
    with pytest.raises(AnsibleFilterError, match=match):
        qbt_password_hash(*args, **kwargs)
