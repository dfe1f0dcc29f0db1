# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options, defined once: argument spec, defaults, environment variables and secrets.

Every other place derives from OPTIONS: the module base's argument spec (ARGSPEC, re-exported by _module as
CONNECTION_ARGSPEC), the client's defaults and environment fallbacks (resolve()), the values that must never be
shown (secret_values()), and the unit test that holds plugins/doc_fragments/_connection.py to this table.

Pure Python, no Ansible and no requests import: the client and the module base both import it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote


class Option:
    """One connection setting.

    env: the environment variables read when the setting is not given, first one set wins.
    env_means: 'value' (the variable's text is the value), 'off' (any non-empty value turns a true setting off, as
    the reference client does for QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE), or 'on' (any non-empty value
    turns a false setting on).
    module_option: False for client-only settings that modules do not expose (set through the environment only).
    """

    __slots__ = ("name", "type", "default", "env", "env_means", "no_log", "aliases", "module_option")

    def __init__(
        self,
        name: str,
        type: str,  # noqa: A002 - the Ansible argument-spec key
        default: Any = None,
        env: tuple[str, ...] = (),
        env_means: str = "value",
        no_log: bool = False,
        aliases: tuple[str, ...] = (),
        module_option: bool = True,
    ) -> None:
        self.name = name
        self.type = type
        self.default = default
        self.env = env
        self.env_means = env_means
        self.no_log = no_log
        self.aliases = aliases
        self.module_option = module_option

    def argspec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"type": self.type}
        if self.default is not None:
            spec["default"] = self.default
        if self.no_log:
            spec["no_log"] = True
        if self.aliases:
            spec["aliases"] = list(self.aliases)
        return spec


# The biggest upload the collection sends is one torrents/add request of at most 48 MiB (_torrents.MAX_ADD_BYTES);
# 300 s lets that through at about 170 KB/s, and still ends a request that a server trickles out byte by byte.
DEFAULT_REQUEST_DEADLINE = 300.0

OPTIONS: tuple[Option, ...] = (
    # The PYTHON_ forms are the reference client's legacy names (qbittorrent-api request.py, _initialize_settings).
    Option("url", "str", env=("QBITTORRENTAPI_HOST", "PYTHON_QBITTORRENTAPI_HOST"), aliases=("host",)),
    Option("username", "str", env=("QBITTORRENTAPI_USERNAME", "PYTHON_QBITTORRENTAPI_USERNAME")),
    Option("password", "str", env=("QBITTORRENTAPI_PASSWORD", "PYTHON_QBITTORRENTAPI_PASSWORD"), no_log=True),
    # The reference client has no legacy PYTHON_ name for the API key.
    Option("api_key", "str", env=("QBITTORRENTAPI_API_KEY",), no_log=True),
    Option(
        "validate_certs",
        "bool",
        default=True,
        env=(
            "QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE",
            "PYTHON_QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE",
        ),
        env_means="off",
    ),
    Option("ca_path", "path"),
    Option("timeout", "float", default=15.0),
    Option("request_deadline", "float", default=DEFAULT_REQUEST_DEADLINE),
    Option("requests_args", "dict"),
    Option("http_adapter_args", "dict"),
    Option("extra_headers", "dict"),
    Option("fail_on_unsupported_version", "bool", default=False),
    Option("fail_on_unimplemented_endpoint", "bool", default=True),
    # Client-only settings.
    Option("retries", "int", default=1, module_option=False),
    Option(
        "disable_logging_debug_output",
        "bool",
        default=False,
        env=("QBITTORRENTAPI_DISABLE_LOGGING_DEBUG_OUTPUT",),
        env_means="on",
        module_option=False,
    ),
)
BY_NAME: dict[str, Option] = {option.name: option for option in OPTIONS}
ARGSPEC: dict[str, dict[str, Any]] = {option.name: option.argspec() for option in OPTIONS if option.module_option}
OPTION_NAMES = frozenset(ARGSPEC)
DEFAULTS: dict[str, Any] = {option.name: option.default for option in OPTIONS}
ENV_NAMES: dict[str, tuple[str, ...]] = {option.name: option.env for option in OPTIONS if option.env}

