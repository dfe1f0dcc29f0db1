# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Categories: how qBittorrent keeps them, and how qbt_category, qbt_torrent and qbt_info read and write them.

Server facts (src/webui/api/torrentscontroller.cpp: categoriesAction, createCategoryAction, editCategoryAction,
removeCategoriesAction):

* torrents/categories names the save path 'savePath' (4.4.0 wrote 'save_path'); download_path is absent before
  4.4, null when the category follows the global setting, false when it is off, and a path when it is on.
* editCategory replaces every option of the category: fields it is not sent are reset (up to 5.2), so an edit
  sends the current value of every option the task did not declare.
* Share limits: 5.2.x reports ratio_limit, seeding_time_limit, inactive_seeding_time_limit and share_limit_action
  (src/base/bittorrent/categoryoptions.cpp, CategoryOptions::toJSON) but its editCategory takes none and starts from
  a default CategoryOptions, so every edit resets them (release-5.2.0, src/webui/api/torrentscontroller.cpp,
  TorrentsController::editCategoryAction; qBittorrent issue 24787). 5.3.0 takes ratioLimit, seedingTimeLimit,
  inactiveSeedingTimeLimit and shareLimitAction in createCategory and editCategory, and keeps those an edit omits
  (observed on 5.3.0).
* removeCategories takes a newline-separated list, which is why names with control characters are refused.
"""

from __future__ import annotations

from typing import Any

from . import _fields
from ._engine import Field, Resource
from ._errors import Conflict, InvalidInput, NotFound
from ._torrent_fields import PARAMETERS

FIELDS = {
    "save_path": Field({"type": "str"}, _fields.path, _fields.normalize_path),
    "download_path": Field(
        {"type": "str"},
        _fields.path,
        _fields.normalize_path,
        needs="category_download_path",
        label="download_path of a category",
    ),
    "download_path_enabled": Field(
        {"type": "bool"}, needs="category_download_path", label="download_path_enabled of a category"
    ),
}
# option -> (createCategory/editCategory field, the server's default: src/base/bittorrent/sharelimits.h,
# DEFAULT_RATIO_LIMIT and DEFAULT_SEEDING_TIME_LIMIT are -2, "follow the global limit").
SHARE_LIMITS = {
    "ratio_limit": ("ratioLimit", -2),
    "seeding_time_limit": ("seedingTimeLimit", -2),
    "inactive_seeding_time_limit": ("inactiveSeedingTimeLimit", -2),
    "share_limit_action": ("shareLimitAction", "Default"),
}
# The same option names and value rules as qbt_torrent's (_torrent_fields.PARAMETERS), from 5.3.0 on.
FIELDS.update(
    {
        name: Field(
            PARAMETERS[name].spec,
            PARAMETERS[name].check,
            PARAMETERS[name].normalize,
            needs="category_share_limits",
            label=f"{name} of a category",
        )
        for name in SHARE_LIMITS
    }
)


def read(client) -> dict[str, dict[str, Any]]:
    """The server's categories as {name: {'name', 'save_path', 'download_path', ...}}, one shape for every version.

    Share limits (5.2+) are kept as the server names them.
    """
    result = {}
    for name, entry in client.get_json("torrents/categories").items():
        entry = dict(entry)
        save_path = entry.pop("savePath", entry.pop("save_path", ""))
        entry.pop("name", None)
        result[name] = {"name": name, "save_path": save_path, "download_path": entry.pop("download_path", None)}
        result[name].update(entry)
    return result


def create(client, name: str, fields: dict[str, Any] | None = None) -> bool:
    """createCategory; False when the category exists already (another task or fork made it first: the caller
    re-reads and converges from there)."""
    try:
        client.post("torrents/createCategory", {"category": name, **(fields or {})})
    except Conflict:
        return False
    return True


def edit(client, fields: dict[str, Any]) -> bool:
    """POST torrents/editCategory; True when the server changed something.

    Up to 5.1 the server answers 409 both for "nothing changed" and for "no such category"; 5.2+ answers 200
    for no change and 404 for a missing category. Both are told apart here, with one read where needed.
    """
    try:
        client.post("torrents/editCategory", fields)
    except Conflict as exc:
        if client.supports("editcategory_unchanged_ok"):
            raise
        if fields["category"] in read(client):
            return False
        raise NotFound(f"the category {fields['category']!r} does not exist", 404, exc.endpoint, exc.body) from exc
    return True


class Categories(Resource):
    list_option = "categories"
    noun = "category"
    fields = FIELDS

    def check_key(self, option, value):
        return _fields.category_name(option, value)

    def item_values(self, item, option, problems):
        values = super().item_values(item, option, problems)
        enabled = values.pop("download_path_enabled", None)
        path = values.get("download_path")
        if enabled is True and not path:
            problems.add(f"{option('download_path_enabled')}: it is true but no download_path is given")
        elif enabled is False and path:
            problems.add(f"{option('download_path')}: it is given but download_path_enabled is false")
        elif enabled is False:
            values["download_path"] = False
        elif path == "":
            values["download_path"] = None  # '' declares "follow the global setting"
        return values

    def check_desired(self, desired, problems):
        # qBittorrent creates a subcategory's parent with it and removes subcategories with their parent
        # (src/base/bittorrent/sessionimpl.cpp: SessionImpl::addCategory, removeCategory), so a parent declared
        # absent with a child declared present could never converge.
        for name, values in desired.items():
            if values is None:
                for child in sorted(
                    other for other in desired if other.startswith(name + "/") and desired[other] is not None
                ):
                    problems.add(
                        f"categories: {child!r} is declared present, but {name!r} above it is declared absent; "
                        "qBittorrent keeps a subcategory's parent, so declare the parent present (or the child absent)"
                    )

    def read(self):
        current = read(self.client)
        if not self.client.supports("category_download_path"):
            for entry in current.values():
                entry.pop("download_path", None)
        return current

    def plan(self, current, desired, purge):
        plan = super().plan(current, desired, purge)
        if plan.update and not self.client.supports("category_share_limits"):
            self.refuse_limit_reset(plan, current)
        return plan

    def refuse_limit_reset(self, plan, current):
        """On 5.2.x every editCategory resets the category's share limits (see the module docstring): refuse,
        before anything is sent, an edit that would lose limits the task did not ask about."""
        for name in plan.update:
            lost = {
                option: current[name][option]
                for option, (_field, default) in SHARE_LIMITS.items()
                if current[name].get(option, default) != default
            }
            if lost:
                raise InvalidInput(
                    f"categories: editing the category {name!r} would reset its share limits {lost} to the global "
                    f"ones, because this server (WebAPI {self.client.webapi_version}, qBittorrent 5.2) resets a "
                    "category's share limits on every edit and takes no limits to send back (qBittorrent issue "
                    "24787). Nothing was sent. Upgrade qBittorrent to 5.3.0 or later, which keeps them; or set the "
                    "category's share limits back to the global ones in the WebUI, run the task, and set the limits "
                    "again in the WebUI after the edit"
                )

    def keep(self, desired):
        # purge keeps the parents of declared subcategories: qBittorrent creates them with the child
        parents = {
            "/".join(name.split("/")[:depth])
            for name in desired
            if desired[name] is not None
            for depth in range(1, name.count("/") + 1)
        }
        return parents.__contains__

    def predicted(self, current, plan, desired):
        state = super().predicted(current, plan, desired)
        for name in plan.create:
            state[name] = {"name": name, "save_path": "", "download_path": None, **state[name]}
        return state

    def apply(self, plan, current, desired):
        for name, values in plan.create.items():
            if not create(self.client, name, self.write_fields(name, values, None)):
                # Made in the meantime by someone else: make it what the task declares.
                edit(self.client, self.write_fields(name, values, read(self.client).get(name)))
        for name, changes in plan.update.items():
            values = {key: pair[1] for key, pair in changes.items()}
            edit(self.client, self.write_fields(name, values, current[name]))
        if plan.remove:
            self.client.post("torrents/removeCategories", {"categories": "\n".join(plan.remove)})

    def write_fields(self, name, values, current):
        """createCategory/editCategory fields: the declared values over the current ones, so that an edit keeps
        every option the task did not declare."""
        merged = dict(current or {}, **values)
        fields = {"category": name, "savePath": merged.get("save_path") or ""}
        # Only the declared limits: 5.3.0 keeps those an edit omits (and the gate dropped them on older servers).
        fields.update({SHARE_LIMITS[option][0]: values[option] for option in SHARE_LIMITS if option in values})
        if not self.client.supports("category_download_path"):
            return fields
        download_path = merged.get("download_path")
        if download_path is None:
            # An empty value means "follow the global setting" on every version; 5.3 keeps the current setting
            # when the field is missing, while older releases reset it (checked on 4.5.2, 5.1.0, 5.3.0).
            fields["downloadPathEnabled"] = ""
        else:
            fields["downloadPathEnabled"] = download_path is not False
            if download_path:
                fields["downloadPath"] = download_path
        return fields
