# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client behaviour that no real server can show: exact wire details, fake statuses, retry bounds."""

from __future__ import annotations

import logging
import socket
import threading
import time

import pytest
import requests

from ansible_collections.community.qbittorrent.plugins.module_utils import _client
from ansible_collections.community.qbittorrent.plugins.module_utils._client import Client, split_url
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import (
    BadRequest,
    Banned,
    Conflict,
    ConnectionFailed,
    Forbidden,
    InvalidInput,
    LoginFailed,
    MethodNotAllowed,
    NotFound,
    NotQbittorrent,
    RedirectRefused,
    RequestDeadlineExceeded,
    ServerError,
    Unauthorized,
    UnexpectedResponse,
    UnimplementedEndpoint,
    UnsupportedMediaType,
    UnsupportedVersion,
)
from ansible_collections.community.qbittorrent.tests.unit.plugins.module_utils import fake_server
from ansible_collections.community.qbittorrent.tests.unit.plugins.module_utils.fake_server import form, install

BASE = "http://qbt.test:8080"


def routes(extra=None):
    table = {
        ("POST", "auth/login"): (200, "Ok.", {"Set-Cookie": "SID=abc; path=/"}),
        ("POST", "auth/logout"): (200, ""),
        ("GET", "app/webapiVersion"): (200, "2.11.4"),
        ("GET", "app/version"): (200, "v5.1.0"),
        ("GET", "app/preferences"): (200, "{}"),
    }
    table.update(extra or {})
    return table


def sent(adapter, path):
    return [request for request, _kwargs in adapter.requests if request.url.endswith(path)]


@pytest.mark.parametrize(
    "url, expected",
    [
        ("localhost:8080", (None, "localhost:8080", "/")),
        ("127.0.0.1:8080", (None, "127.0.0.1:8080", "/")),
        ("http://h:1", ("http", "h:1", "/")),
        ("HTTPS://h:1/", ("https", "h:1", "/")),
        ("https://h/qbt", ("https", "h", "/qbt/")),
        ("https://h/qbt/", ("https", "h", "/qbt/")),
        ("//h:9", (None, "h:9", "/")),
    ],
)
def test_split_url_forms(url, expected):
    assert split_url(url) == expected


def test_split_url_without_host_is_a_clear_error():
    with pytest.raises(ValueError, match="has no host name"):
        split_url("http://")


def test_prefix_is_kept_in_every_api_url(monkeypatch):
    adapter = install(monkeypatch, _client, routes())
    with Client("https://qbt.test/qbt", "admin", "pw") as client:
        client.get("app/preferences")
    assert adapter.requests[0][0].url == "https://qbt.test/qbt/api/v2/auth/login"
    assert adapter.requests[1][0].url == "https://qbt.test/qbt/api/v2/app/preferences"


def test_booleans_are_sent_as_lowercase_words_and_none_is_dropped(monkeypatch):
    adapter = install(monkeypatch, _client, routes({("POST", "torrents/add"): (200, "Ok.")}))
    with Client(BASE, "admin", "pw") as client:
        client.post("torrents/add", {"urls": "magnet:?x", "paused": True, "skip_checking": False, "rename": None})
    fields = form(sent(adapter, "torrents/add")[0])
    assert fields == {"urls": "magnet:?x", "paused": "true", "skip_checking": "false"}


def test_reads_are_get_mutations_are_post_and_no_referer_or_origin(monkeypatch):
    adapter = install(monkeypatch, _client, routes({("POST", "torrents/createCategory"): (200, "")}))
    with Client(BASE, "admin", "pw") as client:
        client.get("app/preferences")
        client.post("torrents/createCategory", {"category": "a"})
    methods = [(request.method, request.url.rsplit("/v2/", 1)[1]) for request, _kwargs in adapter.requests]
    assert methods == [
        ("POST", "auth/login"),
        ("GET", "app/preferences"),
        ("GET", "app/webapiVersion"),  # the supported-version policy, before the first write
        ("POST", "torrents/createCategory"),
        ("POST", "auth/logout"),
    ]
    for request, _kwargs in adapter.requests:
        assert "Referer" not in request.headers and "Origin" not in request.headers


