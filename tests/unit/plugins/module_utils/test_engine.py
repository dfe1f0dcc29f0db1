# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The converge engine's semantics, once for every declaring module: declared items, every problem in one
message, purge guard, check mode, the read-back rule, and changed: true after a write that was followed by a
failure."""

from __future__ import annotations

import json

import pytest

from ansible_collections.community.qbittorrent.plugins.module_utils import _client, _fields
from ansible_collections.community.qbittorrent.plugins.module_utils._engine import (
    Field,
    Resource,
    Setting,
    converge,
    declared_items,
    desired_state,
    item_module_kwargs,
    item_module_spec,
)
from ansible_collections.community.qbittorrent.plugins.module_utils._errors import InvalidInput, QbtError
from ansible_collections.community.qbittorrent.plugins.module_utils._module import execute
from ansible_collections.community.qbittorrent.tests.unit.plugins.module_utils.fake_server import install


class Shelf(Resource):
    """A resource kept in a dict, writing through a list, so the engine can be watched without a server."""

    list_option = "shelves"
    noun = "shelf"
    fields = {
        "path": Field({"type": "str"}, _fields.path, _fields.normalize_path),
        "size": Field({"type": "int"}, lambda option, value: _fields.number(option, value, 0, 10)),
        "color": Field({"type": "str"}),
    }

    def __init__(self, task, server, keeps=True):
        super().__init__(task)
        self.server = server
        self.keeps = keeps
        self.writes = []

    def check_key(self, option, value):
        return _fields.text(option, value, "shelf name")

    def read(self):
        return {name: dict(values) for name, values in self.server.items()}

    def apply(self, plan, current, desired):
        for name, values in plan.create.items():
            self.writes.append(("create", name))
            self.server[name] = dict(values) if self.keeps else {}
        for name, changes in plan.update.items():
            self.writes.append(("update", name))
            if self.keeps:
                self.server[name].update({key: pair[1] for key, pair in changes.items()})
        for name in plan.remove:
            self.writes.append(("remove", name))
            del self.server[name]


class FakeTask:
    def __init__(self, check_mode=False, diff=True, **params):
        self.params = {"purge": False, "allow_empty_purge": False, "state": "present", "shelves": None, **params}
        self.client = None
        self.check_mode = check_mode
        self.diff = diff


def item(name, state="present", **values):
    return {"name": name, "path": None, "size": None, "color": None, "state": state, **values}


def declare(resource, *items):
    return desired_state(resource, declared_items(resource.task.params, "shelves", "name", resource.fields))


def test_an_update_changes_only_declared_fields_and_verifies():
    server = {"a": {"path": "/x", "size": 1, "color": "red"}}
    task = FakeTask(shelves=[item("a", size=2)])
    shelf = Shelf(task, server)
    result = converge(shelf, declare(shelf))
    assert result["changed"] and server["a"] == {"path": "/x", "size": 2, "color": "red"}
    assert result["diff"] == {"before": {"a": {"size": 1}}, "after": {"a": {"size": 2}}}
    again = converge(Shelf(task, server), declare(shelf))
    assert not again["changed"]


def test_paths_are_compared_as_the_server_keeps_them():
    server = {"a": {"path": "/srv/b"}}
    task = FakeTask(shelves=[item("a", path="/srv/a/../b//")])
    shelf = Shelf(task, server)
    assert not converge(shelf, declare(shelf))["changed"]


def test_check_mode_plans_and_writes_nothing():
    server = {"a": {"size": 1}}
    task = FakeTask(check_mode=True, shelves=[item("a", size=3), item("b", size=1)])
    shelf = Shelf(task, server)
    result = converge(shelf, declare(shelf))
    assert result["changed"] and shelf.writes == [] and server == {"a": {"size": 1}}
    assert result["shelves"]["a"]["size"] == 3 and result["shelves"]["b"] == {"name": "b", "size": 1}


def test_every_problem_of_every_item_is_named_before_anything_is_read():
    task = FakeTask(shelves=[item("a", size=99), item("b\nc", path="relative"), item("a")])
    shelf = Shelf(task, {})
    with pytest.raises(InvalidInput) as caught:
        declare(shelf)
    message = str(caught.value)
    assert "shelves[a].size: 99 is out of range" in message
    assert "control character \\n" in message
    assert "shelves[b\\nc].path" not in message and "shelves[1].path: 'relative' is not an absolute path" in message
    assert "'a' is declared more than once" in message
    assert message.startswith("4 problems, nothing was sent")


def test_control_characters_are_refused_in_every_name():
    for char in ["\n", "\r", "\t", "\0", "\x7f", "\x85", "\u2028", "\u2029"]:
        task = FakeTask(shelves=[item(f"a{char}b")])
        with pytest.raises(InvalidInput, match="control character"):
            declare(Shelf(task, {}))


def test_a_purge_with_nothing_to_keep_is_refused_unless_allowed():
    server = {"a": {}, "b": {}}
    task = FakeTask(shelves=[], purge=True)
    shelf = Shelf(task, server)
    with pytest.raises(InvalidInput, match="allow_empty_purge: true"):
        converge(shelf, declare(shelf))
    assert shelf.writes == [] and set(server) == {"a", "b"}
    task.params["allow_empty_purge"] = True
    assert converge(Shelf(task, server), declare(shelf))["changed"] and server == {}


def test_a_purge_that_keeps_something_removes_the_rest():
    server = {"a": {}, "b": {}}
    task = FakeTask(shelves=[item("a")], purge=True)
    shelf = Shelf(task, server)
    result = converge(shelf, declare(shelf))
    assert result["changed"] and set(server) == {"a"}


def test_a_value_the_server_did_not_keep_fails_the_read_back():
    server = {}
    task = FakeTask(shelves=[item("a", size=2)])
    shelf = Shelf(task, server, keeps=False)
    with pytest.raises(QbtError, match="did not keep what the task declared: 'a': {'size': None} -> {'size': 2}"):
        converge(shelf, declare(shelf))


def test_a_task_that_wrote_and_then_failed_reports_changed(monkeypatch):
    """The module base reads the client's own record: an accepted POST before the failure means changed."""
    routes = {
        ("POST", "auth/login"): (200, "Ok."),
        ("POST", "auth/logout"): (200, ""),
        ("GET", "app/webapiVersion"): (200, "2.11.4"),
        ("POST", "torrents/createTags"): (200, ""),
        ("GET", "torrents/tags"): (200, json.dumps([])),
    }
    install(monkeypatch, _client, routes)

    def run(task):
        task.client.post("torrents/createTags", {"tags": "x"})
        task.client.get_json("torrents/tags")
        raise QbtError("qBittorrent did not keep the tag 'x'")

    params = {"url": "http://qbt.test:8080", "username": "admin", "password": "pw"}
    result, _secrets = execute(params, run, check_mode=False, diff=False)
    assert result["failed"] and result["changed"] is True
    assert "already changed the server (torrents/createTags)" in result["msg"]

    def refuse(task):
        raise InvalidInput("size: out of range")

    result, _secrets = execute(params, refuse, check_mode=False, diff=False)
    assert result["failed"] and result["changed"] is False


