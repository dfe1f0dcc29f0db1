# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The platform the server runs on, and declared paths that cannot be meant for it (a Windows path for a Linux
server), refused before any write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._errors import QbtError
from ._fields import Problems, is_windows_path


def server_platform(client) -> str | None:
    """The platform the server runs on ('linux', 'macos', 'windows'; app/buildInfo has it from qBittorrent 5.0),
    or None when the server does not say."""
    try:
        if not client.supports("app/buildInfo"):
            return None
        platform = client.get_json("app/buildInfo").get("platform")
    except QbtError:
        return None
    return platform if isinstance(platform, str) and platform else None


def refuse_foreign_paths(client, paths: Iterable[tuple[str, Any]]) -> None:
    """Refuse Windows paths (option, value) for a server that says it is not Windows, before any write; read the
    platform only when a Windows path is declared, so POSIX paths cost nothing. A Windows path on a Linux server
    would be taken as a relative path and nested under the server's working directory."""
    windows = [(option, value) for option, value in paths if isinstance(value, str) and is_windows_path(value)]
    if not windows:
        return
    platform = server_platform(client)
    if platform is None or platform == "windows":
        return
    problems = Problems()
    for option, value in windows:
        problems.add(
            f"{option}: {value!r} is a Windows path, but the qBittorrent server runs on {platform}; give an "
            "absolute POSIX path such as /downloads/movies"
        )
    problems.raise_any()