def test_default_timeout_and_verify_are_passed_on_every_call(monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    adapter = install(monkeypatch, _client, routes())
    with Client(BASE, "admin", "pw") as client:
        client.get("app/preferences")
    for _request, kwargs in adapter.requests:
        assert kwargs["timeout"] == _client.DEFAULT_TIMEOUT == 15.0
        assert kwargs["verify"] is True


def test_ca_path_and_validate_certs_reach_each_request_despite_ca_bundle_variables(monkeypatch):
    # requests lets these variables override Session.verify; the client passes verify on each call instead.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/env/bundle.pem")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/env/bundle.pem")
    adapter = install(monkeypatch, _client, routes())
    with Client(BASE, "admin", "pw", ca_path="/ca.pem") as client:
        client.get("app/preferences")
    with Client(BASE, "admin", "pw", validate_certs=False, ca_path="/ca.pem") as client:
        client.get("app/preferences")
    verifies = [kwargs["verify"] for _request, kwargs in adapter.requests]
    assert verifies == ["/ca.pem"] * 3 + [False] * 3


def test_environment_variables_fill_unset_options_only():
    env = {
        "QBITTORRENTAPI_HOST": "envhost:1",
        "QBITTORRENTAPI_USERNAME": "envuser",
        "QBITTORRENTAPI_PASSWORD": "envpw",
        "QBITTORRENTAPI_API_KEY": "qbt_env",
    }
    client = Client(env=env)
    assert client.base_url == "http://envhost:1/"
    assert client.username == "envuser"
    assert client.secrets == ("envpw", "qbt_env")
    client = Client("arghost:2", "arguser", "argpw", env=env)
    assert (client.base_url, client.username) == ("http://arghost:2/", "arguser")
    assert client.secrets == ("argpw", "qbt_env")
    legacy = Client(env={"PYTHON_QBITTORRENTAPI_HOST": "old:3"})
    assert legacy.base_url == "http://old:3/"


def test_missing_url_is_a_clear_error():
    with pytest.raises(Exception, match="set the url option or the QBITTORRENTAPI_HOST"):
        Client(env={})


@pytest.mark.parametrize("value, verify", [("1", False), ("false", False), ("", True)])
def test_do_not_verify_environment_variable(value, verify):
    client = Client(BASE, env={"QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE": value})
    assert client._transport.verify is verify


def test_header_precedence_per_call_then_requests_args_then_extra_headers(monkeypatch):
    adapter = install(monkeypatch, _client, routes())
    client = Client(
        BASE,
        "admin",
        "pw",
        extra_headers={"X-A": "extra", "X-B": "extra", "X-C": "extra"},
        requests_args={"headers": {"X-B": "args", "X-C": "args"}},
    )
    with client:
        client.get("app/preferences", headers={"X-C": "call"})
    request = sent(adapter, "app/preferences")[0]
    assert (request.headers["X-A"], request.headers["X-B"], request.headers["X-C"]) == ("extra", "args", "call")


def test_requests_args_apply_to_every_call_and_per_call_args_win(monkeypatch):
    adapter = install(monkeypatch, _client, routes())
    with Client(BASE, "admin", "pw", requests_args={"timeout": 3}) as client:
        client.get("app/preferences", requests_args={"timeout": 7})
    timeouts = [kwargs["timeout"] for _request, kwargs in adapter.requests]
    assert timeouts == [3, 7, 3]


def test_http_adapter_args_merge_over_the_default_retries():
    client = Client(BASE, http_adapter_args={"pool_maxsize": 3})
    adapter = client._transport._new_session().get_adapter("http://x")
    assert adapter._pool_maxsize == 3
    assert adapter.max_retries.total == 1
    assert adapter.max_retries.status_forcelist == {502, 503, 504}
    # Retries on reads only: a mutation is never sent twice.
    assert "POST" not in adapter.max_retries.allowed_methods
    replaced = Client(BASE, http_adapter_args={"max_retries": 0})._transport._new_session().get_adapter("http://x")
    assert replaced.max_retries.total == 0


def test_api_key_sends_bearer_and_never_logs_in(monkeypatch):
    adapter = install(monkeypatch, _client, routes({("GET", "app/webapiVersion"): (200, "2.15.1")}))
    with Client(BASE, "admin", "wrong", api_key="qbt_key") as client:
        client.get("app/preferences")
    paths = [request.url.rsplit("/v2/", 1)[1] for request, _kwargs in adapter.requests]
    assert paths == ["app/webapiVersion", "app/preferences"]
    assert all(request.headers["Authorization"] == "Bearer qbt_key" for request, _kwargs in adapter.requests)


def test_api_key_reads_the_version_once_when_the_version_comes_first(monkeypatch):
    # A module that checks a version gate first (client.require) starts with the version read itself; the API
    # key check must not read it a second time (bench/: 3 instead of 2 requests per idempotent task).
    adapter = install(monkeypatch, _client, routes({("GET", "app/webapiVersion"): (200, "2.15.1")}))
    with Client(BASE, api_key="qbt_key") as client:
        assert str(client.webapi_version) == "2.15.1"
        client.get("app/preferences")
    paths = [request.url.rsplit("/v2/", 1)[1] for request, _kwargs in adapter.requests]
    assert paths == ["app/webapiVersion", "app/preferences"]


def test_explicit_authorization_header_wins_over_api_key(monkeypatch):
    adapter = install(monkeypatch, _client, routes({("GET", "app/webapiVersion"): (200, "2.15.1")}))
    with Client(BASE, api_key="qbt_key", extra_headers={"authorization": "Basic eA=="}) as client:
        client.get("app/preferences")
    assert adapter.requests[0][0].headers["Authorization"] == "Basic eA=="


def test_api_key_on_a_server_that_ignores_it_is_an_error(monkeypatch):
    # An old server that lets this client in without authentication must not be used anonymously.
    install(monkeypatch, _client, routes({("GET", "app/webapiVersion"): (200, "2.8.19")}))
    with pytest.raises(LoginFailed, match="needs qBittorrent 5.2.0"), Client(BASE, api_key="qbt_key") as client:
        client.get("app/preferences")


def test_api_key_403_is_not_answered_by_a_login(monkeypatch):
    adapter = install(
        monkeypatch,
        _client,
        routes({("GET", "app/webapiVersion"): (403, "Forbidden"), ("GET", ""): (404, "Not Found")}),
    )
    with pytest.raises(LoginFailed, match="rejected the API key"), Client(BASE, "u", "p", api_key="k") as client:
        client.get("app/preferences")
    assert not sent(adapter, "auth/login")


@pytest.mark.parametrize("status, body", [(200, "Fails."), (401, "Unauthorized")])
def test_login_rejected_is_login_failed_and_never_retried(monkeypatch, status, body):
    adapter = install(monkeypatch, _client, routes({("POST", "auth/login"): (status, body)}))
    with pytest.raises(LoginFailed, match="rejected the username 'admin'") as info, Client(BASE, "admin", "pw") as c:
        c.get("app/preferences")
    assert len(sent(adapter, "auth/login")) == 1
    assert "pw" not in str(info.value)


def test_login_204_empty_body_is_success(monkeypatch):
    install(monkeypatch, _client, routes({("POST", "auth/login"): (204, "")}))
    with Client(BASE, "admin", "pw") as client:
        assert client.get_json("app/preferences") == {}


def test_banned_ip_is_its_own_error_and_never_retried(monkeypatch):
    adapter = install(monkeypatch, _client, routes({("POST", "auth/login"): (403, "Your IP address has been banned")}))
    with pytest.raises(Banned, match="banned this IP address"), Client(BASE, "admin", "pw") as client:
        client.get("app/preferences")
    assert len(sent(adapter, "auth/login")) == 1


def test_expired_session_gets_one_login_and_one_retry_and_no_more(monkeypatch):
    adapter = install(monkeypatch, _client, routes({("GET", "app/preferences"): (403, "Forbidden")}))
    with pytest.raises(Forbidden), Client(BASE, "admin", "pw") as client:
        client.get("app/preferences")
    assert len(sent(adapter, "auth/login")) == 2
    assert len(sent(adapter, "app/preferences")) == 2


def test_expired_session_recovers(monkeypatch):
    answers = iter([(403, "Forbidden"), (200, "{}")])
    adapter = install(monkeypatch, _client, routes({("GET", "app/preferences"): lambda request: next(answers)}))
    with Client(BASE, "admin", "pw") as client:
        assert client.get_json("app/preferences") == {}
    assert len(sent(adapter, "auth/login")) == 2


def test_logout_happens_even_when_the_task_fails(monkeypatch):
    adapter = install(monkeypatch, _client, routes({("GET", "app/preferences"): (500, "boom")}))
    with pytest.raises(ServerError), Client(BASE, "admin", "pw") as client:
        client.get("app/preferences")
    assert len(sent(adapter, "auth/logout")) == 1


def test_no_logout_without_login(monkeypatch):
    adapter = install(monkeypatch, _client, routes())
    with Client(BASE, "admin", "pw"):
        pass
    assert adapter.requests == []


@pytest.mark.parametrize(
    "status, error",
    [
        (400, BadRequest),
        (401, Unauthorized),
        (404, NotFound),
        (405, MethodNotAllowed),
        (409, Conflict),
        (415, UnsupportedMediaType),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_status_codes_map_to_error_classes_with_endpoint_and_server_text(monkeypatch, status, error):
    install(monkeypatch, _client, routes({("POST", "torrents/x"): (status, "server says no")}))
    with pytest.raises(error) as info, Client(BASE, "admin", "pw") as client:
        client.post("torrents/x")
    assert info.value.status == status
    assert "torrents/x" in str(info.value) and "server says no" in str(info.value)


def test_unexpected_body_is_a_clear_error(monkeypatch):
    install(monkeypatch, _client, routes({("GET", "app/preferences"): (200, "maintenance until 10:00")}))
    with pytest.raises(UnexpectedResponse, match="not JSON"), Client(BASE, "admin", "pw") as client:
        client.get_json("app/preferences")


def test_version_is_read_lazily_and_once(monkeypatch):
    adapter = install(monkeypatch, _client, routes({("POST", "torrents/setTags"): (200, "")}))
    with Client(BASE, "admin", "pw") as client:
        client.get("app/preferences")
        assert not sent(adapter, "app/webapiVersion")
        client.post("torrents/setTags", {"hashes": "a", "tags": "b"})
        client.post("torrents/setTags", {"hashes": "a", "tags": "c"})
        assert str(client.webapi_version) == "2.11.4"
    assert len(sent(adapter, "app/webapiVersion")) == 1


def test_unimplemented_endpoint_raises_without_sending_whatever_the_option_says(monkeypatch, caplog):
    # require() is the one place that may warn and skip; request() never returns None for a missing endpoint.
    adapter = install(monkeypatch, _client, routes({("GET", "app/webapiVersion"): (200, "2.8.19")}))
    caplog.set_level(logging.DEBUG, logger="community.qbittorrent")
    for fail in (False, True):
        with (
            pytest.raises(UnimplementedEndpoint, match="torrents/setTags needs qBittorrent 5.1.0") as info,
            Client(BASE, "admin", "pw", fail_on_unimplemented_endpoint=fail) as client,
        ):
            client.post("torrents/setTags", {"hashes": "a"})
        assert info.value.gap.startswith("the endpoint torrents/setTags needs qBittorrent 5.1.0")
    assert "torrents/setTags needs qBittorrent 5.1.0" in caplog.text
    assert not sent(adapter, "torrents/setTags")


def test_require_warns_or_fails_naming_the_release(monkeypatch):
    install(monkeypatch, _client, routes({("GET", "app/webapiVersion"): (200, "2.8.2")}))
    with Client(BASE, "admin", "pw", fail_on_unimplemented_endpoint=False) as client:
        assert client.require("category_download_path", setting="download_path of a category") is False
        assert "download_path of a category needs qBittorrent 4.4.0" in client.warnings[0]
    with (
        pytest.raises(UnimplementedEndpoint, match="fail_on_unimplemented_endpoint: false"),
        Client(BASE, "admin", "pw") as client,  # the documented default: true
    ):
        client.require("category_download_path")


def test_unsupported_version_warns_or_fails(monkeypatch):
    install(monkeypatch, _client, routes({("GET", "app/webapiVersion"): (200, "3.0")}))
    with Client(BASE, "admin", "pw") as client:
        assert str(client.webapi_version) == "3.0"
        assert "outside the range" in client.warnings[0]
    with pytest.raises(UnsupportedVersion), Client(BASE, "admin", "pw", fail_on_unsupported_version=True) as client:
        client.webapi_version  # noqa: B018 - reading it is the test


def test_connection_refused_is_one_clear_error(monkeypatch):
    install(monkeypatch, _client, {("POST", "auth/login"): requests.exceptions.ConnectionError("Connection refused")})
    with pytest.raises(ConnectionFailed, match="Is qBittorrent running"), Client(BASE, "admin", "pw") as client:
        client.get("app/preferences")


def _closed_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


@pytest.mark.parametrize("from_environment", [False, True])
def test_a_broken_forward_proxy_is_named_not_the_webui(monkeypatch, from_environment):
    proxy = f"http://proxyuser:proxysecret@127.0.0.1:{_closed_port()}"
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    args = {"retries": 0, "timeout": 2}
    if from_environment:
        monkeypatch.setenv("HTTP_PROXY", proxy)
    else:
        args["requests_args"] = {"proxies": {"http": proxy}}
    url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(ConnectionFailed) as info, Client(url, "admin", "pw", **args) as client:
        client.get("app/preferences")
    message = str(info.value)
    assert "through the HTTP proxy http://********@127.0.0.1:" in message, message
    assert "Connection refused" in message and "NO_PROXY" in message
    assert "proxyuser" not in message and "proxysecret" not in message and "Is qBittorrent" not in message


def test_timeout_message_names_the_option(monkeypatch):
    install(monkeypatch, _client, {("POST", "auth/login"): requests.exceptions.ReadTimeout("read timed out")})
    with pytest.raises(ConnectionFailed, match="timeout option"), Client(BASE, "admin", "pw", timeout=2) as client:
        client.get("app/preferences")


def test_certificate_failure_names_the_options(monkeypatch):
    error = requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    install(monkeypatch, _client, {("POST", "auth/login"): error})
    with (
        pytest.raises(ConnectionFailed, match="ca_path.*validate_certs: false"),
        Client("https://qbt.test", "admin", "pw") as client,
    ):
        client.get("app/preferences")


def test_no_scheme_moves_to_https_once_when_http_is_dropped(monkeypatch):
    def login(request):
        if request.url.startswith("http://"):
            return requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected")
        return (200, "Ok.")

    adapter = install(monkeypatch, _client, routes({("POST", "auth/login"): login}))
    with Client("qbt.test:8080", "admin", "pw") as client:
        client.get("app/preferences")
        assert client.base_url == "https://qbt.test:8080/"
    assert [request.url.split(":")[0] for request, _kwargs in adapter.requests] == ["http", "https", "https", "https"]


def test_explicit_http_scheme_is_never_switched(monkeypatch):
    error = requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected")
    adapter = install(monkeypatch, _client, {("POST", "auth/login"): error})
    with pytest.raises(ConnectionFailed, match="write the url with https://"), Client(BASE, "admin", "pw") as c:
        c.get("app/preferences")
    assert len(adapter.requests) == 1


def test_debug_log_masks_credentials_and_can_be_silenced(monkeypatch, caplog):
    install(monkeypatch, _client, routes())
    caplog.set_level(logging.DEBUG, logger="community.qbittorrent")
    with Client(BASE, "admin", "s3cret-pw", extra_headers={"Authorization": "Basic c2VjcmV0"}) as client:
        client.get("app/preferences")
    assert "GET http://qbt.test:8080/api/v2/app/preferences -> 200" in caplog.text
    assert "s3cret-pw" not in caplog.text and "c2VjcmV0" not in caplog.text
    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("community.qbittorrent").handlers)
    monkeypatch.setattr(logging.getLogger("urllib3"), "level", logging.DEBUG)
    Client(BASE, disable_logging_debug_output=True)
    assert logging.getLogger("community.qbittorrent").level == logging.INFO
    assert logging.getLogger("urllib3").level == logging.INFO


def test_api_calls_record_method_endpoint_status_and_time(monkeypatch):
    install(monkeypatch, _client, routes())
    with Client(BASE, "admin", "pw") as client:
        client.get("app/preferences")
    calls = client.api_calls
    assert [(c["method"], c["endpoint"], c["status"]) for c in calls] == [
        ("POST", "auth/login", 200),
        ("GET", "app/preferences", 200),
        ("POST", "auth/logout", 200),
    ]
    assert all(isinstance(c["ms"], float) for c in calls)


# ---------------------------------------------------------------------------------------------- credentials
@pytest.mark.parametrize("url", ["http://admin:s3cret@qbt.test:8080", "admin:s3cret@qbt.test:8080/qbt"])
def test_a_url_with_credentials_is_refused_before_any_request(monkeypatch, url):
    adapter = install(monkeypatch, _client, routes())
    with pytest.raises(InvalidInput, match="set the username and password options") as info:
        Client(url, env={})
    assert "s3cret" not in str(info.value) and "qbt.test:8080" in str(info.value)
    with pytest.raises(InvalidInput) as info:
        Client(env={"QBITTORRENTAPI_HOST": url})
    assert "s3cret" not in str(info.value)
    assert adapter.requests == []


def test_secrets_hold_custom_headers_auth_and_proxy_credentials():
    client = Client(
        BASE,
        "admin",
        "pw",
        extra_headers={"X-Token": "tok"},
        requests_args={"auth": ("u", "basicpw"), "proxies": {"http": "http://pu:ppw@127.0.0.1:3128"}},
        env={},
    )
    assert {"pw", "tok", "basicpw", "ppw", "pu:ppw"} <= set(client.secrets)


# ---------------------------------------------------------------------------------------------- redirects
def redirect(status, location):
    return (status, "", {"Location": location})


def test_a_read_follows_a_redirect_on_the_same_origin(monkeypatch):
    adapter = install(
        monkeypatch,
        _client,
        routes({("GET", "app/preferences"): redirect(302, "/qbt/api/v2/app/moved"), ("GET", "app/moved"): (200, "{}")}),
    )
    with Client(BASE, "admin", "pw") as client:
        assert client.get_json("app/preferences") == {}
    urls = [request.url for request, _kwargs in adapter.requests]
    assert "http://qbt.test:8080/qbt/api/v2/app/moved" in urls


@pytest.mark.parametrize(
    "target",
    [
        "https://qbt.test:8080/api/v2/app/preferences",  # another scheme
        "http://evil.test:8080/api/v2/app/preferences?token=abc",  # another host
        "http://qbt.test:9090/api/v2/app/preferences",  # another port
        "http://user:pw@evil.test/x",
    ],
)
def test_a_read_never_follows_a_redirect_to_another_origin(monkeypatch, target):
    adapter = install(monkeypatch, _client, routes({("GET", "app/preferences"): redirect(301, target)}))
    with (
        pytest.raises(RedirectRefused, match="HTTP 301 with a redirect to .*Point the url option") as info,
        Client(BASE, "admin", "pw", extra_headers={"X-Token": "tok"}) as client,
    ):
        client.get("app/preferences")
    message = str(info.value)
    assert "abc" not in message and ":pw@" not in message
    hosts = {request.url.split("/")[2] for request, _kwargs in adapter.requests}
    assert hosts == {"qbt.test:8080"}


@pytest.mark.parametrize("method, endpoint", [("POST", "auth/login"), ("POST", "torrents/createCategory")])
def test_a_login_or_a_write_never_follows_a_redirect(monkeypatch, method, endpoint):
    same_origin = redirect(307, f"{BASE}/other/api/v2/{endpoint}")
    adapter = install(monkeypatch, _client, routes({(method, endpoint): same_origin}))
    with pytest.raises(RedirectRefused, match="never follows a redirect for a login, a logout or a write"):
        with Client(BASE, "admin", "pw") as client:
            client.post("torrents/createCategory", {"category": "a"})
    assert not [r for r, _kwargs in adapter.requests if "/other/" in r.url]


def test_redirect_loops_end(monkeypatch):
    adapter = install(
        monkeypatch, _client, routes({("GET", "app/preferences"): redirect(302, "/api/v2/app/preferences")})
    )
    with pytest.raises(RedirectRefused, match="at most 5 redirects"), Client(BASE, "admin", "pw") as client:
        client.get("app/preferences")
    assert len(sent(adapter, "app/preferences")) == 6


# ---------------------------------------------------------------------------------------------- a real loopback server
class LoopbackServer:
    """A tiny HTTP server on 127.0.0.1 for what a fake adapter cannot show (sockets, pacing); stops itself.

    handler(connection, request_bytes, stop_event) writes the answer. Every connection is closed after
    LIFETIME seconds at the latest, and the server stops when the test leaves the with block.
    """

    LIFETIME = 15.0

    def __init__(self, handler):
        self.handler = handler
        self.requests = []
        self._stop = threading.Event()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def _serve(self):
        started = time.monotonic()
        while not self._stop.is_set() and time.monotonic() - started < self.LIFETIME:
            try:
                connection, _address = self._listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection):
        with connection:
            connection.settimeout(self.LIFETIME)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                data += chunk
            self.requests.append(data)
            try:
                self.handler(connection, data, self._stop)
            except OSError:
                pass


def trickle(connection, text, stop, interval=0.2):
    for byte in text:
        if stop.is_set():
            return
        connection.sendall(bytes([byte]))
        time.sleep(interval)


def answer(body, status="200 OK", headers=""):
    return f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{headers}Connection: close\r\n\r\n".encode() + body


@pytest.mark.parametrize("part", ["body", "headers"])
def test_request_deadline_ends_a_trickling_answer(part):
    def handler(connection, _request, stop):
        if part == "body":
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            trickle(connection, b"v" * 1000, stop)
        else:
            trickle(connection, b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000, stop)

    with LoopbackServer(handler) as server:
        started = time.monotonic()
        with (
            pytest.raises(RequestDeadlineExceeded, match="within 1 s \\(the request_deadline option") as info,
            Client(server.url, timeout=5, request_deadline=1, env={}) as client,
        ):
            client.get("app/version")
        elapsed = time.monotonic() - started
    # Each byte comes well within timeout; only the deadline can end it (plus one retry's connect at most).
    assert elapsed < 3, elapsed
    assert "GET app/version on " + server.url in str(info.value)


def test_download_sends_no_webui_credential_and_reads_the_body():
    body = b"d4:infod4:name1:xee"
    with LoopbackServer(lambda connection, _request, _stop: connection.sendall(answer(body))) as server:
        client = Client(
            BASE,
            "admin",
            "pw",
            api_key="qbt_key",
            extra_headers={"X-Token": "tok", "Cookie": "c=1"},
            requests_args={"headers": {"X-Other": "secret2"}, "cert": "/nonexistent.pem"},
            env={},
        )
        assert client.download(server.url + "/x.torrent", 1000) == body
    sent_headers = server.requests[0].decode().lower()
    for word in ("qbt_key", "tok", "c=1", "secret2", "authorization", "cookie"):
        assert word not in sent_headers


def test_download_is_bounded_by_max_bytes_with_and_without_content_length():
    def handler(connection, request, _stop):
        if b"/length" in request:
            connection.sendall(answer(b"x" * 5000))
        else:
            connection.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b"x" * 5000)

    with LoopbackServer(handler) as server:
        client = Client(BASE, env={})
        for path in ("/length", "/stream?key=s3cret"):
            with pytest.raises(InvalidInput, match="bigger than 1000 bytes") as info:
                client.download(server.url + path, 1000)
            assert "s3cret" not in str(info.value)


