# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The converge engine: how every declaring module turns declared items into the fewest writes.

A resource (one module_utils file per kind of server item: _categories.py, _tags.py, _rss_feeds.py, ...)
subclasses Resource: it names its options, declares its fields once (a Field per option: argument spec,
validator, normaliser, minimum version), and says how the items are read, planned and written. The engine runs
the same steps for every one of them:

    desired (validated, every problem at once, version gates) -> read -> plan -> purge guard -> diff
    -> check-mode exit -> apply -> read back (the plan against the new state must be empty) -> result

A resource of one object instead of named items (the transfer mode, the preferences, the API key) subclasses
Setting and runs through the same converge().

A task that wrote something and then failed reports changed: true: the module base (_module.execute) sees
the writes the client sent, whatever raised after them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._diff import Plan, after_values, differences, plan_items
from ._errors import InvalidInput, QbtError
from ._fields import Problems, path
from ._platform import refuse_foreign_paths

STATE_OPTION = {"state": {"type": "str", "choices": ["present", "absent"], "default": "present"}}
PURGE_OPTIONS = {
    "purge": {"type": "bool", "default": False},
    "allow_empty_purge": {"type": "bool", "default": False},
}


class Field:
    """One option of a resource: its argument spec, validator, normaliser and the version that brings it.

    check(option, value) validates a declared value and returns it as it is sent; normalize(value) makes the
    declared and the server's value comparable; needs names an endpoint or a FEATURES entry of _versions, and
    label says what the option is in a person's words for the message when the server lacks it
    ('tags in RSS rules').
    """

    def __init__(
        self,
        spec: Mapping[str, Any],
        check: Callable[[str, Any], Any] | None = None,
        normalize: Callable[[Any], Any] | None = None,
        needs: str | None = None,
        label: str | None = None,
    ) -> None:
        self.spec = dict(spec)
        self.check = check
        self.normalize = normalize
        self.needs = needs
        self.label = label


def specs(fields: Mapping[str, Field]) -> dict[str, dict[str, Any]]:
    """The argument spec of a field table."""
    return {name: dict(field.spec) for name, field in fields.items()}


def item_module_spec(
    resource: type[Resource], single: Mapping[str, Any] | None = None, **extra: Mapping[str, Any]
) -> dict[str, Any]:
    """The ARGUMENT_SPEC of a module that declares one item in top-level options or a list of them: the key, the
    fields and state at the top level (SINGLE replaces the fields there), the same in each item of the list
    option, purge, and the module's EXTRA options. Its MODULE_KWARGS come from item_module_kwargs()."""
    items = {**specs(resource.fields), **STATE_OPTION}
    key, many, keys = resource.key, resource.list_option, resource.key_options
    top = {name: {k: v for k, v in spec.items() if k != "required"} for name, spec in keys.items()}
    spec = {key: {"type": "str"}, **top, **(dict(single, **STATE_OPTION) if single is not None else items)}
    item = {key: {"type": "str", "required": True}, **{name: dict(spec) for name, spec in keys.items()}, **items}
    spec[many] = {"type": "list", "elements": "dict", "options": item}
    spec.update(PURGE_OPTIONS, **extra)
    return spec


def item_module_kwargs(resource: type[Resource]) -> dict[str, Any]:
    """The MODULE_KWARGS that go with item_module_spec(): one item or the list, never both; the key options an
    item of the list requires go with the top-level key."""
    kwargs: dict[str, Any] = {
        "mutually_exclusive": [[resource.key, resource.list_option]],
        "required_one_of": [[resource.key, resource.list_option]],
    }
    required = [name for name, spec in resource.key_options.items() if spec.get("required")]
    if required:
        kwargs["required_by"] = {resource.key: required}
    return kwargs


def normalizers(fields: Mapping[str, Field]) -> dict[str, Callable[[Any], Any]]:
    return {name: field.normalize for name, field in fields.items() if field.normalize}


