# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options object: one table for argument spec, defaults, environment variables, secrets and docs."""

from __future__ import annotations

import logging
import re

import pytest
import yaml

from ansible_collections.community.qbittorrent.plugins.doc_fragments._connection import ModuleDocFragment
from ansible_collections.community.qbittorrent.plugins.module_utils import _connection, _module
from ansible_collections.community.qbittorrent.plugins.module_utils._client import Client
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput

BASE = "http://qbt.test:8080"


def documented():
    return yaml.safe_load(ModuleDocFragment.DOCUMENTATION)


def test_the_doc_fragment_documents_exactly_the_options_of_the_table():
    docs = documented()
    options = docs["options"]
    assert set(options) == set(_connection.ARGSPEC)
    for name, spec in _connection.ARGSPEC.items():
        option = _connection.BY_NAME[name]
        doc = options[name]
        assert doc["type"] == spec["type"], name
        assert doc.get("default") == spec.get("default"), name
        assert doc.get("aliases", []) == spec.get("aliases", []), name
        assert doc.get("no_log", False) is False, name  # no_log is argument-spec only
        text = " ".join(doc["description"])
        assert set(re.findall(r"E\(([A-Z0-9_]+)\)", text)) == set(option.env), name
    # Client-only settings with an environment variable are documented in the notes.
    notes = " ".join(docs["notes"])
    for option in _connection.OPTIONS:
        if not option.module_option:
            assert option.name not in options
            for env in option.env:
                assert f"E({env})" in notes


def test_the_module_base_uses_the_table():
    assert _module.CONNECTION_ARGSPEC is _connection.ARGSPEC
    assert _module.CONNECTION_OPTIONS == _connection.OPTION_NAMES
    assert _module.argument_spec({})["password"] == {"type": "str", "no_log": True}
    assert _module.argument_spec({})["fail_on_unimplemented_endpoint"]["default"] is True


def test_client_defaults_come_from_the_table():
    client = Client(BASE, env={})
    assert client.fail_on_unimplemented_endpoint is _connection.DEFAULTS["fail_on_unimplemented_endpoint"] is True
    assert client.fail_on_unsupported_version is False
    assert client.timeout == _connection.DEFAULTS["timeout"] == 15.0
    assert client.request_deadline == _connection.DEFAULTS["request_deadline"] == 300.0
    assert client._transport.verify is True
    # None means "not given" for every setting, as a module's null does.
    assert Client(BASE, timeout=None, validate_certs=None, env={}).timeout == 15.0


def test_resolve_arguments_then_environment_then_defaults():
    env = {
        "QBITTORRENTAPI_HOST": "envhost:1",
        "PYTHON_QBITTORRENTAPI_USERNAME": "legacy",
        "QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE": "false",  # any value turns verification off
        "QBITTORRENTAPI_DISABLE_LOGGING_DEBUG_OUTPUT": "1",
    }
    values = _connection.resolve({"url": "", "password": "pw", "timeout": 3}, env)
    assert values["url"] == "envhost:1"  # an empty argument falls back
    assert values["username"] == "legacy"
    assert values["password"] == "pw"
    assert values["validate_certs"] is False
    assert values["disable_logging_debug_output"] is True
    assert values["timeout"] == 3
    assert values["fail_on_unimplemented_endpoint"] is True
    assert _connection.resolve({"validate_certs": False}, {})["validate_certs"] is False
    assert _connection.resolve({}, {"QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE": ""})["validate_certs"] is True


def test_from_params_reads_the_connection_options_and_the_given_environment():
    params = {
        "url": None,
        "username": "u",
        "password": None,
        "timeout": 4.0,
        "request_deadline": 9.0,
        "fail_on_unimplemented_endpoint": False,
        "name": "a module option, ignored",
    }
    env = {"QBITTORRENTAPI_HOST": "h:2", "QBITTORRENTAPI_PASSWORD": "envpw"}
    client = Client.from_params(params, env)
    assert (client.base_url, client.username, client.timeout, client.request_deadline) == ("http://h:2/", "u", 4, 9)
    assert client.fail_on_unimplemented_endpoint is False
    assert "envpw" in client.secrets
    # The module base's old name is an alias; its environment defaults to the task's.
    assert _module.client_from_params(params, env).base_url == "http://h:2/"