def test_download_follows_at_most_five_redirects_and_reports_http_errors():
    def handler(connection, request, _stop):
        path = request.split(b" ")[1].decode()
        if path.startswith("/hop"):
            number = int(path[4:])
            connection.sendall(answer(b"", "302 Found", f"Location: /hop{number + 1}\r\n"))
        elif path == "/ok":
            connection.sendall(answer(b"", "302 Found", "Location: /final\r\n"))
        elif path == "/final":
            connection.sendall(answer(b"torrent"))
        else:
            connection.sendall(answer(b"no", "404 Not Found"))

    with LoopbackServer(handler) as server:
        client = Client(BASE, env={})
        assert client.download(server.url + "/ok", 100) == b"torrent"
        with pytest.raises(InvalidInput, match="more than 5 redirects"):
            client.download(server.url + "/hop0", 100)
        with pytest.raises(InvalidInput, match=r"downloading http://127.0.0.1:\d+/missing failed with HTTP 404"):
            client.download(server.url + "/missing", 100)


def test_download_failures_mask_credentials_in_the_url():
    client = Client(BASE, env={})
    with pytest.raises(ConnectionFailed, match=r"cannot download http://\*+@127.0.0.1:9/x.torrent") as info:
        client.download("http://user:s3cret@127.0.0.1:9/x.torrent", 100)
    assert "s3cret" not in str(info.value)
    assert "s3cret" in client.secrets


