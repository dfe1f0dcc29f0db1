# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module base: connection options, the client's life cycle, results, secrets and errors.

A module file holds its documentation and three names that the module process and the controller-side action
plugin (plugins/plugin_utils/_action.py) both use, so the desired-state logic exists once:

* ARGUMENT_SPEC: the module's own options (the connection options are added by argument_spec());
* MODULE_KWARGS: the other AnsibleModule arguments (mutually_exclusive, required_one_of, required_together,
  required_if, required_by, supports_check_mode), ``{}`` when there are none;
* run(task) -> result: the logic. It sees only the validated parameters, the client, the check/diff switches and
  the environment (a Task), never AnsibleModule, os.environ or sys.exit.

and main() is exactly ``run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)``. A module without MODULE_KWARGS always
runs as a module process.
"""

from __future__ import annotations

import contextvars
import os
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.parameters import remove_values

from . import _connection
from ._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, Client
from ._errors import QbtError
from ._fields import mask_tracker_secrets
from ._versions import HAS_PACKAGING, PACKAGING_IMPORT_ERROR

# Defined once in _connection.OPTIONS (documented in plugins/doc_fragments/_connection.py); the environment
# variables are read by the client. Kept here under these names for the callers of the module base.
CONNECTION_ARGSPEC: dict[str, dict[str, Any]] = _connection.ARGSPEC
CONNECTION_OPTIONS = _connection.OPTION_NAMES
# The AnsibleModule arguments a module may put in MODULE_KWARGS (supports_check_mode defaults to True here).
MODULE_KWARG_NAMES = frozenset(
    {"mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by", "supports_check_mode"}
)
# The environment of the task being executed: os.environ in a module process, the worker's environment plus the
# task's environment keyword when the action plugin runs the logic on the controller.
_ENV: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar("qbt_task_env", default=None)


class Task:
    """What a module's run() function gets: parameters, client, check and diff switches, warnings, secrets."""

    def __init__(
        self,
        params: Mapping[str, Any],
        client: Client,
        check_mode: bool,
        diff: bool,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.params = params
        self.client = client
        self.check_mode = check_mode
        self.diff = diff
        # Read environment variables here, never from os.environ: on the controller this holds the task's
        # environment keyword too, as a module process would see it.
        self.env: Mapping[str, str] = task_env() if env is None else env
        self.warnings: list[str] = []
        self.secrets: set[str] = set()

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def no_log(self, value: Any) -> None:
        """Mark a value found at run time (a secret preference, say) so it never reaches any output."""
        if isinstance(value, str) and value:
            self.secrets.add(value)


def masking_tracker_secrets(task: Task, run: Callable[[Task], dict[str, Any]]) -> dict[str, Any]:
    """run(task) with every tracker URL and magnet in its result, warnings and error masked
    (_fields.mask_tracker_secrets), unless the task sets reveal_tracker_secrets.

    Passkeys are found in what the server answers, so they cannot be no_log values known before the task runs.
    """
    if task.params.get("reveal_tracker_secrets"):
        return run(task)
    try:
        return mask_tracker_secrets(run(task))
    except QbtError as exc:
        exc.args = (mask_tracker_secrets(str(exc)),)
        raise
    finally:
        task.warnings[:] = mask_tracker_secrets(task.warnings)
        task.client.warnings[:] = mask_tracker_secrets(task.client.warnings)


def argument_spec(module_spec: Mapping[str, Any]) -> dict[str, Any]:
    """The module's own options merged with the connection options."""
    spec = dict(CONNECTION_ARGSPEC)
    spec.update(module_spec)
    return spec


def task_env() -> Mapping[str, str]:
    """The environment of the task being executed (os.environ outside execute())."""
    env = _ENV.get()
    return os.environ if env is None else env


def client_from_params(params: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Client:
    """Client.from_params with ENV defaulting to the task's environment (task_env()), so clients opened by a
    module's logic see the same variables as the task's own client."""
    return Client.from_params(params, task_env() if env is None else env)


def execute(
    params: Mapping[str, Any],
    run: Callable[[Task], dict[str, Any]],
    check_mode: bool,
    diff: bool,
    verbosity: int = 0,
    env: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], set[str]]:
    """Run a module's logic with a client that is always closed; return (result, secrets to mask).

    ENV is the task's environment (default os.environ); the client and every client the logic opens read it.
    The result has 'failed' and 'msg' when the task failed. It never raises for a QbtError.
    """
    env = os.environ if env is None else env
    # Masked even when no client can be made of them (a url with a password in it is refused, but shown back).
    secrets = _connection.secret_values(params)
    result: dict[str, Any] = {"changed": False}
    client = None
    task = None
    token = _ENV.set(env)
    try:
        client = client_from_params(params, env)
        with client:
            task = Task(params, client, check_mode, diff, env)
            result = run(task)
            if client.api_calls:
                # The supported-version policy holds for every task that talked to the server (the client applies
                # it before the first write); the version is read once per client, so this is free when it was.
                client.webapi_version  # noqa: B018  pylint: disable=pointless-statement
    except QbtError as exc:
        written = writes_sent(client)
        # exc.changed: a write the task's own client did not send (a second client that followed the WebUI, say)
        result = {"changed": bool(written) or getattr(exc, "changed", False), "failed": True, "msg": str(exc)}
        if written:
            # Handlers must still run for what did change; the message says what that was.
            result["msg"] += f". Before this failure the task had already changed the server ({', '.join(written)})"
    finally:
        _ENV.reset(token)
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


def writes_sent(client: Client | None) -> list[str]:
    """The write endpoints the server accepted during the task, once each in order ('torrents/createCategory').

    Every mutation of the WebUI API is a POST (enforced from qBittorrent 4.4.4 on, src/webui/webapplication.cpp,
    WebApplication::processRequest) and every read a GET, so the client's own record of calls tells them apart.
    """
    if client is None:
        return []
    return list(
        dict.fromkeys(
            call["endpoint"]
            for call in client.api_calls
            if call["method"] == "POST"
            and call["endpoint"] not in ("auth/login", "auth/logout")
            and call["status"] is not None
            and 200 <= call["status"] < 300
        )
    )


def mask_warnings(warnings: list[str], no_log_values: set[str]) -> list[str]:
    """The warnings with every no_log value masked as AnsibleModule masks a result.

    AnsibleModule does not mask what module.warn() gets (ansible-core 2.19 keeps warnings as objects that
    remove_values leaves alone), so secrets must be gone before.
    """
    return [remove_values(str(warning), no_log_values) for warning in warnings]


def run_module(module_spec: Mapping[str, Any], run: Callable[[Task], dict[str, Any]], **module_kwargs: Any) -> None:
    """The main() of every module: parse arguments, run the logic, exit or fail.

    Call it as run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS): the action plugin validates with the same values.
    """
    kwargs = dict(module_kwargs)
    supports_check_mode = kwargs.pop("supports_check_mode", True)
    module = AnsibleModule(argument_spec=argument_spec(module_spec), supports_check_mode=supports_check_mode, **kwargs)
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
    # Passing warnings to exit_json is deprecated (ansible-core 2.19); module.warn() is the way.
    for warning in mask_warnings(result.pop("warnings", []), module.no_log_values):
        module.warn(warning)
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)