def test_the_version_policy_holds_for_a_task_that_never_read_the_version(monkeypatch):
    routes = {
        ("POST", "auth/login"): (200, "Ok."),
        ("POST", "auth/logout"): (200, ""),
        ("GET", "app/webapiVersion"): (200, "9.0.0"),
        ("GET", "app/preferences"): (200, "{}"),
        ("POST", "app/setPreferences"): (200, ""),
    }
    adapter = install(monkeypatch, _client, routes)
    params = {"url": "http://qbt.test:8080", "username": "admin", "password": "pw"}

    def read_only(task):
        task.client.get_json("app/preferences")
        return {"changed": False}

    result, _secrets = execute(params, read_only, check_mode=False, diff=False)
    assert "outside the range this collection supports" in result["warnings"][0]

    def writes(task):
        task.client.post("app/setPreferences", {"json": "{}"})
        return {"changed": True}

    adapter.requests.clear()
    result, _secrets = execute(dict(params, fail_on_unsupported_version=True), writes, check_mode=False, diff=False)
    assert result["failed"] and "fail_on_unsupported_version" in result["msg"]
    assert not [request for request, _kwargs in adapter.requests if request.url.endswith("setPreferences")]


class PlatformClient:
    def __init__(self, platform):
        self.platform = platform
        self.reads = 0

    def supports(self, name):
        return self.platform is not None

    def get_json(self, endpoint):
        self.reads += 1
        return {"platform": self.platform}