def test_download_https_to_http_is_refused(monkeypatch):
    def request(self, method, url, **kwargs):
        return fake_server.make_response(
            requests.Request(method, url).prepare(), 302, "", {"Location": "http://mirror.test/x.torrent"}
        )

    monkeypatch.setattr(requests.Session, "request", request)
    with pytest.raises(InvalidInput, match="redirects from https to http://mirror.test/x.torrent"):
        Client(BASE, env={}).download("https://tracker.test/x.torrent", 100)


# ---------------------------------------------------------------------------------------------- not a qBittorrent WebUI
NGINX_404 = (
    "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n"
    + "<!-- padding -->\r\n" * 20
    + "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.mark.parametrize(
    "url, fixed",
    [
        ("http://qbt.test:8080/api/v2", "http://qbt.test:8080/"),
        ("http://qbt.test:8080/api/v2/", "http://qbt.test:8080/"),
        ("qbt.test:8080/qbt/API/v2/app/version", "qbt.test:8080/qbt/"),
    ],
)
def test_a_url_with_the_api_path_is_refused_before_any_request(monkeypatch, url, fixed):
    adapter = install(monkeypatch, _client, routes())
    with pytest.raises(InvalidInput, match="^url: .* contains the API path /api/v2, which the client adds") as info:
        Client(url, "admin", "pw", env={})
    assert str(info.value).endswith(f"opens at in a browser, {fixed}")
    assert adapter.requests == []


