# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The exceptions the qBittorrent client raises.

Every message is meant to be shown to a person as it is: it names what failed, what the server said and,
where there is one, what to do about it. No message ever carries a password or an API key.
"""

from __future__ import annotations


class QbtError(Exception):
    """Base of every error the client raises."""


class ConnectionFailed(QbtError):
    """The server could not be reached: refused, timed out, TLS failure, reset, DNS."""


class LoginFailed(QbtError):
    """The server rejected the username and password, or the API key."""


class Banned(LoginFailed):
    """The server has banned this client's IP address after too many failed logins."""


class UnsupportedVersion(QbtError):
    """The server's qBittorrent version is outside the supported range (with fail_on_unsupported_version)."""


class RequestDeadlineExceeded(ConnectionFailed):
    """One HTTP exchange took longer than request_deadline (a server that trickles its answer)."""


class RedirectRefused(QbtError):
    """The server answered with a redirect the client does not follow (it could carry credentials elsewhere)."""


class UnimplementedEndpoint(QbtError):
    """The server's WebAPI version does not have an endpoint or a feature a task needs.

    Attribute gap: the sentence that names what is missing and the release that brings it.
    """

    def __init__(self, message: str, gap: str | None = None) -> None:
        super().__init__(message)
        self.gap = gap or message


class UnexpectedResponse(QbtError):
    """The server answered with a body the client cannot understand."""


class NotQbittorrent(UnexpectedResponse):
    """The answer came from something else than qBittorrent: another web server, or a proxy's login in front of it."""


class HTTPStatusError(QbtError):
    """The server answered an API call with an HTTP error status.

    Attributes: status (int), endpoint ("scope/action"), body (the server's own text, shortened).
    """

    def __init__(self, message: str, status: int, endpoint: str, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.endpoint = endpoint
        self.body = body


class BadRequest(HTTPStatusError):
    """400: a parameter is missing or invalid."""


class Unauthorized(HTTPStatusError):
    """401: CSRF (Origin/Referer) or Host-header validation failed; bad credentials on 5.2+."""


class Forbidden(HTTPStatusError):
    """403: not authenticated (no session, expired session, wrong API key), or a path that is not writable."""


class NotFound(HTTPStatusError):
    """404: unknown endpoint, unknown hash on a single-hash endpoint, missing category (5.2+)."""


class MethodNotAllowed(HTTPStatusError):
    """405: wrong HTTP method."""


class Conflict(HTTPStatusError):
    """409: the server refused the change (existing or invalid category, duplicate torrent on 5.2+, ...)."""


class UnsupportedMediaType(HTTPStatusError):
    """415: an uploaded file is not a valid torrent."""


class ServerError(HTTPStatusError):
    """5xx: the server (or a proxy in front of it) failed."""


STATUS_ERRORS = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    415: UnsupportedMediaType,
}


def error_class_for_status(status: int) -> type[HTTPStatusError]:
    """The exception class for an HTTP status of 400 or more."""
    if status >= 500:
        return ServerError
    return STATUS_ERRORS.get(status, HTTPStatusError)


class InvalidInput(QbtError):
    """A task's parameters cannot be applied; raised before anything is written to the server."""
