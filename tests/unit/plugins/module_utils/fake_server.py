# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake HTTP layer for client edge cases that no real qBittorrent server produces."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import requests
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from requests.adapters import BaseAdapter

from ansible_collections.community.qbittorrent.plugins.module_utils import _client, _transport
from ansible_collections.community.qbittorrent.plugins.module_utils._module import Task, argument_spec

BASE = "http://qbt.test:8080"


class FakeAdapter(BaseAdapter):
    """Routes requests to handlers keyed by (method, path-after-api/v2) and records every request."""

    def __init__(self, routes):
        super().__init__()
        self.routes = routes
        self.requests = []

    def send(self, request, **kwargs):
        self.requests.append((request, kwargs))
        path = urlsplit(request.url).path
        key = path.split("/api/v2/", 1)[-1] if "/api/v2/" in path else path
        handler = self.routes.get((request.method, key)) or self.routes.get(key)
        if handler is None:
            return make_response(request, 404, "Not Found")
        answer = handler(request) if callable(handler) else handler
        if isinstance(answer, Exception):
            raise answer
        status, body = answer[:2]
        headers = answer[2] if len(answer) > 2 else {}
        return make_response(request, status, body, headers)

    def close(self):
        pass


def make_response(request, status, body, headers=None):
    response = requests.Response()
    response.status_code = status
    # An unread body, as requests returns it with stream=True: the client reads it itself.
    response.raw = io.BytesIO(body.encode() if isinstance(body, str) else body)
    response.headers.update(headers or {})
    response.request = request
    response.url = request.url
    response.encoding = "utf-8"
    return response


def form(request):
    """The decoded form fields of a request body."""
    body = request.body or ""
    if isinstance(body, bytes):
        body = body.decode()
    return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}


def install(monkeypatch, client_module, routes):
    """Make every Client session use a FakeAdapter with these routes; return the adapter.

    CLIENT_MODULE (_client) is kept for the callers; the session is made by _transport.Transport._new_session.
    """
    del client_module
    adapter = FakeAdapter(routes)
    original = _transport.Transport._new_session

    def new_session(self):
        session = original(self)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    monkeypatch.setattr(_transport.Transport, "_new_session", new_session)
    return adapter


def task_for(module, check_mode=False, diff=True, client_options=None, **params):
    """A Task of MODULE (its ARGUMENT_SPEC) with PARAMS validated as Ansible validates them, on a Client of BASE
    with a password login, in an empty environment; CLIENT_OPTIONS go to the Client."""
    params = dict(url=BASE, username="admin", password="pw", **params)
    validated = ArgumentSpecValidator(argument_spec(module.ARGUMENT_SPEC)).validate(params)
    assert not validated.errors.errors, validated.errors.errors
    values = validated.validated_parameters
    client = _client.Client(**{k: values[k] for k in ("url", "username", "password")}, **(client_options or {}))
    return Task(values, client, check_mode, diff, env={})


def run_task(module, task):
    """MODULE's run(TASK) with the client's session open and closed as run_module does."""
    with task.client:
        return module.run(task)


def writes(adapter):
    """The POST requests the adapter saw, other than auth/ ones: (endpoint after api/v2/, request)."""
    return [
        (request.url.split("/api/v2/")[1], request)
        for request, _kwargs in adapter.requests
        if request.method == "POST" and "auth/" not in request.url
    ]