@pytest.mark.parametrize(
    "answer, said",
    [
        ((404, NGINX_404, HTML), "HTTP 404, '404 Not Found'"),  # another web server
        ((200, "<!DOCTYPE html><html><body><h1>My NAS</h1> <p>" + "x" * 200, {}), "HTTP 200, 'My NAS " + "x" * 73),
        (
            (404, '{"detail": "Not Found"}', {"Content-Type": "application/json"}),
            'HTTP 404, \'{"detail": "Not Found"}\'',
        ),
    ],
)
def test_another_web_server_is_named_with_a_short_summary(monkeypatch, answer, said):
    adapter = install(monkeypatch, _client, routes({("GET", "app/webapiVersion"): answer}))
    with pytest.raises(NotQbittorrent, match="is not a qBittorrent WebUI, or not at this path") as info:
        Client(BASE, env={}).webapi_version  # noqa: B018
    message = str(info.value)
    assert said in message and "Check the url option" in message
    assert "<" not in message and "padding" not in message and len(message) < 500
    assert len(adapter.requests) == 1


def test_a_json_api_of_something_else_is_not_read_as_a_version(monkeypatch):
    install(monkeypatch, _client, routes({("GET", "app/webapiVersion"): (200, '{"version": "1.2"}')}))
    with pytest.raises(NotQbittorrent, match='answered HTTP 200, \'{"version": "1.2"}\' where qBittorrent sends'):
        Client(BASE, env={}).webapi_version  # noqa: B018


