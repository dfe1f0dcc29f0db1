# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side execution: run a module's own logic inside Ansible's worker process when that is equivalent.

Every module of the collection has an action plugin of the same name whose class is ModuleAction (see
plugins/action/). When the task runs on a local connection, without become or async, and the controller's Python
can import requests and packaging, ModuleAction imports plugins/modules/<name>.py and runs its ARGUMENT_SPEC,
MODULE_KWARGS and run() in-process: no module transfer, no new interpreter.

The module process is replaced, nothing else: ansible-core's ActionBase._update_module_args() builds the arguments
(with the internal _ansible_* ones) as for a module; run_in_process() does what AnsibleModule and run_module() do
with them in a module process (the JSON round trip, the same ArgumentSpecValidator, defaults, the task's
environment, no_log masking, check and diff mode, warnings) and returns the JSON text a module would print; and
ansible-core's ActionBase._parse_returned_data() decodes that text as it decodes a module's output. In every other
case, or when the variable qbt_execution is 'module', the module is executed as usual (ansible.builtin.normal).

Only this file knows how; module files and module_utils know nothing about it (module_utils/_module.py states the
convention a module follows).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import inspect
import json
import logging
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.module_utils.basic import PASSWORD_MATCH
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import PASS_VARS, remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.plugins.action.normal import ActionModule as NormalAction
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

try:  # up to ansible-core 2.20; 2.21 has task result objects that clean themselves
    from ansible.vars.clean import remove_internal_keys
except ImportError:
    remove_internal_keys = None

try:  # ansible-core 2.19+: the module wire format is a serialization profile
    from ansible.module_utils.common.json import Direction, get_module_decoder, get_module_encoder

    HAS_PROFILES = True
    AnsibleJSONEncoder = jsonify = None
except ImportError:  # ansible-core 2.17 and 2.18
    from ansible.module_utils.common.json import AnsibleJSONEncoder
    from ansible.module_utils.common.text.converters import jsonify

    HAS_PROFILES = False
    Direction = get_module_decoder = get_module_encoder = None

display = Display()

SWITCH = "qbt_execution"
"""The variable that chooses how a task runs: auto (default), module or in_process."""
CHOICES = ("auto", "module", "in_process")
# What a module process does not show and the controller would: library log records and Python warnings.
QUIET_LOGGERS = ("community.qbittorrent", "requests", "urllib3")
# The module wire format used by ansible-core for Python modules without METADATA (module_common).
PROFILE = "legacy"


@dataclasses.dataclass(frozen=True)
class LoadedModule:
    """What the action needs from a module file and from the collection's module base."""

    name: str
    argument_spec: dict[str, Any]
    kwargs: dict[str, Any]
    run: Callable[..., dict[str, Any]]
    base: Any  # plugins/module_utils/_module.py: argument_spec(), execute(), MODULE_KWARG_NAMES


def collection_package(action_module_name: str) -> str:
    """'ansible_collections.ns.coll' from an action plugin's Python module name."""
    head, sep, _tail = action_module_name.partition(".plugins.action.")
    if not sep:
        raise ValueError(f"{action_module_name} is not a collection action plugin")
    return head


def load_module(collection: str, name: str) -> tuple[LoadedModule | None, str]:
    """Import plugins/modules/NAME.py of COLLECTION; (None, why not) when it cannot run in-process."""
    try:
        module = importlib.import_module(f"{collection}.plugins.modules.{name}")
        base = importlib.import_module(f"{collection}.plugins.module_utils._module")
    except Exception as exc:  # pylint: disable=broad-exception-caught  # the module process will report it
        return None, f"the module could not be imported on the controller ({type(exc).__name__}: {exc})"
    missing = [attr for attr in ("ARGUMENT_SPEC", "MODULE_KWARGS", "run") if not hasattr(module, attr)]
    if missing:
        return None, f"the module does not define {', '.join(missing)} (module_utils/_module.py)"
    if hasattr(module, "METADATA"):  # it may choose another wire format (serialization profile) than the default
        return None, "the module declares METADATA"
    unknown = set(module.MODULE_KWARGS).difference(base.MODULE_KWARG_NAMES)
    if unknown:
        return None, f"MODULE_KWARGS has arguments the action plugin does not know: {', '.join(sorted(unknown))}"
    for library, present, error in (
        ("requests", base.HAS_REQUESTS, base.REQUESTS_IMPORT_ERROR),
        ("packaging", base.HAS_PACKAGING, base.PACKAGING_IMPORT_ERROR),
    ):
        if not present:
            return None, f"the controller's Python ({sys.executable}) cannot import {library} ({error})"
    loaded = LoadedModule(name, module.ARGUMENT_SPEC, dict(module.MODULE_KWARGS), module.run, base)
    return loaded, f"local connection, {sys.executable} has requests and packaging"