def test_derive_is_the_one_way_to_a_second_client():
    client = Client(BASE, "admin", "pw", timeout=3, request_deadline=7, env={})
    other = client.derive(url="http://other:1", api_key="qbt_k")
    assert (other.base_url, other.timeout, other.request_deadline) == ("http://other:1/", 3, 7)
    assert other.username is None and other.uses_api_key
    assert not hasattr(_module, "derive_client")


def test_secret_values_cover_every_place_a_credential_can_be_given():
    settings = {
        "url": "http://qbt.test:8080",
        "password": "pw",
        "api_key": "qbt_key",
        "extra_headers": {"X-Proxy-Token": "tok1", "X-Forwarded-Proto": "https", "Referer": "http://qbt.test/"},
        "requests_args": {
            "headers": {"Proxy-Authorization": "Basic cHJveHk="},
            "auth": ["basicuser", "basicpw"],
            "proxies": {"https": "http://puser:p%40ss@proxy:3128", "http": "http://proxy:3128"},
        },
    }
    found = _connection.secret_values(settings)
    assert {"pw", "qbt_key", "tok1", "Basic cHJveHk=", "basicuser", "basicpw"} <= found
    assert {"p%40ss", "p@ss", "puser:p%40ss", "puser:p@ss"} <= found
    # Addresses and formats are not credentials: masking them would hide the URL in every message.
    assert not {"https", "http://qbt.test/", "http://proxy:3128"} & found
    assert _connection.secret_values({"url": "http://u:s3cret@h:1"}) >= {"s3cret", "u:s3cret"}
    client = Client(BASE, "admin", "pw", env={}, **{k: settings[k] for k in ("extra_headers", "requests_args")})
    assert found - {"qbt_key"} <= set(client.secrets)


def test_disable_logging_debug_output_from_the_environment(monkeypatch):
    for name in ("community.qbittorrent", "requests", "urllib3"):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.DEBUG)
    Client(BASE, env={"QBITTORRENTAPI_DISABLE_LOGGING_DEBUG_OUTPUT": ""})
    assert logging.getLogger("urllib3").level == logging.DEBUG  # empty: not set
    Client(BASE, env={"QBITTORRENTAPI_DISABLE_LOGGING_DEBUG_OUTPUT": "1"})
    for name in ("community.qbittorrent", "requests", "urllib3"):
        assert logging.getLogger(name).level == logging.INFO
    # Only loggers below INFO are raised: a stricter level set elsewhere stays.
    monkeypatch.setattr(logging.getLogger("requests"), "level", logging.ERROR)
    Client(BASE, env={"QBITTORRENTAPI_DISABLE_LOGGING_DEBUG_OUTPUT": "yes"})
    assert logging.getLogger("requests").level == logging.ERROR


@pytest.mark.parametrize("name, value", [("timeout", 0), ("request_deadline", -1), ("request_deadline", "x")])
def test_time_settings_must_be_positive_numbers(name, value):
    with pytest.raises(Exception, match=f"{name}: .* is not a number of seconds greater than 0"):
        Client(BASE, env={}, **{name: value})


@pytest.mark.parametrize(
    "given, env, missing, variable",
    [
        ({"username": "admin"}, {}, "password", "QBITTORRENTAPI_PASSWORD"),
        ({"password": "pw"}, {}, "username", "QBITTORRENTAPI_USERNAME"),
        ({}, {"PYTHON_QBITTORRENTAPI_USERNAME": "admin"}, "password", "QBITTORRENTAPI_PASSWORD"),
        ({"username": "admin", "password": ""}, {}, "password", "QBITTORRENTAPI_PASSWORD"),
    ],
)
def test_username_without_password_or_the_reverse_fails_before_any_request(given, env, missing, variable):
    with pytest.raises(
        InvalidInput, match=f"^{missing}: not set, but .* is .*Set the {missing} option \\(or {variable}\\)"
    ):
        Client(BASE, env=env, **given)


def test_credentials_may_come_half_from_the_environment_and_an_api_key_needs_neither():
    assert Client(BASE, "admin", env={"QBITTORRENTAPI_PASSWORD": "envpw"}).username == "admin"
    assert Client(BASE, password="pw", env={"QBITTORRENTAPI_USERNAME": "envuser"}).username == "envuser"
    assert Client(BASE, api_key="qbt_k", env={}).uses_api_key
    assert Client(BASE, "admin", api_key="qbt_k", env={}).uses_api_key  # the key wins; the username is unused
    assert Client(BASE, env={}).username is None  # a server that lets this client in without a login