def test_a_login_endpoint_that_is_not_there_is_not_a_wrong_password(monkeypatch):
    adapter = install(monkeypatch, _client, routes({("POST", "auth/login"): (404, "Not Found")}))
    with pytest.raises(NotQbittorrent, match="POST api/v2/auth/login answered HTTP 404, 'Not Found', and every"):
        with Client(BASE, "admin", "pw", env={}) as client:
            client.get("app/preferences")
    assert len(adapter.requests) == 1


def test_qbittorrents_own_errors_are_not_taken_for_another_server(monkeypatch):
    install(monkeypatch, _client, routes({("GET", "torrents/properties"): (404, "Not Found")}))
    with pytest.raises(NotFound), Client(BASE, "admin", "pw", env={}) as client:
        client.get("torrents/properties", {"hash": "a" * 40})


@pytest.mark.parametrize(
    "answer",
    [
        (200, "<html><head><title>Sign in</title></head><body>form</body></html>", HTML),
        (200, "<html><body>Please wait</body></html>", {}),  # HTML to auth/login: never qBittorrent's
    ],
)
def test_a_proxy_login_page_says_what_answered_and_what_to_do(monkeypatch, answer):
    install(monkeypatch, _client, routes({("POST", "auth/login"): answer}))
    with pytest.raises(NotQbittorrent, match="something in front of qBittorrent .* authenticating proxy") as info:
        with Client(BASE, "admin", "pw", env={}) as client:
            client.get("app/preferences")
    assert "exempt the /api/v2/ path" in str(info.value) and "<" not in str(info.value)


