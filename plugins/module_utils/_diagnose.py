# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Answers that cannot come from qBittorrent, and the messages that say so.

A url that reaches another web server, the wrong path prefix of a reverse proxy, or the login page of an
authenticating proxy in front of qBittorrent would otherwise end in a confusing HTTP error with a whole HTML page
in it. The rules rest on what qBittorrent's WebUI sends under api/v2/ (src/webui/webapplication.cpp,
WebApplication::processRequest and processAPIRequest): errors are text/plain with the status text or a short
message, answers are JSON, plain text or a file, never HTML, and no answer carries a WWW-Authenticate challenge;
app/webapiVersion, app/version and auth/login exist in every WebAPI 2 release, so a 404 for them is not
qBittorrent's. Messages show at most a short summary of a page: its <title>, or the start of its text.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from ._errors import NotQbittorrent

SUMMARY_LIMIT = 80
# Endpoints every qBittorrent with WebAPI 2 has: a 404 for one of them comes from something else.
ALWAYS_THERE = frozenset({"app/webapiVersion", "app/version", "auth/login"})

_HTML_START = re.compile(r"^\s*(<!doctype\s+html|<html|<head|<body|<\?xml|<!--)", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
# Words of a login page or of a login portal's address (Authelia, Authentik, oauth2-proxy, Keycloak, SSO, ...).
_LOGIN_WORDS = re.compile(r"log-?_?in|sign-?_?in|auth|sso|oauth|openid|saml|password|access", re.IGNORECASE)
_RETURN_TO = re.compile(r"(^|&)(rd|redirect|redirect_uri|redirect_url|return_to|returnto|next|url)=", re.IGNORECASE)
_TO_DO = (
    "Check the url option: it must be the address the WebUI opens at in a browser (http://host:8080, or "
    "https://host/prefix/ behind a reverse proxy), with the right host, port and path prefix"
)
_PROXY_TO_DO = (
    "Let the client through to qBittorrent: exempt the /api/v2/ path from the proxy's login (qBittorrent checks "
    "username and password, or api_key, itself), give the proxy's credentials with extra_headers or "
    "requests_args.auth, or point the url option at qBittorrent's own address"
)


def short(text: str, limit: int = 300) -> str:
    """TEXT on one line, cut after LIMIT characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def _head(response, size: int = 65536) -> str:
    """The start of RESPONSE's body as text, whatever its encoding says (nothing here needs more)."""
    data = (response.content or b"")[:size]
    try:
        return data.decode(response.encoding or "utf-8", "replace")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", "replace")


def is_html(response) -> bool:
    """Whether RESPONSE is a web page (by its Content-Type, or by how its body starts)."""
    kind = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return kind in ("text/html", "application/xhtml+xml") or bool(_HTML_START.match(_head(response, 512)))


def summary(response) -> str:
    """At most SUMMARY_LIMIT characters that say what RESPONSE's body is: a page's <title>, or its text stripped
    of tags. Never a whole page."""
    text = _head(response)
    title = _TITLE.search(text)
    if title and title.group(1).strip():
        text = title.group(1)
    elif "<" in text:
        text = _TAG.sub(" ", _HIDDEN.sub(" ", text))
    return short(html.unescape(text), SUMMARY_LIMIT)


def _said(response) -> str:
    words = summary(response)
    return f"HTTP {response.status_code}, {words!r}" if words else f"HTTP {response.status_code}, no text"


def foreign_answer(method: str, endpoint: str, response, base_url: str) -> NotQbittorrent | None:
    """The error to raise when RESPONSE to an API call cannot come from qBittorrent, else None."""
    call = f"{method} api/v2/{endpoint}"
    challenge = response.headers.get("WWW-Authenticate") or response.headers.get("Proxy-Authenticate")
    if response.status_code in (401, 407) and challenge:
        scheme = short(challenge.split(None, 1)[0] if challenge.split() else challenge, 20)
        return NotQbittorrent(
            f"something in front of qBittorrent at {base_url} (an authenticating proxy) answered {call} with HTTP "
            f"{response.status_code} and asks for {scheme} credentials, which qBittorrent never does. " + _PROXY_TO_DO
        )
    if is_html(response):
        if (endpoint == "auth/login" and response.status_code == 200) or _LOGIN_WORDS.search(summary(response)):
            return NotQbittorrent(
                f"something in front of qBittorrent at {base_url} (an authenticating proxy) answered {call} with "
                f"its login page ({_said(response)}) instead of qBittorrent's answer. " + _PROXY_TO_DO
            )
        return NotQbittorrent(
            f"the server at {base_url} is not a qBittorrent WebUI, or not at this path: {call} answered with a web "
            f"page ({_said(response)}), which qBittorrent's API never sends. " + _TO_DO
        )
    if response.status_code == 404 and endpoint in ALWAYS_THERE:
        return NotQbittorrent(
            f"the server at {base_url} is not a qBittorrent WebUI, or not at this path: {call} answered "
            f"{_said(response)}, and every qBittorrent WebUI has that endpoint. " + _TO_DO
        )
    return None


def not_a_version(response, base_url: str) -> NotQbittorrent:
    """app/webapiVersion answered 2xx with something that is not a version number."""
    return NotQbittorrent(
        f"the server at {base_url} is not a qBittorrent WebUI, or not at this path: GET api/v2/app/webapiVersion "
        f"answered {_said(response)} where qBittorrent sends its WebAPI version (such as 2.11.4). " + _TO_DO
    )


def not_a_login_answer(response, base_url: str) -> NotQbittorrent:
    """auth/login answered 2xx with something else than qBittorrent's 'Ok.' or 'Fails.'."""
    return NotQbittorrent(
        f"the server at {base_url} is not a qBittorrent WebUI, or not at this path: POST api/v2/auth/login "
        f"answered {_said(response)} where qBittorrent answers 'Ok.' or 'Fails.'. " + _TO_DO
    )


def login_redirect(target: str) -> bool:
    """Whether a redirect to TARGET (a URL) leads to a login page rather than to another qBittorrent address."""
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    if "/api/v2/" in parts.path:
        return False
    return bool(_LOGIN_WORDS.search(f"{parts.hostname or ''}{parts.path}") or _RETURN_TO.search(parts.query))


def proxy_login_redirect(what: str, status: int, shown_target: str) -> str:
    """The message for a refused redirect to a login page (SHOWN_TARGET is already masked)."""
    return (
        f"{what}: something in front of qBittorrent (an authenticating proxy) answered HTTP {status} with a "
        f"redirect to a login page, {shown_target}, where the client cannot log in. " + _PROXY_TO_DO
    )


def proxy_failure(where: str, proxy: str | None, reason: str) -> str:
    """requests sends through a forward proxy from requests_args.proxies or, as curl does, from the environment of
    the host that runs the task: a broken one must be named, or the WebUI looks down when it is not."""
    return (
        f"cannot reach {where} through the HTTP proxy {proxy or '(from the environment)'}: {reason}. The proxy comes "
        "from requests_args.proxies or from the HTTP_PROXY, HTTPS_PROXY and ALL_PROXY environment variables of the "
        "host that runs the task: fix the proxy, or leave this server out of it with NO_PROXY (a host list)"
    )