class Resource:
    """What the engine needs to know about one kind of named server item. Subclasses set the class attributes
    and override the methods whose default does not fit."""

    list_option = ""  # the option that declares a list of items, and the result key ('categories')
    key = "name"  # the option that names an item
    key_options: Mapping[str, Mapping[str, Any]] = {}  # more options that name an item with key (a cookie's domain)
    noun = "item"  # for messages: 'category'
    fields: Mapping[str, Field] = {}  # the options of an item, besides key and state
    # (endpoint, what in a person's words) the whole resource needs: without it the task fails, or warns and
    # changes nothing (fail_on_unimplemented_endpoint), after the declared items were checked
    requires: tuple[str, str] | None = None

    def __init__(self, task) -> None:
        self.task = task
        self.client = task.client

    # ---- declared items
    def desired(self, single=None, item_options=None) -> dict[str, Any]:
        """The declared items, checked (see declared_items for SINGLE and ITEM_OPTIONS)."""
        options = item_options if item_options is not None else [*self.fields, *self.key_options, "state"]
        items = declared_items(self.task.params, self.list_option, self.key, options, single)
        return desired_state(self, items)

    def item_values(self, item: Mapping[str, Any], option: Callable[[str], str], problems: Problems) -> dict:
        """The declared values of a present item, each field checked; cross-field rules go in an override."""
        values = {}
        for name, field in self.fields.items():
            if item.get(name) is None:
                continue
            checked = problems.check(field.check, option(name), item[name]) if field.check else item[name]
            if checked is not None or field.check is None:
                values[name] = checked
        return values

    def check_key(self, option: str, value: Any) -> Any:
        return value

    def check_desired(self, desired: Mapping[str, Any], problems: Problems) -> None:
        """Rules across the declared items (a parent declared absent under a child declared present, say)."""

    # ---- the server
    def prepare(self, desired: dict[str, Any]) -> None:
        """Reads that turn declared values into the server's terms (feed paths into URLs, say), once per task."""

    def read(self) -> dict[str, dict[str, Any]]:
        raise NotImplementedError

    def plan(self, current: Mapping[str, Any], desired: Mapping[str, Any], purge: bool):
        return plan_items(current, desired, purge, normalizers(self.fields), keep=self.keep(desired))

    def keep(self, desired: Mapping[str, Any]) -> Callable[[str], bool] | None:
        """Items that purge must leave although they are not declared (a declared subcategory's parent, say)."""
        return None

    def removals(self, plan) -> list[str]:
        return list(plan.remove)

    def predicted(self, current: Mapping[str, Any], plan, desired: Mapping[str, Any]) -> Any:
        state = {name: dict(entry) for name, entry in current.items() if name not in plan.remove}
        for name, values in plan.create.items():
            state[name] = {self.key: name, **values}
        for name, changes in plan.update.items():
            state[name].update({field: pair[1] for field, pair in changes.items()})
        return dict(sorted(state.items()))

    def apply(self, plan, current: Mapping[str, Any], desired: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def read_back(self, plan, current: Mapping[str, Any], desired: Mapping[str, Any]) -> Any:
        """The state after the writes, verified (a resource whose server applies writes late polls here)."""
        after = self.read()
        self.verify(after, plan, current, desired)
        return after

    def verify(self, after: Mapping[str, Any], plan, current: Mapping[str, Any], desired: Mapping[str, Any]) -> None:
        """The read-back rule: planning again against the server's new state must find nothing to do."""
        left = self.plan(after, desired, self.task.params.get("purge", False))
        if left:
            raise QbtError(f"{self.list_option}: qBittorrent did not keep what the task declared: {describe(left)}")

    def shown(self, state: Mapping[str, Any]) -> Any:
        return dict(sorted(state.items()))

    def summary(self, plan) -> dict[str, Any]:
        """Result keys besides the items (what was created, say); none by default."""
        return {}

    def diff(self, plan, current: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
        return plan.diff.as_dict()

    def applied(self) -> dict[str, Any]:
        """Result keys known only after the writes (where a moved WebUI answers, say); none by default."""
        return {}


class Setting(Resource):
    """One object of the server (the transfer mode, the preferences) rather than named items: desired and the
    state read are {field: value}, the plan {field: (before, after)} of the declared fields that differ, and
    the result key (list_option) holds the declared fields after the task."""

    def desired(self, single=None, item_options=None):
        """The declared fields, each checked (every problem at once), then the version gates of the fields."""
        problems = Problems()
        desired = self.item_values(self.task.params, lambda name: name, problems)
        problems.raise_any()
        apply_gates(self, {self.list_option: desired})
        return desired

    def plan(self, current, desired, purge=False):
        return differences(current, desired, normalizers(self.fields))

    def predicted(self, current, plan, desired):
        return dict(current, **after_values(plan))

    def verify(self, after, plan, current, desired):
        left = self.plan(after, desired)
        if left:
            kept = "; ".join(
                f"{name}: {pair[1]!r} was declared, the server has {pair[0]!r}" for name, pair in left.items()
            )
            raise QbtError(f"{self.list_option}: qBittorrent did not keep what the task declared: {kept}")

    def shown(self, state):
        return state

    def diff(self, plan, current, desired):
        """Before and after of the declared fields."""
        after = self.predicted(current, plan, desired)
        return {
            "before": {name: current.get(name) for name in desired},
            "after": {name: after.get(name) for name in desired},
        }


def describe(plan) -> str:
    """What a plan still wants, for a message: "'movies': {'save_path': '/a'} -> {'save_path': '/b'}"."""
    diff = plan.diff.as_dict()
    parts = [f"{name!r}: {diff['before'].get(name)!r} -> {after!r}" for name, after in diff["after"].items()]
    return "; ".join(parts)[:1500] or "the state differs"


def declared_items(
    params: Mapping[str, Any],
    list_option: str,
    key: str,
    item_options: Iterable[str],
    single: tuple[dict, Callable[[str], str]] | None = None,
) -> list[tuple[dict, Callable[[str], str]]]:
    """The items a task declares, each with a function that names its options in messages.

    A module takes one item in top-level options or a list of them in LIST_OPTION (each named by KEY). The
    function gives 'save_path' for the top-level form, and 'categories[movies].save_path' for an item of the
    list; SINGLE replaces the top-level item and its function where the top-level options are named differently.
    With the list, ITEM_OPTIONS (state among them) belong in each item.
    """
    if params[list_option] is None:
        if params.get("purge"):
            raise InvalidInput(f"purge: only works with {list_option}, the whole list of them")
        return [single or (dict(params), lambda field: field)]
    stray = [name for name in item_options if name != "state" and params.get(name) is not None]
    if stray or params.get("state", "present") != "present":
        raise InvalidInput(
            f"{', '.join(stray) or 'state'}: with {list_option}, give these options inside each item of the list"
        )
    items = []
    for index, item in enumerate(params[list_option]):
        # An item is named by its key in messages, except its key itself, which may be what is wrong.
        label = item[key] if isinstance(item[key], str) and item[key].isprintable() else index

        def option(field, name=label, index=index):
            return f"{list_option}[{index if field == key else name}].{field}"

        items.append((item, option))
    return items


def desired_state(
    resource: Resource, items: list[tuple[dict, Callable[[str], str]]], problems: Problems | None = None
) -> dict[str, Any]:
    """{name: declared values, or None for state: absent}: every item checked before anything is read, every
    problem of every item in one message, then the version gates of the declared fields."""
    problems = problems or Problems()
    desired: dict[str, Any] = {}
    options: dict[str, Callable[[str], str]] = {}
    for item, option in items:
        name = problems.check(resource.check_key, option(resource.key), item[resource.key])
        values = None if item.get("state", "present") == "absent" else resource.item_values(item, option, problems)
        if name is None:
            continue
        if name in desired:
            problems.add(f"{resource.list_option}: {name!r} is declared more than once; declare each item once")
        desired[name] = values
        options[name] = option
    resource.check_desired(desired, problems)
    problems.raise_any()
    apply_gates(resource, desired)
    paths = [name for name, field in resource.fields.items() if field.check is path]
    refuse_foreign_paths(
        resource.client,
        [(options[key](name), (values or {}).get(name)) for key, values in desired.items() for name in paths],
    )
    return desired


def apply_gates(resource: Resource, desired: Mapping[str, Any]) -> None:
    """Fail, or warn and drop the option, for each declared field the server's version lacks
    (fail_on_unimplemented_endpoint decides, in Client.require)."""
    for name, field in resource.fields.items():
        if not field.needs or not any(values and name in values for values in desired.values()):
            continue
        if not resource.client.require(field.needs, setting=field.label or name):
            for values in desired.values():
                if values:
                    values.pop(name, None)


def guard_purge(resource: Resource, plan, desired: Mapping[str, Any]) -> None:
    """A purge with nothing declared to keep would empty the server: usually a list variable that templated
    to [] by mistake. Refuse it, before any write, unless the task says allow_empty_purge."""
    params = resource.task.params
    if not params.get("purge") or params.get("allow_empty_purge"):
        return
    keeps = [name for name, values in desired.items() if values is not None]
    removed = resource.removals(plan)
    if removed and not keeps:
        raise InvalidInput(
            f"purge: {resource.list_option} declares nothing to keep, so purge would remove every "
            f"{resource.noun} on the server ({len(removed)}: {', '.join(map(repr, removed[:5]))}"
            f"{', ...' if len(removed) > 5 else ''}). If that is what you want, set allow_empty_purge: true; "
            f"otherwise check the variable that fills {resource.list_option}"
        )


def converge(resource: Resource, desired: Mapping[str, Any], result: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read, plan, show, and unless in check mode write and verify; returns the module result."""
    task = resource.task
    if resource.requires and not task.client.require(*resource.requires):
        skipped = dict(result or {}, changed=False, **resource.summary(Plan()))
        skipped[resource.list_option] = resource.shown({})
        return skipped
    resource.prepare(desired)
    current = resource.read()
    plan = resource.plan(current, desired, task.params.get("purge", False))
    guard_purge(resource, plan, desired)
    result = dict(result or {})
    result.update(changed=bool(plan))
    result[resource.list_option] = resource.shown(resource.predicted(current, plan, desired))
    result.update(resource.summary(plan))
    if task.diff:
        result["diff"] = resource.diff(plan, current, desired)
    if task.check_mode or not plan:
        return result
    resource.apply(plan, current, desired)
    result[resource.list_option] = resource.shown(resource.read_back(plan, current, desired))
    result.update(resource.applied())
    return result


def run_resource(task, resource_class: type[Resource], single=None, item_options=None) -> dict[str, Any]:
    """The whole run() of a module that declares named items of one resource, in top-level options or a list.

    ITEM_OPTIONS are the top-level options that belong in each item when the list is used (default: the
    resource's fields); SINGLE is passed to declared_items.
    """
    resource = resource_class(task)
    return converge(resource, resource.desired(single, item_options))


__all__ = [
    "Field",
    "Plan",
    "Resource",
    "Setting",
    "converge",
    "declared_items",
    "desired_state",
    "run_resource",
    "specs",
]