def test_a_proxy_login_page_to_an_api_read_is_named_too(monkeypatch):
    page = (200, "<!doctype html><title>Login - Authelia</title><body>x</body>", {})
    install(monkeypatch, _client, routes({("GET", "app/preferences"): page}))
    with pytest.raises(NotQbittorrent, match=r"GET api/v2/app/preferences with its login page \(HTTP 200, 'Login"):
        Client(BASE, env={}).get_json("app/preferences")


@pytest.mark.parametrize(
    "method, endpoint, location",
    [
        ("POST", "auth/login", "https://auth.example.test/?rd=http%3A%2F%2Fqbt.test%3A8080%2Fapi%2Fv2%2Fauth%2Flogin"),
        ("GET", "app/webapiVersion", "/oauth2/sign_in?rd=/api/v2/app/webapiVersion"),
        ("GET", "app/webapiVersion", "https://sso.example.test/login"),
    ],
)
def test_a_redirect_to_a_proxy_login_page_is_named(monkeypatch, method, endpoint, location):
    adapter = install(monkeypatch, _client, routes({(method, endpoint): redirect(302, location)}))
    with pytest.raises(RedirectRefused, match="something in front of qBittorrent .* redirect to a login page") as info:
        with Client(BASE, "admin", "pw", env={}) as client:
            client.webapi_version  # noqa: B018
    assert "qbt.test%3A8080" not in str(info.value)  # query values are masked
    assert not [request for request, _kwargs in adapter.requests if "example.test" in request.url]


