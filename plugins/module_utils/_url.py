# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The url setting: its accepted forms, its checks before any request, and how a URL may be shown."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ._connection import has_userinfo
from ._diff import MASK
from ._errors import InvalidInput, QbtError

_SCHEME = re.compile(r"^(https?):", re.IGNORECASE)
_ANY_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_API_PATH = re.compile(r"/api/v2(/|$)", re.IGNORECASE)


def mask_url(url: str) -> str:
    """URL as it may be shown: userinfo and query values replaced by a mask, no fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(a URL that cannot be read)"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = re.sub(r"=[^&;]*", "=" + MASK, parts.query)
    shown = f"{parts.scheme}://{netloc}{parts.path}" if parts.scheme else f"{netloc}{parts.path}"
    return f"{shown}?{query}" if query else shown


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def split_url(url: str) -> tuple[str | None, str, str]:
    """Split 'host:port', 'http(s)://host:port' or 'https://host/prefix/' into (scheme or None, netloc, path).

    The path always ends in '/', so API paths joined to it keep a reverse-proxy prefix.
    """
    text = url.strip()
    other = _ANY_SCHEME.match(text)
    if other and other.group(1).lower() not in ("http", "https"):
        # Read without a scheme, 'ftp://host' would become the host name 'ftp': refuse it before any lookup.
        raise ValueError(f"the url {url!r} has the scheme {other.group(1)!r}; the WebUI speaks http:// or https://")
    if not _SCHEME.match(text) and not text.startswith("//"):
        text = "//" + text
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # an unbalanced [ of an IPv6 address
        raise ValueError(f"the url {url!r} cannot be read ({exc}); write it as host:port or http://host:port") from None
    if not parts.hostname:
        raise ValueError(f"the url {url!r} has no host name; write it as host:port, http://host:port or https://host/")
    try:
        port = parts.port
    except ValueError as exc:
        port = exc
    if port == 0 or isinstance(port, ValueError):
        raise ValueError(f"the url {url!r} has an invalid port; give a port number from 1 to 65535")
    path = parts.path or "/"
    if not path.endswith("/"):
        path += "/"
    return (parts.scheme.lower() or None), parts.netloc, path


def api_suffix(path: str) -> str | None:
    """The part of a url's PATH before '/api/v2' when the path contains it (the client adds it), else None."""
    match = _API_PATH.search(path)
    return path[: match.start() + 1] if match else None


def check_url(url: str | None) -> tuple[str | None, str, str]:
    """(scheme or None, netloc, path) of the url setting, or InvalidInput naming the option."""
    if not url:
        raise QbtError("no qBittorrent URL: set the url option or the QBITTORRENTAPI_HOST environment variable")
    if has_userinfo(url):
        # Checked before anything else reads the url, so no message can echo the password in it.
        raise InvalidInput(
            f"url: {mask_url(url if '//' in url else '//' + url).lstrip('/')} carries a username and password "
            "before the host: remove them from the url and set the username and password options (or "
            "QBITTORRENTAPI_USERNAME and QBITTORRENTAPI_PASSWORD), which are never shown in output"
        )
    try:
        scheme, netloc, path = split_url(url)
    except ValueError as exc:
        raise InvalidInput(f"url: {exc}") from None
    prefix = api_suffix(path)
    if prefix is not None:
        # Every API path is joined to the url as api/v2/<scope>/<action>: a url that already ends in it would
        # send .../api/v2/api/v2/..., which no server answers.
        shown = mask_url(f"{scheme}://{netloc}{path}" if scheme else f"//{netloc}{path}").lstrip("/")
        fixed = mask_url(f"{scheme}://{netloc}{prefix}" if scheme else f"//{netloc}{prefix}").lstrip("/")
        raise InvalidInput(
            f"url: {shown} contains the API path /api/v2, which the client adds itself: give the address the WebUI "
            f"opens at in a browser, {fixed}"
        )
    return scheme, netloc, path
