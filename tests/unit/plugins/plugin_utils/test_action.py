# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side execution (plugins/plugin_utils/_action.py): the choice of path, and a result that equals the
one AnsibleModule builds in a module process, secrets masked the same way. The module side of each comparison is
the real run_module() under AnsibleModule; nothing here talks to a server."""

from __future__ import annotations

import ast
import importlib
import json
import logging
import os
import pathlib
import subprocess
import sys
import types
from unittest import mock

import pytest
import yaml
from ansible.module_utils import basic
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.common.parameters import PASS_VARS

from ansible_collections.community.qbittorrent.plugins.module_utils import _module
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import QbtError
from ansible_collections.community.qbittorrent.plugins.plugin_utils import _action

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19

    def patch_module_args(args):
        return mock.patch.object(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())


COLLECTION = "ansible_collections.community.qbittorrent"
ROOT = pathlib.Path(__file__).resolve().parents[4]
# Host modules run on the qBittorrent host, with no action plugin and no in-process path (HOST_MODULES of
# tests/collection_checks.py): the conventions below are those of the WebUI modules.
HOST_MODULES = ("qbt_config_file",)
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("qbt_*.py") if path.stem not in HOST_MODULES)
ACTIONS = sorted(path.stem for path in (ROOT / "plugins" / "action").glob("qbt_*.py"))
URL = "http://127.0.0.1:9"  # never contacted: the fake module's logic makes no request
PASSWORD = "pw-Secret-7731"
TOKEN = "tok-Secret-0420"
RUNTIME = "rt-Secret-5150"

FAKE_SPEC = {
    "names": {"type": "list", "elements": "str", "required": True},
    "mode": {"type": "str", "choices": ["a", "b"], "default": "a"},
    "token": {"type": "str", "no_log": True},
    "count": {"type": "int", "aliases": ["number"]},
    "limit": {"type": "int"},
    "nested": {
        "type": "dict",
        "options": {"secret": {"type": "str", "no_log": True}, "level": {"type": "int", "default": 1}},
    },
    "admin_password": {"type": "str"},  # AnsibleModule warns that no_log is not set
}
FAKE_KWARGS = {"mutually_exclusive": [["count", "limit"]], "required_by": {"limit": ["mode"]}}


def fake_run(task):
    """A module's logic that exercises every result feature without a request."""
    params = task.params
    names = params["names"]
    result = {"changed": "change" in names, "names": names, "check_mode": task.check_mode}
    if "secret-in-result" in names:
        result["echo"] = {"password": params["password"], "token_text": f"the token is {params['token']}"}
    if "runtime-secret" in names:
        task.no_log(RUNTIME)
        result["found"] = [RUNTIME, f"prefix-{RUNTIME}"]
    if "warn" in names:
        task.warn(f"a warning that quotes {params['token']} and {RUNTIME}")
        task.no_log(RUNTIME)
    if "types" in names:
        result["types"] = {"tuple": (1, 2), "set": {"x"}, 3: "int key", "none": None, "float": 1.5}
    if "diff" in names and task.diff:
        result["diff"] = {"before": {"token": params["token"]}, "after": {"names": names}}
    if "env" in names:
        result["env"] = {"task": task.env.get("QBT_TEST_VAR"), "os": os.environ.get("QBT_TEST_VAR")}
        result["client_url"] = _module.client_from_params({}).base_url
    if "fail" in names:
        raise QbtError(f"it failed for {params['password']} and {params['token']}")
    return result


@pytest.fixture
def fake_module(monkeypatch):
    """A module file of a fake collection that uses the real module base."""
    module = types.ModuleType("fakecoll.plugins.modules.qbt_fake")
    module.ARGUMENT_SPEC = FAKE_SPEC
    module.MODULE_KWARGS = FAKE_KWARGS
    module.run = fake_run
    for name, value in {
        "fakecoll": types.ModuleType("fakecoll"),
        "fakecoll.plugins": types.ModuleType("fakecoll.plugins"),
        "fakecoll.plugins.modules": types.ModuleType("fakecoll.plugins.modules"),
        "fakecoll.plugins.modules.qbt_fake": module,
        "fakecoll.plugins.module_utils": types.ModuleType("fakecoll.plugins.module_utils"),
        "fakecoll.plugins.module_utils._module": _module,
    }.items():
        monkeypatch.setitem(sys.modules, name, value)
    loaded, reason = _action.load_module("fakecoll", "qbt_fake")
    assert loaded is not None, reason
    return loaded