def test_windows_paths_are_refused_for_a_server_that_is_not_windows():
    from ansible_collections.community.qbittorrent.plugins.module_utils._engine import refuse_foreign_paths

    client = PlatformClient("linux")
    refuse_foreign_paths(client, [("save_path", "/srv/a"), ("download_path", None)])
    assert client.reads == 0  # POSIX paths never cost a request
    with pytest.raises(
        InvalidInput, match=r"save_path: 'C:\\\\dl' is a Windows path, but the qBittorrent server runs on linux"
    ):
        refuse_foreign_paths(client, [("save_path", "C:\\dl")])
    refuse_foreign_paths(PlatformClient("windows"), [("save_path", "C:\\dl")])
    refuse_foreign_paths(PlatformClient(None), [("save_path", "C:\\dl")])  # an older server does not say


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"name": "a", "path": "C:\\dl", "size": None, "color": None}, "path: "),
        ({"shelves": [item("a", path="C:\\dl")]}, "shelves[a].path: "),
    ],
)
def test_a_windows_path_is_named_as_the_task_wrote_it(params, named):
    task = FakeTask(**params)
    shelf = Shelf(task, {})
    shelf.client = PlatformClient("linux")
    with pytest.raises(InvalidInput) as caught:
        declare(shelf)
    assert str(caught.value).startswith(f"{named}'C:\\\\dl' is a Windows path"), str(caught.value)


class Dial(Setting):
    """One object of two fields, kept in a dict: the Setting form of a resource."""

    list_option = "dial"
    fields = {
        "level": Field({"type": "int"}, lambda option, value: _fields.number(option, value, 0, 10)),
        "label": Field({"type": "str"}),
    }

    def __init__(self, task, server, keeps=True):
        super().__init__(task)
        self.server = server
        self.keeps = keeps
        self.writes = []

    def read(self):
        return dict(self.server)

    def apply(self, plan, current, desired):
        self.writes.append(sorted(plan))
        if self.keeps:
            self.server.update({name: pair[1] for name, pair in plan.items()})


def dial_task(check_mode=False, **params):
    return FakeTask(check_mode=check_mode, **{"level": None, "label": None, **params})


def test_a_setting_writes_only_the_declared_fields_that_differ_and_keeps_the_rest():
    server = {"level": 1, "label": "a", "other": True}
    dial = Dial(dial_task(level=4), server)
    result = converge(dial, dial.desired())
    assert result["changed"] and dial.writes == [["level"]]
    assert server == {"level": 4, "label": "a", "other": True}
    assert result["diff"] == {"before": {"level": 1}, "after": {"level": 4}}
    again = Dial(dial_task(level=4), server)
    assert not converge(again, again.desired())["changed"] and again.writes == []


def test_a_setting_in_check_mode_predicts_and_writes_nothing():
    server = {"level": 1, "label": "a"}
    dial = Dial(dial_task(check_mode=True, label="b"), server)
    result = converge(dial, dial.desired())
    assert result["changed"] and result["dial"]["label"] == "b" and dial.writes == [] and server["label"] == "a"


def test_a_setting_checks_every_field_before_anything_is_read():
    dial = Dial(dial_task(level=99), None)  # read() would fail on None
    with pytest.raises(InvalidInput, match="level: 99 is out of range"):
        dial.desired()


def test_a_setting_the_server_did_not_keep_fails_the_read_back():
    dial = Dial(dial_task(level=3), {"level": 1}, keeps=False)
    with pytest.raises(QbtError, match="dial: qBittorrent did not keep what the task declared"):
        converge(dial, dial.desired())
    assert dial.writes == [["level"]]


class GatedShelf(Shelf):
    requires = ("shelves/list", "shelves")


class RequiringClient:
    def __init__(self, has):
        self.has = has

    def require(self, name, setting=None):
        assert (name, setting) == ("shelves/list", "shelves")
        return self.has


def test_a_resource_the_server_lacks_changes_nothing_when_the_policy_says_skip():
    task = FakeTask(shelves=[item("a", size=2)])
    task.client = RequiringClient(False)
    shelf = GatedShelf(task, {"x": {}})
    assert converge(shelf, {"a": {"size": 2}}) == {"changed": False, "shelves": {}}
    assert shelf.writes == []
    task.client = RequiringClient(True)
    assert converge(GatedShelf(task, {}), {"a": {"size": 2}})["changed"]


class KeyedShelf(Shelf):
    key_options = {"room": {"type": "str", "required": True}, "wall": {"type": "str"}}


def test_key_options_are_top_level_options_and_required_in_each_item():
    spec = item_module_spec(KeyedShelf)
    kwargs = item_module_kwargs(KeyedShelf)
    assert spec["room"] == {"type": "str"} and spec["wall"] == {"type": "str"}
    assert spec["shelves"]["options"]["room"] == {"type": "str", "required": True}
    assert spec["shelves"]["options"]["name"] == {"type": "str", "required": True}
    assert kwargs["required_by"] == {"name": ["room"]}
    assert "required_by" not in item_module_kwargs(Shelf)
