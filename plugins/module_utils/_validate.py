# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks shared by modules; each raises InvalidInput naming the option, the value and what to do."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ._errors import InvalidInput

_WINDOWS_ABSOLUTE = re.compile(r"^([A-Za-z]:[\\/]|\\\\)")


def absolute_path(option: str, value: Any) -> Any:
    """A path on the qBittorrent server must be absolute: a relative one resolves against the server's working
    directory (setLocation moves data there), which is never what a playbook means."""
    if value in (None, ""):
        return value
    if not isinstance(value, str) or not (value.startswith("/") or _WINDOWS_ABSOLUTE.match(value)):
        raise InvalidInput(
            f"{option}: {value!r} is not an absolute path. Give the full path on the qBittorrent server, "
            "such as /downloads/movies (or C:\\Downloads on Windows)"
        )
    return value


def category_name(option: str, name: Any) -> str:
    """qBittorrent's rule (Session::isValidCategoryName): not empty, no backslash, '/' only between parts."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"{option}: a category name cannot be empty")
    problem = None
    if "\\" in name:
        problem = "contains a backslash"
    elif name.startswith("/") or name.endswith("/"):
        problem = "starts or ends with '/'"
    elif "//" in name:
        problem = "contains '//'"
    if problem:
        raise InvalidInput(
            f"{option}: the category name {name!r} {problem}. Use '/' only between the parts of a subcategory, "
            "as in movies/hd"
        )
    return name


def tag_name(option: str, tag: Any) -> str:
    """qBittorrent trims tags and refuses empty ones and ones with a comma (the list separator)."""
    text = str(tag).strip() if tag is not None else ""
    if not text:
        raise InvalidInput(f"{option}: a tag cannot be empty or only spaces")
    if "," in text:
        raise InvalidInput(f"{option}: the tag {text!r} contains a comma, which qBittorrent uses to separate tags")
    return text


def unique(option: str, names: Iterable[str]) -> None:
    """Fail on the first name that appears twice in a list of items."""
    seen = set()
    for name in names:
        if name in seen:
            raise InvalidInput(f"{option}: {name!r} is declared more than once; declare each item once")
        seen.add(name)


def declared_items(
    params: dict,
    list_option: str,
    key: str,
    item_options: Iterable[str],
    check_key: Callable[[str, Any], Any],
    single: tuple[dict, Callable[[str], str]] | None = None,
) -> list[tuple[dict, Callable[[str], str]]]:
    """The items a task declares, each with a function that names its options in messages.

    A module takes one item in top-level options or a list of them in LIST_OPTION (each item named by KEY, checked
    by CHECK_KEY, declared once). The function gives 'save_path' for the top-level form, and
    'categories[movies].save_path' for an item of the list; SINGLE replaces the top-level item and its function
    where the top-level options are named differently. With the list, ITEM_OPTIONS (state among them) belong in
    each item.
    """
    if params[list_option] is None:
        if params.get("purge"):
            raise InvalidInput(f"purge: only works with {list_option}, the whole list of them")
        return [single or (dict(params), lambda field: field)]
    stray = [name for name in item_options if name != "state" and params[name] is not None]
    if stray or params["state"] != "present":
        raise InvalidInput(
            f"{', '.join(stray) or 'state'}: with {list_option}, give these options inside each item of the list"
        )
    items = []
    for index, item in enumerate(params[list_option]):
        check_key(f"{list_option}[{index}].{key}", item[key])
        items.append((item, lambda field, name=item[key]: f"{list_option}[{name}].{field}"))
    unique(list_option, [item[key] for item, _option in items])
    return items