def choose(switch: Any, transport: str | None, become: bool, async_val: int) -> str | None:
    """Why the task must run as a module process, or None when in-process execution is possible.

    Raises ValueError for an unknown value of the switch.
    """
    if switch not in CHOICES:
        raise ValueError(f"{SWITCH} must be one of {', '.join(CHOICES)}, not {switch!r}")
    if switch == "module":
        return f"{SWITCH} is module"
    if transport != "local":
        return f"the connection is {transport}, not local"
    if become:
        return "become is on, so the module must run as the become user"
    if async_val:
        return "the task is async"
    return None


# ----------------------------------------------------------------------------------------- the wire format
def as_module_args(args: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments as a module process decodes them (plain JSON types, vaulted values decrypted)."""
    if HAS_PROFILES:
        text = json.dumps(dict(args), cls=get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE))
        return json.loads(text, cls=get_module_decoder(PROFILE, Direction.CONTROLLER_TO_MODULE))
    return json.loads(json.dumps(dict(args), cls=AnsibleJSONEncoder, vault_to_text=True))


def module_output(result: Mapping[str, Any]) -> str:
    """The JSON text AnsibleModule prints for RESULT (exit_json and fail_json)."""
    if HAS_PROFILES:
        return json.dumps(dict(result), cls=get_module_encoder(PROFILE, Direction.MODULE_TO_CONTROLLER))
    return jsonify(dict(result))


# ----------------------------------------------------------------------------------------- AnsibleModule's part
class _Outcome:
    """A result in the making, formatted at the end as AnsibleModule._return_formatted() formats it."""

    def __init__(self, params: dict[str, Any], inject_invocation: bool) -> None:
        self.params = params
        self.inject_invocation = inject_invocation
        self.no_log_values: set[str] = set()
        self.warnings: list[str] = []
        self.deprecations: list[dict[str, Any]] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def exit(self, **kwargs: Any) -> str:
        if not self.inject_invocation:  # ansible-core 2.21+: only with INJECT_INVOCATION
            kwargs.pop("invocation", None)
        elif "invocation" not in kwargs:
            kwargs["invocation"] = {"module_args": self.params}
        if self.warnings:
            kwargs["warnings"] = self.warnings
        if self.deprecations:
            kwargs["deprecations"] = self.deprecations
        preserved = {key: value for key, value in kwargs.items() if value is None or isinstance(value, bool)}
        kwargs = remove_values(kwargs, self.no_log_values)
        kwargs.update(preserved)
        return module_output(kwargs)

    def fail(self, msg: Any, **kwargs: Any) -> str:
        kwargs.update(failed=True, msg=str(msg))
        return self.exit(**kwargs)


def run_in_process(loaded: LoadedModule, args: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """Run LOADED's logic as a module process would; return the JSON text the module would print.

    ARGS are the module's arguments with the internal _ansible_* ones (ActionBase._update_module_args); ENV is the
    environment a module process would have (the worker's plus the task's environment keyword).
    """
    # AnsibleModule._load_params() and _set_internal_properties()
    params = as_module_args(args)
    internal = {name: params.pop(f"_ansible_{name}") for name in PASS_VARS if f"_ansible_{name}" in params}
    check_mode, diff, no_log, ignore_unknown = (
        boolean(internal.get(name, False)) for name in ("check_mode", "diff", "no_log", "ignore_unknown_opts")
    )
    verbosity = internal.get("verbosity", 0)
    module_name = internal.get("module_name", loaded.name)
    # Before ansible-core 2.21 AnsibleModule always returns the invocation; from 2.21 on when asked to.
    outcome = _Outcome(params, boolean(internal.get("inject_invocation", True)))
    kwargs = dict(loaded.kwargs)
    supports_check_mode = kwargs.pop("supports_check_mode", True)
    spec = loaded.base.argument_spec(loaded.argument_spec)

    # AnsibleModule.__init__: ModuleArgumentSpecValidator is this validator plus emitting its warnings and
    # deprecations, which a module returns with its result; here they go into the result directly.
    validation = ArgumentSpecValidator(spec, **kwargs).validate(params)
    params.update(validation.validated_parameters)
    outcome.no_log_values.update(validation._no_log_values)  # pylint: disable=protected-access
    for item in validation._deprecations:  # pylint: disable=protected-access
        deprecation = {"msg": item["msg"], "collection_name": item.get("collection_name")}
        deprecation.update({"date": item["date"]} if item.get("date") else {"version": item.get("version")})
        outcome.deprecations.append(deprecation)
    for item in validation._warnings:  # pylint: disable=protected-access
        outcome.warn(f"Both option {item['option']} and its alias {item['alias']} are set.")
    try:
        error = validation.errors[0]
        if isinstance(error, UnsupportedError) and ignore_unknown:
            error = None
    except IndexError:
        error = None
    if error:
        msg = validation.errors.msg
        if isinstance(error, UnsupportedError):
            msg = f"Unsupported parameters for ({module_name}) module: {msg}"
        return outcome.fail(msg)
    if check_mode and not supports_check_mode:
        return outcome.exit(skipped=True, msg=f"remote module ({module_name}) does not support check mode")
    if not no_log:  # AnsibleModule._log_invocation() warns, and logs to syslog (which is not done here)
        for param in params:
            canonical = validation._aliases.get(param, param)  # pylint: disable=protected-access
            if spec.get(canonical, {}).get("no_log") is None and PASSWORD_MATCH.search(param):
                outcome.warn(f"Module did not set no_log for {param}")

    # run_module(): the same execute(), the same masking of the run's warnings.
    try:
        with task_environment(env), quiet_libraries():
            result, secrets = loaded.base.execute(params, loaded.run, check_mode, diff, verbosity, env)
    except Exception as exc:  # pylint: disable=broad-exception-caught  # a bug: report it, masked, as a failure
        return unexpected_failure(outcome, loaded.name, exc)
    outcome.no_log_values.update(secrets)
    for warning in result.pop("warnings", []):
        outcome.warn(warning)
    if result.pop("failed", False):
        return outcome.fail(**result)
    return outcome.exit(**result)


def unexpected_failure(outcome: _Outcome, name: str, exc: Exception) -> str:
    """An exception that is not a QbtError: in a module process it would be a traceback on stderr."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return outcome.fail(f"{name} failed with an unexpected {type(exc).__name__}: {exc}", exception=text)


@contextlib.contextmanager
def task_environment(env: Mapping[str, str]) -> Iterator[None]:
    """os.environ as a module process would have it (libraries such as requests read proxies from it).

    The worker process runs one task and exits; the old values come back anyway.
    """
    changed = {name: os.environ.get(name) for name, value in env.items() if os.environ.get(name) != value}
    try:
        os.environ.update({name: env[name] for name in changed})
        yield
    finally:
        for name, value in changed.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def quiet_libraries() -> Iterator[None]:
    """Keep library log records and Python warnings out of Ansible's output and log, as a module process does."""
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    saved = [(logger, logger.propagate, logger.handlers[:]) for logger in loggers]
    try:
        for logger in loggers:
            logger.propagate = False
            if not logger.handlers:
                logger.addHandler(logging.NullHandler())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, propagate, handlers in saved:
            logger.propagate = propagate
            logger.handlers[:] = handlers


# ----------------------------------------------------------------------------------------- the action plugin
class ModuleAction(NormalAction):
    """The action plugin of every module: in-process when possible, else ansible.builtin.normal's module run."""

    _supports_check_mode = True
    _supports_async = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Import the module while Ansible's main process loads this class (see preload())."""
        super().__init_subclass__(**kwargs)
        module = cls.__module__
        if ".plugins.action." in module:
            preload(f"{collection_package(module)}.plugins.modules.{module.rpartition('.')[2]}")

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars if task_vars is not None else {}
        name = type(self).__module__.rpartition(".")[2]
        switch = self._templar.template(task_vars.get(SWITCH, "auto"))
        try:
            reason = choose(
                switch,
                getattr(self._connection, "transport", None),
                bool(self._play_context.become),
                self._task.async_val,
            )
        except ValueError as exc:
            raise AnsibleActionFail(str(exc)) from exc
        loaded = None
        if reason is None:
            loaded, reason = load_module(collection_package(type(self).__module__), name)
        if loaded is None:
            if switch == "in_process":
                raise AnsibleActionFail(f"{SWITCH} is in_process, but {name} cannot run in-process: {reason}")
            display.vvv(f"{name}: executing the module ({reason})", host=self._play_context.remote_addr)
            return super().run(tmp, task_vars)

        display.vvv(f"{name}: running in-process on the controller ({reason})", host=self._play_context.remote_addr)
        result = ActionBase.run(self, tmp, task_vars)  # the common checks only, not normal's module execution
        module_args = dict(self._task.args)
        self._update_module_args(self._task.action, module_args, task_vars)
        env: dict[str, str] = {}
        self._compute_environment_string(env)
        env = {**os.environ, **{key: str(value) for key, value in env.items()}}
        return merge_hash(result, self._decode(run_in_process(loaded, module_args, env)))

    def _decode(self, output: str) -> dict[str, Any]:
        """Decode a module's output as ActionBase._execute_module does, with its own code."""
        res = {"rc": 0, "stdout": output, "stdout_lines": output.splitlines(), "stderr": "", "stderr_lines": []}
        if "profile" in inspect.signature(self._parse_returned_data).parameters:  # ansible-core 2.19+
            parsed = self._parse_returned_data(res, PROFILE)
        else:
            parsed = self._parse_returned_data(res)
        if isinstance(parsed, dict):  # up to ansible-core 2.20
            parsed.pop("_ansible_suppress_tmpdir_delete", None)
            remove_internal_keys(parsed)
            return parsed
        parsed.remove_internal_keys()  # ansible-core 2.21+: a task result object
        return parsed.as_result_dict(for_round_trip=True)


def preload(name: str) -> None:
    """Import NAME now, quietly; any failure is left for the task to meet (it then runs as a module).

    Ansible loads action plugin classes in its main process while it runs the play (the strategy checks each
    task's action class) and forks a worker per task, so what this file and the action plugins import at load
    time is imported once per run instead of once per task: import requests alone takes about 0.15 s.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            importlib.import_module(name)
        except Exception:  # pylint: disable=broad-exception-caught
            pass


def preload_jinja_plugins() -> None:
    """Load ansible-core's Jinja filter and test plugins now, in the main process, quietly.

    The first filter or test a process meets makes ansible-core load every filter (or test) plugin file it has
    (ansible/plugins/loader.py: Jinja2Loader._ensure_non_collection_wrappers). The main process seldom templates
    one, so every forked worker did it again, for every task whose arguments use one: the `| default(omit)` of a
    module_defaults group is enough. The loaders drop this cache themselves when a plugin directory is added.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from ansible.plugins.loader import filter_loader, test_loader  # pylint: disable=import-outside-toplevel

            filter_loader.get("regex_replace")
            test_loader.get("version")
        except Exception:  # pylint: disable=broad-exception-caught
            pass


# The module base imports requests and packaging; the JSON profiles and netrc are imported on first use by the
# round trips and by requests (it looks up ~/.netrc on every request).
preload(f"{__name__.partition('.plugins.')[0]}.plugins.module_utils._module")
preload("netrc")
preload_jinja_plugins()
if HAS_PROFILES:
    json.loads(module_output(as_module_args({})), cls=get_module_decoder(PROFILE, Direction.MODULE_TO_CONTROLLER))