def messages(warnings):
    """Warning texts, whether AnsibleModule returned WarningSummary objects (ansible-core 2.19+) or strings."""
    return [getattr(getattr(item, "event", None), "msg", item) for item in warnings]


def normalized(result):
    result = dict(result)
    if "warnings" in result:
        result["warnings"] = messages(result["warnings"])
    return result


def internal_args(check_mode=False, diff=False, verbosity=0, no_log=False, inject_invocation=True):
    """The internal arguments ActionBase._update_module_args adds (those that matter here)."""
    args = {
        "_ansible_check_mode": check_mode,
        "_ansible_diff": diff,
        "_ansible_verbosity": verbosity,
        "_ansible_module_name": "qbt_fake",
        "_ansible_no_log": no_log,
    }
    if "inject_invocation" in PASS_VARS:  # ansible-core 2.21+
        args["_ansible_inject_invocation"] = inject_invocation
    return args


def decode(output):
    """What the controller decodes from a module's output (ActionBase._parse_returned_data)."""
    if _action.HAS_PROFILES:
        return json.loads(
            output, cls=_action.get_module_decoder(_action.PROFILE, _action.Direction.MODULE_TO_CONTROLLER)
        )
    return json.loads(output)


def through_module(spec, run, kwargs, args, capsys, monkeypatch, **switches):
    """What a module process that calls run_module() with these arguments prints, decoded."""
    # In a module process AnsibleModule collects warnings; in this (controller) process it would display them.
    internal_flags = sys.modules.get("ansible.module_utils._internal")  # ansible-core 2.19+
    if internal_flags is not None:
        monkeypatch.setattr(internal_flags, "is_controller", False, raising=False)
    for name in ("_global_warnings", "_global_deprecations"):
        if hasattr(ansible_warnings, name):
            monkeypatch.setattr(ansible_warnings, name, type(getattr(ansible_warnings, name))())
    capsys.readouterr()
    with patch_module_args({**args, **internal_args(**switches)}), mock.patch.object(basic.AnsibleModule, "log"):
        with pytest.raises(SystemExit):
            _module.run_module(spec, run, **kwargs)
    return decode(capsys.readouterr().out)


def in_process(loaded, args, env=None, **switches):
    env = dict(os.environ) if env is None else env
    return decode(_action.run_in_process(loaded, {**args, **internal_args(**switches)}, env))


