# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How one Client proves who it is: the API key check, or the password login, one re-login, and the logout.

Server facts: docs/dev/webapi-facts.md (Authentication); the behaviour against the reference client:
docs/dev/client-behaviour.md (API key precedence; Login, re-login and logout).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ._diagnose import foreign_answer, not_a_login_answer, short
from ._errors import Banned, ConnectionFailed, Forbidden, LoginFailed, QbtError
from ._versions import gap

if TYPE_CHECKING:  # pragma: no cover
    from ._client import Client
    from ._transport import Transport

LOGGER = logging.getLogger("community.qbittorrent")


class Auth:
    """The credentials of CLIENT, sent through its TRANSPORT, and what was done with them (login, key check)."""

    def __init__(
        self, client: Client, transport: Transport, username: str | None, password: str | None, api_key: str | None
    ) -> None:
        self._client = client
        self._transport = transport
        self.username = username
        self._password = password
        self.api_key = api_key
        self.logged_in = False
        self.key_checked = False

    @property
    def can_log_in(self) -> bool:
        """A password login is possible and wanted (an API key wins over username and password)."""
        return not self.api_key and self.username is not None and self._password is not None

    @property
    def key_check_pending(self) -> bool:
        return bool(self.api_key) and not self.key_checked

    def ensure(self) -> None:
        """Check the API key or log in, once, before the first API call."""
        if self.api_key:
            if not self.key_checked:
                self._check_api_key()
        elif not self.logged_in and self.can_log_in:
            self.login()

    def relogin(self) -> None:
        """qBittorrent answers 403 for an expired or unknown session: log in once more."""
        self.logged_in = False
        self.login()

    def _check_api_key(self) -> None:
        """Prove the key works and the server knows API keys.

        A server older than WebAPI 2.14.1 ignores the Bearer header, and one that lets this client in without
        authentication would then look as if the key worked: an anonymous call is never what the user meant.
        """
        self.key_checked = True
        try:
            version = self._client.webapi_version
        except Forbidden as exc:
            raise LoginFailed(self._api_key_refusal()) from exc
        missing = gap("api_key", version, "an API key")
        if missing is not None:
            raise LoginFailed(
                f"api_key cannot be used with the server at {self._client.base_url}: {missing}. "
                "Use username and password"
            )

    def _api_key_refusal(self) -> str:
        # In API-key mode qBittorrent 5.2+ answers 404 for any non-API path; older servers serve the WebUI there.
        # That tells "wrong key" from "server too old" without a login attempt that would count towards a ban.
        base_url = self._client.base_url
        try:
            probe = self._transport.send("GET", None)
        except ConnectionFailed:
            probe = None
        if probe is not None and probe.status_code != 404:
            return (
                f"api_key: the server at {base_url} does not accept API keys: API keys need qBittorrent 5.2 or "
                "later (WebAPI 2.14.1). Use username and password"
            )
        return (
            f"qBittorrent at {base_url} rejected the API key (HTTP 403): check api_key or "
            "QBITTORRENTAPI_API_KEY; it may have been rotated or deleted"
        )

    def login(self) -> None:
        client = self._client
        response = self._transport.send(
            "POST", "auth/login", data={"username": self.username, "password": self._password}
        )
        foreign = foreign_answer("POST", "auth/login", response, client.base_url)
        if foreign is not None:
            raise foreign
        body = (response.text or "").strip()
        if response.status_code == 403:
            raise Banned(
                f"qBittorrent at {client.base_url} has banned this IP address after too many failed logins "
                f"({short(body)}). Check username and password, then wait for the ban to end "
                "(web_ui_ban_duration) or restart qBittorrent"
            )
        if body == "Fails.":
            raise LoginFailed(self._credentials_rejected())
        if response.status_code == 401:
            # 5.2+ answers 401 for wrong credentials; every version answers 401 when Host-header or CSRF
            # (Origin/Referer) validation fails.
            raise LoginFailed(
                self._credentials_rejected()
                + ". If they are right, qBittorrent's Host-header or CSRF validation refused the request (a mapped "
                "port, a proxy, or an Origin/Referer header in extra_headers?)"
            )
        if response.status_code in (200, 204) and body in ("", "Ok."):
            self.logged_in = True
            return
        client.raise_for_status("POST", "auth/login", response)
        raise not_a_login_answer(response, client.base_url)

    def _credentials_rejected(self) -> str:
        return (
            f"qBittorrent at {self._client.base_url} rejected the username {self.username!r} and its password: "
            "check the username and password options (or QBITTORRENTAPI_USERNAME and QBITTORRENTAPI_PASSWORD)"
        )

    def logout(self) -> None:
        """Log out when this client logged in. Never raises."""
        try:
            if self.logged_in:
                self.logged_in = False
                self._transport.send("POST", "auth/logout")
        except QbtError as exc:
            LOGGER.debug("logout failed: %s", exc)