# Headers whose values name addresses or formats, not credentials: masking them would hide the URL in every
# message (a Referer is the WebUI's own address). Every other custom header may carry a proxy's token.
NOT_SECRET_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-language",
        "content-type",
        "host",
        "origin",
        "referer",
        "user-agent",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-forwarded-port",
        "x-forwarded-proto",
        "x-real-ip",
        "x-requested-with",
    }
)


def _env_value(option: Option, env: Mapping[str, str]) -> str | None:
    for name in option.env:
        if env.get(name):
            return env[name]
    return None


def resolve(values: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """Every setting's value: the given one, else its environment variable, else its default.

    A value counts as given when it is neither None nor '' (an empty argument falls back, as in the reference
    client). Unknown names in VALUES are ignored.
    """
    result = {}
    for option in OPTIONS:
        value = values.get(option.name)
        if value in (None, ""):
            value = None
        flag = _env_value(option, env) if option.env else None
        if option.env_means == "value":
            if value is None:
                value = flag
        elif option.env_means == "off":
            value = option.default if value is None else value
            if value and flag:
                value = False
        elif option.env_means == "on":
            value = option.default if value is None else value
            if not value and flag:
                value = True
        if value is None:
            value = option.default
        result[option.name] = value
    return result


def _netloc(url: str) -> str:
    """The authority part of URL, also when it has no scheme ('user:pw@host:1/x' -> 'user:pw@host:1')."""
    rest = url.strip().split("//", 1)[1] if "//" in url else url.strip()
    return re.split(r"[/?#]", rest, maxsplit=1)[0]


def has_userinfo(url: Any) -> bool:
    """Whether URL carries credentials before its host ('http://user:pw@host')."""
    return isinstance(url, str) and "@" in _netloc(url)


def url_secrets(url: Any) -> set[str]:
    """The password of a URL's userinfo, raw and decoded, and the whole 'user:password'."""
    if not has_userinfo(url):
        return set()
    userinfo = _netloc(url).rsplit("@", 1)[0]
    user, sep, password = userinfo.partition(":")
    if not (sep and password):
        return set()
    return {value for value in (password, unquote(password), userinfo, f"{unquote(user)}:{unquote(password)}") if value}


def header_values(headers: Any) -> set[str]:
    """The values of HEADERS that may be credentials (every custom header; see NOT_SECRET_HEADERS)."""
    if not isinstance(headers, Mapping):
        return set()
    return {
        str(value)
        for name, value in headers.items()
        if value not in (None, "") and str(name).lower() not in NOT_SECRET_HEADERS
    }


def secret_values(settings: Mapping[str, Any]) -> set[str]:
    """Every value among the connection SETTINGS (given or resolved) that must never appear in any output.

    The password and the API key; custom header values (extra_headers, requests_args.headers); the members of
    requests_args.auth; the userinfo of proxy URLs in requests_args.proxies and of the url itself.
    """
    found: set[str] = set()
    for name in ("password", "api_key"):
        value = settings.get(name)
        if value not in (None, ""):
            found.add(str(value))
    found |= header_values(settings.get("extra_headers"))
    found |= url_secrets(settings.get("url"))
    args = settings.get("requests_args")
    if isinstance(args, Mapping):
        found |= header_values(args.get("headers"))
        auth = args.get("auth")
        if isinstance(auth, (list, tuple)):
            found.update(str(member) for member in auth if member not in (None, ""))
        elif isinstance(auth, str) and auth:
            found.add(auth)
        proxies = args.get("proxies")
        if isinstance(proxies, Mapping):
            for proxy in proxies.values():
                found |= url_secrets(proxy)
    return found
