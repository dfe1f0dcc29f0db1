# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qBittorrent.conf as QSettings reads and writes it (QSettings::IniFormat), edited line by line.

qBittorrent opens its configuration with QSettings::IniFormat (src/base/profile_p.cpp, the *ProfilePrivate::
applicationSettings functions), so the file follows Qt's qsettings.cpp:
- keys: QSettingsPrivate::iniEscapedKey writes the group separator '/' as '\\' (Preferences/WebUI/Port is
  [Preferences] WebUI\\Port), keeps [A-Za-z0-9_.-] and writes any other character as %XX (or %UXXXX above
  0xFF); iniUnescapedKey reverses it. Sections are keys too; keys with no group live in [General], and a real
  group named General is written [%General].
- values: QSettingsPrivate::variantToString writes a QByteArray as @ByteArray(...) and doubles a leading '@' of a
  string (@@...); stringToVariant reverses both. iniEscapedString backslash-escapes '"', '\\' and the control
  characters (\\n, \\t, \\0, ...), writes other characters outside printable ASCII as \\xHHHH (Qt 5 without a codec,
  as qBittorrent 4 runs it; Qt 6 reads these escapes too), and puts the value in double quotes when it contains
  ';', ',' or '=' or starts or ends with a space. iniUnescapedStringList reads it back: outside quotes an unescaped
  ',' makes a list, ';' starts a comment, and spaces around items are dropped.
Only the lines of the keys being set change; every other line (comments, unknown keys, order) stays as it is.
"""

from __future__ import annotations

import re

_KEY_PLAIN = re.compile(r"[A-Za-z0-9_.\-]")
_ESCAPES = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
_UNESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "0": "\0"}
HEX = "0123456789abcdefABCDEF"


def escape_key(key: str) -> str:
    """QSettingsPrivate::iniEscapedKey: 'WebUI/Port' -> 'WebUI\\Port'; other special characters as %XX."""
    out = []
    for ch in key:
        if ch == "/":
            out.append("\\")
        elif _KEY_PLAIN.fullmatch(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"%{ord(ch):02X}")
        else:
            out.append(f"%U{ord(ch):04X}")
    return "".join(out)


def unescape_key(text: str) -> str:
    """QSettingsPrivate::iniUnescapedKey: 'WebUI\\Port' -> 'WebUI/Port', %XX and %UXXXX decoded."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            out.append("/")
        elif ch == "%" and text[i + 1 : i + 2] == "U" and _is_hex(text[i + 2 : i + 6], 4):
            out.append(chr(int(text[i + 2 : i + 6], 16)))
            i += 5
        elif ch == "%" and _is_hex(text[i + 1 : i + 3], 2):
            out.append(chr(int(text[i + 1 : i + 3], 16)))
            i += 2
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _is_hex(text: str, length: int) -> bool:
    return len(text) == length and all(c in HEX for c in text)


def section_name(group: str) -> str:
    """The [header] text of a group ('' is [General]; a group called General is [%General])."""
    if group in ("", "General"):
        return "General" if group == "" else "%General"
    return escape_key(group)


def to_setting_string(value: str) -> str:
    """QSettingsPrivate::variantToString for a QString: a leading '@' is doubled."""
    return "@" + value if value.startswith("@") else value


def escape_value(text: str) -> str:
    """QSettingsPrivate::iniEscapedString: the file form of TEXT (already through variantToString)."""
    out, needs_quotes, escape_next_if_hex = [], False, False
    for ch in text:
        code = ord(ch)
        if ch in ";,=":
            needs_quotes = True
        if escape_next_if_hex and ch in HEX:
            # after \x or \0, a hex digit would be read as part of that escape
            out.append(f"\\x{code:x}")
            continue
        escape_next_if_hex = False
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
            escape_next_if_hex = ch == "\0"
        elif ch in '"\\':
            out.append("\\" + ch)
        elif code <= 0x1F or code >= 0x7F:
            for unit in _utf16_units(ch):
                out.append(f"\\x{unit:x}")
            escape_next_if_hex = True
        else:
            out.append(ch)
    result = "".join(out)
    if needs_quotes or result[:1] == " " or result[-1:] == " ":
        result = f'"{result}"'
    return result