def test_a_proxy_asking_for_basic_credentials_is_named(monkeypatch):
    challenge = (401, "<html><title>401 Authorization Required</title></html>", {"WWW-Authenticate": 'Basic realm="x"'})
    install(monkeypatch, _client, routes({("POST", "auth/login"): challenge}))
    with pytest.raises(NotQbittorrent, match="HTTP 401 and asks for Basic credentials.*requests_args.auth"):
        with Client(BASE, "admin", "pw", env={}) as client:
            client.get("app/preferences")


def test_another_web_server_on_a_loopback_port_is_recognised():
    page = ("<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>" + "p" * 5000).encode()

    def handler(connection, _request, _stop):
        connection.sendall(answer(page, "404 Not Found", "Content-Type: text/html\r\n"))

    with LoopbackServer(handler) as server:
        with pytest.raises(NotQbittorrent, match="HTTP 404, 'Welcome to nginx!'") as info:
            with Client(server.url, "admin", "pw", env={}) as client:
                client.get("app/preferences")
    assert "ppp" not in str(info.value) and "<" not in str(info.value)


def test_no_credentials_at_all_is_a_server_with_auth_bypass(monkeypatch):
    adapter = install(monkeypatch, _client, routes())
    with Client(BASE, env={}) as client:
        assert client.get_json("app/preferences") == {}
    assert [request.url.rsplit("/v2/", 1)[1] for request, _kwargs in adapter.requests] == ["app/preferences"]
