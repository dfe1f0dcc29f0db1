# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qBittorrent.conf read and written as Qt's QSettings (qsettings.cpp) does."""

from __future__ import annotations

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils._qsettings import (
    QSettingsFile,
    escape_key,
    escape_value,
    parse_value,
    to_setting_string,
    unescape_key,
)

# A file as qBittorrent 4.5.2 wrote it (the harness's profile after a run), with a comment and a General key added
CONF = """\
; a comment that stays
top=level
[BitTorrent]
Session\\DHTEnabled=false
Session\\Port=51413

[Preferences]
Downloads\\SavePath=/srv/torrents/
WebUI\\Address=127.0.0.1
WebUI\\Password_PBKDF2="@ByteArray(ARQ77eY1NUZaQsuDHbIMCA==:0WMRkYTUWVT9wVvdDtHAjU9b3b7uB8NR1Gur2hmQCvCDpm39Q+PsJRJPaCU51dEiz+dTzh8qbPsL8WkFljQYFQ==)"
WebUI\\Port=8080
WebUI\\ServerDomains=*
WebUI\\AuthSubnetWhitelist=10.0.0.0/8, 192.168.0.0/16

[RSS]
AutoDownloader\\DownloadRepacks=true
"""


def test_reads_keys_as_qsettings_names_them():
    conf = QSettingsFile(CONF)
    assert conf.get("Preferences", "WebUI/Port") == "8080"
    assert conf.get("BitTorrent", "Session/DHTEnabled") == "false"
    assert conf.get("Preferences", "WebUI/Password_PBKDF2").startswith("@ByteArray(ARQ77eY1")
    assert conf.get("Preferences", "WebUI/AuthSubnetWhitelist") == ["10.0.0.0/8", "192.168.0.0/16"]
    assert conf.get("", "top") == "level"
    assert conf.get("Preferences", "WebUI/Missing") is None


def test_unchanged_file_round_trips_byte_for_byte():
    assert QSettingsFile(CONF).text() == CONF


def test_set_changes_only_its_line_and_adds_in_its_section():
    conf = QSettingsFile(CONF)
    conf.set("Preferences", "WebUI/Port", "9090")
    conf.set("BitTorrent", "Session/Interface", "lo")
    conf.set("LegalNotice", "Accepted", "true")
    lines = conf.text().splitlines()
    assert "WebUI\\Port=9090" in lines and "WebUI\\Port=8080" not in lines
    # the new key goes at the end of its section, before the blank line
    assert lines[lines.index("Session\\Port=51413") + 1] == "Session\\Interface=lo"
    assert lines[-2:] == ["[LegalNotice]", "Accepted=true"]
    expected = CONF.replace("Session\\Port=51413\n", "Session\\Port=51413\nSession\\Interface=lo\n")
    assert conf.text() == expected.replace("WebUI\\Port=8080", "WebUI\\Port=9090") + "\n[LegalNotice]\nAccepted=true\n"
    again = QSettingsFile(conf.text())
    assert again.get("BitTorrent", "Session/Interface") == "lo"
    assert again.get("RSS", "AutoDownloader/DownloadRepacks") == "true"


def test_remove():
    conf = QSettingsFile(CONF)
    conf.remove("Preferences", "WebUI/ServerDomains")
    assert conf.get("Preferences", "WebUI/ServerDomains") is None
    assert "ServerDomains" not in conf.text()


def test_bytearray_is_quoted_for_its_padding():
    conf = QSettingsFile("")
    conf.set_bytearray("Preferences", "WebUI/Password_PBKDF2", "c2FsdA==:a2V5")
    assert conf.text() == '[Preferences]\nWebUI\\Password_PBKDF2="@ByteArray(c2FsdA==:a2V5)"\n'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("plain", "plain"),
        ("x=y", '"x=y"'),  # iniEscapedString: ';', ',' and '=' need quotes
        ("a,b", '"a,b"'),
        ("a;b", '"a;b"'),
        (" lead", '" lead"'),
        ("trail ", '"trail "'),
        ('q"b', 'q\\"b'),
        ("C:\\dir", "C:\\\\dir"),
        ("tab\there\n", "tab\\there\\n"),
        ("é", "\\xe9"),
        ("é1", "\\xe9\\x31"),  # a hex digit after \x is escaped too, or it would extend the escape
        ("éz", "\\xe9z"),
        ("\U0001f600", "\\xd83d\\xde00"),  # UTF-16 code units, as Qt's QChar
        ("@at", "@@at"),  # variantToString doubles a leading @
    ],
)
def test_values_round_trip(value, written):
    assert escape_value(to_setting_string(value)) == written
    assert parse_value(written) == value


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("  spaced  ", "spaced"),
        ('"  kept  "', "  kept  "),
        ("value ; comment", "value"),
        ('"a;b" ; comment', "a;b"),
        ("a, b ,c", ["a", "b", "c"]),
        ('"a, b", c', ["a, b", "c"]),
        ("", ""),
    ],
)
def test_parse_as_qt_does(raw, value):
    assert parse_value(raw) == value


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("WebUI/Port", "WebUI\\Port"),
        ("Session/DHTEnabled", "Session\\DHTEnabled"),
        ("New Group", "New%20Group"),
        ("a:b", "a%3Ab"),
        ("ключ", "%U043A%U043B%U044E%U0447"),
    ],
)
def test_keys_round_trip(name, written):
    assert escape_key(name) == written
    assert unescape_key(written) == name


def test_general_section():
    conf = QSettingsFile("")
    conf.set("", "key", "v")
    conf.set("General", "other", "w")
    text = conf.text()
    assert "[General]\nkey=v" in text and "[%General]\nother=w" in text
    again = QSettingsFile(text)
    assert again.get("", "key") == "v" and again.get("General", "other") == "w"


def test_duplicate_keys_last_one_wins():
    conf = QSettingsFile("[A]\nk=1\nk=2\n")
    assert conf.get("A", "k") == "2"
    conf.set("A", "k", "3")
    assert conf.text() == "[A]\nk=1\nk=3\n"