def _utf16_units(ch: str) -> list[int]:
    data = ch.encode("utf-16-be", "surrogatepass")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def parse_value(raw: str) -> str | list[str]:
    """QSettingsPrivate::iniUnescapedStringList, then stringToVariant for strings: the text, or a list of them."""
    items: list[str] = []
    current: list[tuple[str, bool]] = []  # (text, protected): quoted or escaped text keeps its spaces
    units: list[int] = []  # pending \\x UTF-16 code units, joined so that surrogate pairs decode
    in_quotes, is_list, i, n = False, False, 0, len(raw)

    def flush_units() -> None:
        if units:
            text = b"".join(u.to_bytes(2, "big") for u in units).decode("utf-16-be", "surrogatepass")
            current.append((text, True))
            units.clear()

    def item() -> str:
        flush_units()
        start, end = 0, len(current)
        while start < end and current[start] == (" ", False):
            start += 1
        while end > start and current[end - 1] == (" ", False):
            end -= 1
        return "".join(text for text, _protected in current[start:end])

    while i < n:
        ch = raw[i]
        if ch == "\\" and i + 1 < n:
            nxt = raw[i + 1]
            if nxt == "x":
                j = i + 2
                while j < n and raw[j] in HEX and j - (i + 2) < 4:
                    j += 1
                units.append(int(raw[i + 2 : j] or "0", 16))
                i = j
                continue
            flush_units()
            current.append((_UNESCAPES.get(nxt, nxt), True))
            i += 2
            continue
        flush_units()
        if ch == '"':
            in_quotes = not in_quotes
        elif ch == "," and not in_quotes:
            is_list = True
            items.append(item())
            current = []
        elif ch == ";" and not in_quotes:
            break
        else:
            current.append((ch, in_quotes))
        i += 1
    last = item()
    if is_list:
        return [_from_setting_string(text) for text in [*items, last]]
    return _from_setting_string(last)


def _from_setting_string(text: str) -> str:
    """stringToVariant for the forms qBittorrent.conf holds: '@@x' is '@x'; @ByteArray(x) stays as it is."""
    return text[1:] if text.startswith("@@") else text


class QSettingsFile:
    """The lines of an INI file, with lookups by (group, key) as QSettings names them ('Preferences', 'WebUI/Port')."""

    def __init__(self, text: str = "") -> None:
        self.lines = text.splitlines()
        self.trailing_newline = text.endswith("\n") or text == ""

    def _index(self) -> dict[tuple[str, str], int]:
        """(group, key) -> the line of its last occurrence (QSettings keeps the last one of duplicates)."""
        found, group = {}, ""  # keys before any [section] belong to General
        for number, line in enumerate(self.lines):
            stripped = line.strip()
            if stripped.startswith("[") and "]" in stripped:
                group = self._group_of(stripped[1 : stripped.index("]")])
            elif stripped and stripped[0] not in ";#" and "=" in stripped:
                found[(group, unescape_key(stripped.split("=", 1)[0].strip()))] = number
        return found

    @staticmethod
    def _group_of(header: str) -> str:
        # QConfFileSettingsPrivate::readIniFile: [General] (any case) holds the keys without a group, [%General]
        # the group called General
        header = header.strip()
        if header.lower() == "general":
            return ""
        if header.lower() == "%general":
            return "General"
        return unescape_key(header)

    def _sections(self) -> dict[str, int]:
        """group -> the line of its last [header]."""
        sections = {}
        for number, line in enumerate(self.lines):
            stripped = line.strip()
            if stripped.startswith("[") and "]" in stripped:
                sections[self._group_of(stripped[1 : stripped.index("]")])] = number
        return sections

    def raw(self, group: str, key: str) -> str | None:
        """The value text of GROUP/KEY as the file has it, or None."""
        number = self._index().get((group, key))
        if number is None:
            return None
        return self.lines[number].split("=", 1)[1].strip()

    def get(self, group: str, key: str) -> str | list[str] | None:
        """The value of GROUP/KEY as QSettings reads it, or None when absent."""
        raw = self.raw(group, key)
        return None if raw is None else parse_value(raw)

    def set_raw(self, group: str, key: str, raw: str) -> None:
        """Set GROUP/KEY to the file text RAW: in place when present, else at the end of its section (made if new)."""
        line = f"{escape_key(key)}={raw}"
        index = self._index()
        if (group, key) in index:
            self.lines[index[(group, key)]] = line
            return
        sections = self._sections()
        if group in sections:
            end = sections[group] + 1
            while end < len(self.lines) and not self.lines[end].strip().startswith("["):
                end += 1
            while end > sections[group] + 1 and not self.lines[end - 1].strip():
                end -= 1  # before the blank lines that separate it from the next section
            self.lines.insert(end, line)
            return
        if self.lines and self.lines[-1].strip():
            self.lines.append("")
        self.lines.extend([f"[{section_name(group)}]", line])

    def remove(self, group: str, key: str) -> None:
        """Delete every line of GROUP/KEY (an empty section stays, as harmless as QSettings finds it)."""
        while True:
            number = self._index().get((group, key))
            if number is None:
                return
            del self.lines[number]

    def set(self, group: str, key: str, value: str) -> None:
        """Set GROUP/KEY to the string VALUE, escaped as QSettings writes a QString."""
        self.set_raw(group, key, escape_value(to_setting_string(value)))

    def set_bytearray(self, group: str, key: str, content: str) -> None:
        """Set GROUP/KEY to a QByteArray holding CONTENT (ASCII), written @ByteArray(...) as variantToString does."""
        self.set_raw(group, key, escape_value(f"@ByteArray({content})"))

    def text(self) -> str:
        return "\n".join(self.lines) + ("\n" if self.lines and self.trailing_newline else "")