BASE_ARGS = {"url": URL, "username": "admin", "password": PASSWORD, "token": TOKEN}
CASES = {
    "success with defaults": ({**BASE_ARGS, "names": ["x"]}, {}),
    "changed": ({**BASE_ARGS, "names": ["change"]}, {}),
    "check mode and diff": ({**BASE_ARGS, "names": ["change", "diff"]}, {"check_mode": True, "diff": True}),
    "secrets in the result": ({**BASE_ARGS, "names": ["secret-in-result"]}, {}),
    "secret found at run time": ({**BASE_ARGS, "names": ["runtime-secret"]}, {}),
    "warnings with secrets": ({**BASE_ARGS, "names": ["warn"]}, {}),
    "types the wire changes": ({**BASE_ARGS, "names": ["types"]}, {}),
    "api_calls from -vvv on": ({**BASE_ARGS, "names": ["x"]}, {"verbosity": 3}),
    "failure quoting secrets": ({**BASE_ARGS, "names": ["fail"]}, {}),
    "no url at all": ({"names": ["x"], "token": TOKEN}, {}),
    "option and alias both set": ({**BASE_ARGS, "names": ["x"], "url": URL, "host": URL}, {}),
    "alias of a module option": ({**BASE_ARGS, "names": ["x"], "number": 3}, {}),
    "password-like option without no_log": ({**BASE_ARGS, "names": ["x"], "admin_password": "p4ss"}, {}),
    "password-like option under task no_log": (
        {**BASE_ARGS, "names": ["x"], "admin_password": "p4ss"},
        {"no_log": True},
    ),
    "nested no_log suboption": ({**BASE_ARGS, "names": ["secret-in-result"], "nested": {"secret": "nest-Secret"}}, {}),
    "missing required option": ({**BASE_ARGS}, {}),
    "unsupported option": ({**BASE_ARGS, "names": ["x"], "bogus": 1, "other": TOKEN}, {}),
    "wrong choice quoting a secret": ({**BASE_ARGS, "names": ["x"], "mode": TOKEN}, {}),
    "wrong type": ({**BASE_ARGS, "names": ["x"], "count": "many"}, {}),
    "mutually exclusive": ({**BASE_ARGS, "names": ["x"], "count": 1, "limit": 2}, {}),
    "wrong suboption": ({**BASE_ARGS, "names": ["x"], "nested": {"secret": "nest-Secret", "levle": 2}}, {}),
    "invocation not injected (2.21+)": ({**BASE_ARGS, "names": ["x"]}, {"inject_invocation": False}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_in_process_result_equals_the_module_result(case, fake_module, capsys, monkeypatch):
    args, switches = CASES[case]
    expected = through_module(FAKE_SPEC, fake_run, FAKE_KWARGS, args, capsys, monkeypatch, **switches)
    got = in_process(fake_module, args, **switches)
    assert normalized(got) == normalized(expected)
    for secret in (PASSWORD, TOKEN, RUNTIME, "nest-Secret"):
        assert secret not in json.dumps(messages(got.get("warnings", []))) + json.dumps(
            {k: v for k, v in got.items() if k != "warnings"}, default=str
        ), f"{secret} in {got}"


def test_the_cases_cover_what_they_claim(fake_module):
    """Guards the comparison above against cases that silently stopped testing anything."""
    results = {case: in_process(fake_module, args, **switches) for case, (args, switches) in CASES.items()}
    assert results["missing required option"]["msg"] == "missing required arguments: names"
    assert results["unsupported option"]["msg"].startswith("Unsupported parameters for (qbt_fake) module: bogus")
    assert "mutually exclusive" in results["mutually exclusive"]["msg"]
    no_log_warning = "Module did not set no_log for admin_password"  # for every run: the option is in params
    assert results["option and alias both set"]["warnings"] == [
        "Both option url and its alias host are set.",
        no_log_warning,
    ]
    assert results["password-like option without no_log"]["warnings"] == [no_log_warning]
    assert "warnings" not in results["password-like option under task no_log"]
    assert results["warnings with secrets"]["warnings"] == [
        no_log_warning,
        "a warning that quotes ******** and ********",
    ]
    assert results["failure quoting secrets"]["msg"] == "it failed for ******** and ********"
    assert results["secrets in the result"]["echo"]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert results["secret found at run time"]["found"] == ["VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", "prefix-********"]
    assert results["check mode and diff"]["check_mode"] is True
    assert results["check mode and diff"]["diff"]["before"]["token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert results["types the wire changes"]["types"] == {
        "tuple": [1, 2],
        "set": ["x"],
        "3": "int key",
        "none": None,
        "float": 1.5,
    }
    assert results["api_calls from -vvv on"]["api_calls"] == []
    assert "api_calls" not in results["success with defaults"]
    assert results["success with defaults"]["invocation"]["module_args"]["mode"] == "a"
    assert results["no url at all"]["msg"].startswith("no qBittorrent URL")


def test_check_mode_of_a_module_without_check_mode_support_is_skipped(fake_module, capsys, monkeypatch):
    kwargs = dict(FAKE_KWARGS, supports_check_mode=False)
    loaded = _action.LoadedModule("qbt_fake", FAKE_SPEC, kwargs, fake_run, _module)
    args = {**BASE_ARGS, "names": ["change"]}
    expected = through_module(FAKE_SPEC, fake_run, kwargs, args, capsys, monkeypatch, check_mode=True)
    got = in_process(loaded, args, check_mode=True)
    assert got == expected
    assert got["skipped"] is True and got["msg"] == "remote module (qbt_fake) does not support check mode"


@pytest.mark.parametrize("name", MODULES)
@pytest.mark.parametrize(
    "args",
    [{}, {"bogus": True}, {"name": "a", "categories": []}, {"path": "a", "feeds": []}, {"url": URL, "timeout": "x"}],
    ids=["nothing", "unknown option", "two ways for categories", "two ways for feeds", "wrong type"],
)
def test_real_modules_reject_bad_input_with_the_module_messages(name, args, capsys, monkeypatch):
    loaded, reason = _action.load_module(COLLECTION, name)
    if loaded is None:
        pytest.fail(f"{name} cannot run in-process: {reason}")
    expected = through_module(loaded.argument_spec, loaded.run, loaded.kwargs, args, capsys, monkeypatch)
    got = in_process(loaded, args)
    if not expected.get("failed"):
        pytest.skip(f"{name} accepts {args}; the run itself is compared on real servers")
    assert normalized(got) == normalized(expected)


def test_task_environment_reaches_the_logic_the_clients_and_os_environ(fake_module, monkeypatch):
    monkeypatch.delenv("QBT_TEST_VAR", raising=False)
    monkeypatch.setenv("QBITTORRENTAPI_HOST", "http://127.0.0.1:1")
    env = dict(os.environ, QBT_TEST_VAR="from-the-task", QBITTORRENTAPI_HOST="http://127.0.0.1:2")
    result = in_process(fake_module, {"names": ["env"]}, env=env)
    assert result["env"] == {"task": "from-the-task", "os": "from-the-task"}
    assert result["client_url"] == "http://127.0.0.1:2/"
    assert "QBT_TEST_VAR" not in os.environ
    assert os.environ["QBITTORRENTAPI_HOST"] == "http://127.0.0.1:1"


def test_task_environment_restores_changed_and_new_variables(monkeypatch):
    monkeypatch.setenv("QBT_KEEP", "old")
    monkeypatch.delenv("QBT_NEW", raising=False)
    with _action.task_environment({"QBT_KEEP": "new", "QBT_NEW": "x"}):
        assert (os.environ["QBT_KEEP"], os.environ["QBT_NEW"]) == ("new", "x")
    assert os.environ["QBT_KEEP"] == "old"
    assert "QBT_NEW" not in os.environ


def test_library_log_records_stay_out_of_the_controller_log(caplog):
    caplog.set_level(logging.DEBUG)
    urllib3_logger = logging.getLogger("urllib3")
    before = (urllib3_logger.propagate, list(urllib3_logger.handlers))
    with _action.quiet_libraries():
        urllib3_logger.warning("Retrying after connection broken by %s", "something")
        logging.getLogger("community.qbittorrent").warning("a client record")
    assert not caplog.records
    assert (urllib3_logger.propagate, list(urllib3_logger.handlers)) == before
    logging.getLogger("community.qbittorrent").warning("outside")
    assert caplog.records


def test_an_unexpected_exception_is_a_masked_failure(fake_module):
    def broken(task):
        raise KeyError(f"no {task.params['password']} here")

    loaded = _action.LoadedModule("qbt_fake", FAKE_SPEC, FAKE_KWARGS, broken, _module)
    result = in_process(loaded, {**BASE_ARGS, "names": ["x"]})
    assert result["failed"] is True
    assert result["msg"].startswith("qbt_fake failed with an unexpected KeyError")
    assert "Traceback" in result["exception"]
    assert PASSWORD not in json.dumps(result)


# ----------------------------------------------------------------------------------------- choosing the path
@pytest.mark.parametrize(
    "switch, transport, become, async_val, expected",
    [
        ("auto", "local", False, 0, None),
        ("in_process", "local", False, 0, None),
        ("module", "local", False, 0, "qbt_execution is module"),
        ("auto", "ssh", False, 0, "the connection is ssh, not local"),
        ("auto", "ansible.netcommon.httpapi", False, 0, "the connection is ansible.netcommon.httpapi, not local"),
        ("auto", "local", True, 0, "become is on, so the module must run as the become user"),
        ("auto", "local", False, 30, "the task is async"),
        ("in_process", "ssh", False, 0, "the connection is ssh, not local"),
    ],
)
def test_choose(switch, transport, become, async_val, expected):
    assert _action.choose(switch, transport, become, async_val) == expected


@pytest.mark.parametrize("switch", ["Module", "", None, True, "controller"])
def test_choose_rejects_unknown_switch_values(switch):
    with pytest.raises(ValueError, match="qbt_execution must be one of auto, module, in_process"):
        _action.choose(switch, "local", False, 0)


def test_load_module_explains_every_refusal(monkeypatch, fake_module):
    loaded, reason = _action.load_module(COLLECTION, "qbt_does_not_exist")
    assert loaded is None and reason.startswith("the module could not be imported on the controller")

    del sys.modules["fakecoll.plugins.modules.qbt_fake"].MODULE_KWARGS
    assert _action.load_module("fakecoll", "qbt_fake") == (
        None,
        "the module does not define MODULE_KWARGS (module_utils/_module.py)",
    )
    sys.modules["fakecoll.plugins.modules.qbt_fake"].MODULE_KWARGS = {"bypass_checks": True}
    assert _action.load_module("fakecoll", "qbt_fake")[1] == (
        "MODULE_KWARGS has arguments the action plugin does not know: bypass_checks"
    )
    sys.modules["fakecoll.plugins.modules.qbt_fake"].MODULE_KWARGS = {}
    monkeypatch.setattr(_module, "HAS_REQUESTS", False)
    monkeypatch.setattr(_module, "REQUESTS_IMPORT_ERROR", ImportError("No module named 'requests'"))
    loaded, reason = _action.load_module("fakecoll", "qbt_fake")
    assert loaded is None
    assert reason == f"the controller's Python ({sys.executable}) cannot import requests (No module named 'requests')"


def test_collection_package():
    assert _action.collection_package(f"{COLLECTION}.plugins.action.qbt_tag") == COLLECTION
    with pytest.raises(ValueError):
        _action.collection_package(f"{COLLECTION}.plugins.modules.qbt_tag")


def test_loading_the_action_plugins_loads_the_jinja_filters_and_tests_once():
    """In a fresh process (as Ansible's main process before it forks the workers): importing _action fills
    ansible-core's cache of filter and test plugins, so no worker loads them again."""
    code = (
        "from ansible.plugins.loader import filter_loader, test_loader\n"
        "assert not filter_loader._cached_non_collection_wrappers, 'filled before the import'\n"
        f"import {COLLECTION}.plugins.plugin_utils._action\n"
        "print(len(filter_loader._cached_non_collection_wrappers), len(test_loader._cached_non_collection_wrappers))"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    filters, tests = (int(n) for n in proc.stdout.split())
    assert filters > 50 and tests > 20, proc.stdout


# ----------------------------------------------------------------------------------------- the action plugin
def make_action(transport="local", become=False, async_val=0, env=None, args=None):
    plugin = importlib.import_module(f"{COLLECTION}.plugins.action.qbt_tag").ActionModule
    action = plugin.__new__(plugin)  # ActionBase.__init__ wants a whole executor; run() needs only these
    action._task = mock.Mock(
        async_val=async_val, check_mode=True, diff=True, no_log=False, action="community.qbittorrent.qbt_tag"
    )
    action._task.args = args or {"url": URL, "tags": ["a"]}
    action._connection = mock.Mock(transport=transport)
    action._connection._shell.tmpdir = None
    action._play_context = mock.Mock(become=become, remote_addr="localhost")
    action._templar = mock.Mock()
    action._templar.template.side_effect = lambda value: value
    action._compute_environment_string = lambda out: out.update(env or {})
    action._early_needs_tmp_path = lambda: False
    action._used_interpreter = None

    def update_module_args(module_name, module_args, task_vars):
        module_args.update(_ansible_module_name=module_name, _ansible_check_mode=action._task.check_mode)

    action._update_module_args = update_module_args
    return action


def test_action_runs_in_process_with_the_module_arguments_and_environment(monkeypatch):
    calls = []

    def fake_run_in_process(loaded, args, env):
        calls.append((loaded, args, env))
        return json.dumps({"changed": True, "invocation": {"module_args": {}}})

    monkeypatch.setattr(_action, "run_in_process", fake_run_in_process)
    monkeypatch.setattr(_action.NormalAction, "run", lambda *a, **k: pytest.fail("the module path was taken"))
    result = make_action(env={"QBT_FROM_TASK": 42}).run(task_vars={})
    ((loaded, args, env),) = calls
    assert loaded.name == "qbt_tag"
    assert args == {
        "url": URL,
        "tags": ["a"],
        "_ansible_module_name": "community.qbittorrent.qbt_tag",
        "_ansible_check_mode": True,
    }
    assert env["QBT_FROM_TASK"] == "42" and env["PATH"] == os.environ["PATH"]
    assert result["changed"] is True and result["invocation"] == {"module_args": {}}


@pytest.mark.parametrize(
    "make, task_vars",
    [
        (lambda: make_action(transport="ssh"), {}),
        (lambda: make_action(become=True), {}),
        (lambda: make_action(async_val=10), {}),
        (make_action, {"qbt_execution": "module"}),
    ],
    ids=["ssh", "become", "async", "switch"],
)
def test_action_falls_back_to_the_module(make, task_vars, monkeypatch):
    monkeypatch.setattr(_action, "run_in_process", lambda *a, **k: pytest.fail("ran in-process"))
    monkeypatch.setattr(_action.NormalAction, "run", lambda self, tmp=None, task_vars=None: {"module": True})
    assert make().run(task_vars=task_vars) == {"module": True}


def test_action_fails_when_in_process_is_required_but_impossible(monkeypatch):
    monkeypatch.setattr(_action.NormalAction, "run", lambda *a, **k: pytest.fail("the module path was taken"))
    with pytest.raises(_action.AnsibleActionFail, match="qbt_execution is in_process, but qbt_tag cannot run"):
        make_action(transport="ssh").run(task_vars={"qbt_execution": "in_process"})
    with pytest.raises(_action.AnsibleActionFail, match="qbt_execution must be one of"):
        make_action().run(task_vars={"qbt_execution": "modul"})


# ----------------------------------------------------------------------------------------- the convention
def module_tree(name):
    return ast.parse((ROOT / "plugins" / "modules" / f"{name}.py").read_text())


@pytest.mark.parametrize("name", MODULES)
def test_every_module_follows_the_in_process_convention(name):
    """ARGUMENT_SPEC, MODULE_KWARGS and run() at module level; main() is run_module(ARGUMENT_SPEC, run,
    **MODULE_KWARGS), so the action plugin validates with exactly what AnsibleModule gets."""
    tree = module_tree(name)
    targets = [target for node in tree.body if isinstance(node, ast.Assign) for target in node.targets]
    assigned = {name.id for target in targets for name in getattr(target, "elts", [target])}
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert {"ARGUMENT_SPEC", "MODULE_KWARGS"} <= assigned, (
        f"{name}: define MODULE_KWARGS = {{...}} (the AnsibleModule arguments, {{}} when none) next to ARGUMENT_SPEC"
    )
    assert "run" in functions
    body = functions["main"].body
    assert len(body) == 1 and ast.unparse(body[0]) == "run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)", (
        f"{name}: main() must be exactly run_module(ARGUMENT_SPEC, run, **MODULE_KWARGS)"
    )
    module = importlib.import_module(f"{COLLECTION}.plugins.modules.{name}")
    assert set(module.MODULE_KWARGS) <= _module.MODULE_KWARG_NAMES


@pytest.mark.parametrize("name", MODULES)
def test_every_module_has_its_action_plugin(name):
    assert name in ACTIONS, f"create plugins/action/{name}.py (the same three lines as plugins/action/qbt_tag.py)"
    plugin = importlib.import_module(f"{COLLECTION}.plugins.action.{name}")
    assert issubclass(plugin.ActionModule, _action.ModuleAction)


@pytest.mark.parametrize("name", ACTIONS)
def test_every_action_plugin_has_its_module(name):
    assert name in MODULES, f"plugins/action/{name}.py has no module (ansible-test's action-plugin-docs fails)"


@pytest.mark.parametrize("name", MODULES)
def test_no_result_key_makes_ansible_module_add_file_attributes(name):
    """AnsibleModule adds owner, mode, size... to a result with a top-level 'path' or 'dest' that exists as a file
    where the module runs; the in-process path does not, so no module may return those keys."""
    module = importlib.import_module(f"{COLLECTION}.plugins.modules.{name}")
    returned = yaml.safe_load(module.RETURN) or {}
    assert not {"path", "dest"}.intersection(returned)
