# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module base: connection options, the client's life cycle, results, secrets and errors.

A module file holds its documentation, its own argument spec and a function run(task) -> result. The function
sees only the validated parameters, the client and the check/diff switches (a Task), so the same logic can run
in a module process or inside an action plugin on the controller.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, Client
from ._errors import QbtError
from ._versions import HAS_PACKAGING, PACKAGING_IMPORT_ERROR

# Documented once in plugins/doc_fragments/_connection.py; the environment variables are read by the client.
CONNECTION_ARGSPEC: dict[str, dict[str, Any]] = {
    "url": {"type": "str", "aliases": ["host"]},
    "username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "api_key": {"type": "str", "no_log": True},
    "validate_certs": {"type": "bool", "default": True},
    "ca_path": {"type": "path"},
    "timeout": {"type": "float", "default": 15.0},
    "requests_args": {"type": "dict"},
    "http_adapter_args": {"type": "dict"},
    "extra_headers": {"type": "dict"},
    "fail_on_unsupported_version": {"type": "bool", "default": False},
    "fail_on_unimplemented_endpoint": {"type": "bool", "default": True},
}
CONNECTION_OPTIONS = frozenset(CONNECTION_ARGSPEC)
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
MASK = "********"


class Task:
    """What a module's run() function gets: parameters, client, check and diff switches, warnings, secrets."""

    def __init__(self, params: Mapping[str, Any], client: Client, check_mode: bool, diff: bool) -> None:
        self.params = params
        self.client = client
        self.check_mode = check_mode
        self.diff = diff
        self.warnings: list[str] = []
        self.secrets: set[str] = set()

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def no_log(self, value: Any) -> None:
        """Mark a value found at run time (a secret preference, say) so it never reaches any output."""
        if isinstance(value, str) and value:
            self.secrets.add(value)


def argument_spec(module_spec: Mapping[str, Any]) -> dict[str, Any]:
    """The module's own options merged with the connection options."""
    spec = dict(CONNECTION_ARGSPEC)
    spec.update(module_spec)
    return spec


def header_secrets(headers: Mapping[str, Any] | None) -> set[str]:
    """Header values that carry credentials (a proxy's Authorization, a cookie): never shown."""
    return {str(value) for name, value in (headers or {}).items() if str(name).lower() in _SECRET_HEADERS and value}


def client_from_params(params: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Client:
    """A client configured from the connection options (unset options fall back to the environment)."""
    return Client(
        url=params.get("url"),
        username=params.get("username"),
        password=params.get("password"),
        api_key=params.get("api_key"),
        validate_certs=params.get("validate_certs", True),
        ca_path=params.get("ca_path"),
        timeout=params.get("timeout"),
        requests_args=params.get("requests_args"),
        http_adapter_args=params.get("http_adapter_args"),
        extra_headers=params.get("extra_headers"),
        fail_on_unsupported_version=params.get("fail_on_unsupported_version", False),
        fail_on_unimplemented_endpoint=params.get("fail_on_unimplemented_endpoint", True),
        env=os.environ if env is None else env,
    )


def execute(
    params: Mapping[str, Any],
    run: Callable[[Task], dict[str, Any]],
    check_mode: bool,
    diff: bool,
    verbosity: int = 0,
    env: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], set[str]]:
    """Run a module's logic with a client that is always closed; return (result, secrets to mask).

    The result has 'failed' and 'msg' when the task failed. It never raises for a QbtError.
    """
    secrets = header_secrets(params.get("extra_headers")) | header_secrets(
        (params.get("requests_args") or {}).get("headers")
    )
    result: dict[str, Any] = {"changed": False}
    client = None
    task = None
    try:
        client = client_from_params(params, env)
        with client:
            task = Task(params, client, check_mode, diff)
            result = run(task)
    except QbtError as exc:
        result = {"changed": False, "failed": True, "msg": str(exc)}
    if client is not None:
        secrets.update(client.secrets)
        warnings = list(client.warnings)
        if verbosity >= 3:
            result["api_calls"] = client.api_calls
    else:
        warnings = []
    if task is not None:
        secrets.update(task.secrets)
        warnings.extend(w for w in task.warnings if w not in warnings)
    if warnings:
        result["warnings"] = warnings
    return result, secrets


def run_module(module_spec: Mapping[str, Any], run: Callable[[Task], dict[str, Any]], **module_kwargs: Any) -> None:
    """The main() of every module: parse arguments, run the logic, exit or fail."""
    module = AnsibleModule(argument_spec=argument_spec(module_spec), supports_check_mode=True, **module_kwargs)
    for library, present, error in (
        ("requests", HAS_REQUESTS, REQUESTS_IMPORT_ERROR),
        ("packaging", HAS_PACKAGING, PACKAGING_IMPORT_ERROR),
    ):
        if not present:
            module.fail_json(
                msg=missing_required_lib(library),
                exception="".join(traceback.format_exception_only(type(error), error)),
            )
    result, secrets = execute(module.params, run, module.check_mode, module._diff, module._verbosity)
    module.no_log_values.update(secrets)
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)
