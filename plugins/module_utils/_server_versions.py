# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The server's versions as the client reads them, and the two version policies of every task.

* The supported-version policy: a WebAPI or qBittorrent version outside the range this collection supports fails
  the task with fail_on_unsupported_version, and is a warning otherwise.
* The unimplemented-endpoint policy: require() fails, or warns so the caller skips the setting
  (fail_on_unimplemented_endpoint). Endpoints and features are named in one vocabulary (_versions.ENDPOINTS and
  FEATURES); the comparisons themselves are _versions'.

A mixin of _client.Client, which gives it request(), warn(), base_url, _auth and the two settings.
"""

from __future__ import annotations

from ._diagnose import not_a_version
from ._errors import UnimplementedEndpoint, UnsupportedVersion
from ._versions import ENDPOINTS, FEATURES, gap, is_app_version_supported, is_webapi_version_supported, parse_version


class ServerVersions:
    """Reads app/webapiVersion and app/version at most once per client, and answers version questions."""

    _app_version: str | None = None
    _webapi_version = None

    @property
    def webapi_version(self):
        """The server's WebAPI version (a packaging Version), read at most once per client."""
        if self._webapi_version is None and self._auth.key_check_pending:
            # The API key check reads the version itself; without this the first read would be sent twice.
            self._auth.ensure()
        if self._webapi_version is None:
            response = self.request("GET", "app/webapiVersion")
            text = response.text.strip()
            try:
                version = parse_version(text)
            except ValueError as exc:
                raise not_a_version(response, self.base_url) from exc
            self._webapi_version = version
            self._check_support("WebAPI", text, is_webapi_version_supported(text))
        return self._webapi_version

    @property
    def app_version(self) -> str:
        """The server's qBittorrent release, e.g. 'v5.1.0', read at most once per client."""
        if self._app_version is None:
            self._app_version = self.request("GET", "app/version").text.strip()
            self._check_support("qBittorrent", self._app_version, is_app_version_supported(self._app_version))
        return self._app_version

    def _check_support(self, what: str, version: str, supported: bool) -> None:
        if supported:
            return
        message = (
            f"{what} version {version} of the server at {self.base_url} is outside the range this collection "
            "supports (qBittorrent 4.1 to 5.3)"
        )
        if self.fail_on_unsupported_version:
            raise UnsupportedVersion(message + "; set fail_on_unsupported_version: false to try anyway")
        self.warn(message + "; continuing because fail_on_unsupported_version is false")

    # ----------------------------------------------------------------- version gates
    # The one vocabulary for version questions: an endpoint ('torrents/setTags') or a FEATURES name of _versions.
    def supports(self, name: str) -> bool:
        """True when the server has this endpoint or feature (reads the WebAPI version once if it is gated)."""
        return self._gap(name) is None

    def _gap(self, name: str, subject: str | None = None) -> str | None:
        if name not in ENDPOINTS and name not in FEATURES:
            return None
        return gap(name, self.webapi_version, subject)

    def require(self, name: str, setting: str | None = None) -> bool:
        """Check an endpoint or feature before planning a change that needs it; SETTING names what needs it in
        a person's words ('tags in RSS rules').

        True when the server has it. Otherwise raise UnimplementedEndpoint when fail_on_unimplemented_endpoint is
        set, or record a warning and return False so the caller skips that setting.
        """
        missing = self._gap(name, setting)
        if missing is None:
            return True
        if self.fail_on_unimplemented_endpoint:
            raise UnimplementedEndpoint(
                f"{missing}. Upgrade qBittorrent, or set fail_on_unimplemented_endpoint: false to skip this",
                missing,
            )
        self.warn(f"{missing}; skipped because fail_on_unimplemented_endpoint is false")
        return False
