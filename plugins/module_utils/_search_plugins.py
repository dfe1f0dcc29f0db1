# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Search plugins (qbt_search_plugin): the server's nova3 search engines, installed from a URL or a server file.

Server facts (src/webui/api/searchcontroller.cpp: pluginsAction, installPluginAction, uninstallPluginAction,
enablePluginAction; src/base/search/searchpluginmanager.cpp, SearchPluginManager):

* search/plugins lists name, version, fullName, url, supportedCategories and enabled; never where a plugin came
  from, so a plugin is identified by its name alone.
* installPlugin takes a '|'-separated list of sources (http(s) URLs, or files on the server ending in .py) and
  answers at once; the file is downloaded (pluginDownloadFinished) and checked by running nova2.py --capabilities
  with Python (update) later. A plugin is named after its file (installPlugin, pluginDownloadFinished), and one
  whose version is not newer than the installed one is refused (installPlugin_impl). Failures reach no API: only
  the log says some of them, so the module polls search/plugins until the plugin appears.
* Python is found once through the python_executable_path preference (5.0+) or PATH (python3, python), with a
  minimum version per release (src/base/utils/foreignapps.cpp, pythonInfo); without it no plugin is ever listed
  and the log says "Python not detected" (4.x) or "Failed to find Python executable" (5.x).
* uninstallPlugin and enablePlugin take a '|'-separated list of names; the disabled list outlives an uninstall
  (enablePlugin keeps it in the preferences), so a plugin installed again may come back disabled.
* search/updatePlugins is never sent: it makes qBittorrent fetch plugin updates from the internet.
"""

from __future__ import annotations

import re
import time
from typing import Any

from . import _fields
from ._client import mask_url
from ._connection import url_secrets
from ._diff import plan_items
from ._engine import Field, Resource, normalizers
from ._errors import InvalidInput, QbtError, UnexpectedResponse

INSTALL_WAIT = 30.0  # seconds: a download plus one run of nova2.py --capabilities
POLL = 0.25
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # nova2.py imports engines.<name>
_VERSION = re.compile(r"^\s*(\d+)(?:\.(\d+))?\s*$")
# Log lines of Utils::ForeignApps::pythonInfo (src/base/utils/foreignapps.cpp) at 4.5.2, 5.1.0 and 5.3.0.
_PYTHON_BAD = ("Python not detected", "Failed to find Python executable", "Python failed to meet minimum version")
_PYTHON_GOOD = ("Python detected", "Found Python executable")
# Log lines of SearchPluginManager::update and installPlugin_impl (5.x).
_PLUGIN_LOG = ("Error occurred when fetching search engine capabilities", "Search plugin installation failed")


def check_name(option: str, value: Any) -> str:
    _fields.text(option, value, "search plugin name")
    if not _NAME.match(value):
        raise InvalidInput(
            f"{option}: {value!r} is not a search plugin name: qBittorrent names a plugin after its file "
            "(name.py) and imports it as a Python module, so use letters, digits and '_' only"
        )
    return value


def check_source(option: str, value: Any) -> str:
    """An http(s) URL or an absolute path on the server, of a .py file ('|' separates sources in installPlugin)."""
    if isinstance(value, str) and "|" in value:
        raise InvalidInput(f"{option}: {value!r} contains '|', which qBittorrent reads as a list separator")
    if isinstance(value, str) and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value):
        _fields.url(option, value, "plugin URL")
        if not value.lower().startswith(("http://", "https://")):
            raise InvalidInput(f"{option}: {value!r}: qBittorrent downloads plugins over http:// or https:// only")
        return value
    return _fields.path(option, value)


def normalize_version(value: Any) -> Any:
    """'1.00' and '1' as qBittorrent shows them (SearchPluginVersion, Utils::Version<2>::toString): '1.0'."""
    found = _VERSION.match(str(value)) if value is not None else None
    return f"{int(found.group(1))}.{int(found.group(2) or 0)}" if found else value


def check_version(option: str, value: Any) -> str:
    if not _VERSION.match(str(value)):
        raise InvalidInput(f"{option}: {value!r} is not a plugin version; give it as in the file's #VERSION: line, 1.2")
    return normalize_version(value)


def file_stem(source: str) -> str:
    """The plugin name qBittorrent gives a source: its file name without the extension."""
    path = re.sub(r"[?#].*$", "", source) if "://" in source else source
    last = re.split(r"[\\/]", path.rstrip("/\\"))[-1]
    return last[: -len(".py")] if last.lower().endswith(".py") else last


FIELDS = {
    "source": Field({"type": "str"}, check_source),
    "enabled": Field({"type": "bool"}),
    "version": Field({"type": "str"}, check_version, normalize_version),
}


def read(client) -> dict[str, dict[str, Any]]:
    """The server's search plugins by name, in the module's names (qbt_search_plugin and qbt_info)."""
    answer = client.get_json("search/plugins")
    if not isinstance(answer, list) or not all(isinstance(entry, dict) and "name" in entry for entry in answer):
        raise UnexpectedResponse(f"search/plugins answered JSON that qBittorrent does not send: {str(answer)[:120]}")
    plugins = {}
    for entry in answer:
        categories = [c.get("id") if isinstance(c, dict) else c for c in entry.get("supportedCategories") or []]
        plugins[entry["name"]] = {
            "name": entry["name"],
            "enabled": bool(entry.get("enabled")),
            "version": normalize_version(entry.get("version")),
            "full_name": entry.get("fullName"),
            "url": entry.get("url"),
            "supported_categories": categories,
        }
    return plugins


class SearchPlugins(Resource):
    list_option = "plugins"
    noun = "search plugin"
    fields = FIELDS
    requires = ("search/plugins", "search plugins")

    def check_key(self, option, value):
        return check_name(option, value)

    def item_values(self, item, option, problems):
        values = super().item_values(item, option, problems)
        source = values.get("source")
        if source:
            for secret in url_secrets(source):
                self.task.no_log(secret)
            if not source.lower().endswith(".py") and "://" not in source:
                problems.add(f"{option('source')}: {source!r} is not a .py file; qBittorrent installs only .py plugins")
            elif file_stem(source) != item[self.key]:
                problems.add(
                    f"{option('source')}: qBittorrent names the plugin after its file, so {source!r} would install "
                    f"{file_stem(source)!r}, not {item[self.key]!r}; rename the file or the plugin"
                )
        return values

    def read(self):
        return read(self.client)

    def plan(self, current, desired, purge):
        # The server never reports a plugin's source: it is what an install sends, never compared.
        compared = {name: _without_source(values) for name, values in desired.items()}
        plan = plan_items(current, compared, purge, normalizers(self.fields))
        for name in plan.create:
            plan.create[name] = dict(desired[name])
            plan.diff.created(name, desired[name])
        for name, values in list(plan.create.items()) + [
            (n, desired[n]) for n in plan.update if "version" in plan.update[n]
        ]:
            if not values.get("source"):
                what = "install it" if name in plan.create else "install the declared version"
                raise InvalidInput(
                    f"{self.list_option}[{name}].source: needed to {what}; give the plugin's URL or file"
                )
        return plan

    def predicted(self, current, plan, desired):
        state = super().predicted(current, plan, desired)
        for name in plan.create:
            state[name] = {**_without_source(state[name]), "enabled": state[name].get("enabled", True)}
        return state

    def apply(self, plan, current, desired):
        if plan.remove:
            self.client.post("search/uninstallPlugin", {"names": "|".join(sorted(plan.remove))})
        installs = dict(plan.create)
        for name, changes in plan.update.items():
            if "version" in changes:
                installs[name] = desired[name]
                before, after = (normalize_version(v) for v in changes["version"])
                if _version_key(after) <= _version_key(before):
                    # installPlugin_impl refuses a version that is not newer than the installed one.
                    self.client.post("search/uninstallPlugin", {"names": name})
        if installs:
            self.install(installs)
        after = self.read() if installs else current
        for enable in (True, False):
            names = sorted(
                name
                for name, values in desired.items()
                if values and values.get("enabled") is enable and name in after and after[name]["enabled"] is not enable
            )
            if names:
                self.client.post("search/enablePlugin", {"names": "|".join(names), "enable": enable})

    def install(self, installs):
        """installPlugin, then search/plugins until every plugin is there (in its declared version), or fail.

        The log lines written after the request tell why an install failed (see log_reasons): a missing Python
        ends the wait early."""
        mark = self.log_mark()
        sources = "|".join(values["source"] for values in installs.values())
        self.client.post("search/installPlugin", {"sources": sources})
        start = time.monotonic()
        next_look = start + 1.0
        while True:
            plugins = self.read()
            missing = [
                name
                for name, values in installs.items()
                if name not in plugins
                or ("version" in values and normalize_version(values["version"]) != plugins[name]["version"])
            ]
            now = time.monotonic()
            if not missing or now > start + INSTALL_WAIT:
                break
            if now >= next_look:
                next_look = now + 2.0
                if self.log_reasons(mark)[0]:
                    break
            time.sleep(POLL)
        if missing:
            raise QbtError(self.install_failure(missing, installs, plugins, mark))

    def log_mark(self):
        """The id of the newest log line (log/main), so that only later lines are read after an install."""
        try:
            entries = self.client.get_json("log/main")
            return max((entry.get("id", -1) for entry in entries if isinstance(entry, dict)), default=-1)
        except (QbtError, AttributeError, TypeError, ValueError):
            return -1

    def install_failure(self, missing, installs, plugins, mark):
        shown = ", ".join(f"{name!r} from {_shown(installs[name]['source'])}" for name in missing)
        message = f"plugins: qBittorrent did not install the search plugin {shown} within {INSTALL_WAIT:g} s"
        wrong = [n for n in missing if n in plugins]
        if wrong:
            message += "; " + ", ".join(f"{n!r} is at version {plugins[n]['version']}" for n in wrong)
        python, plugin_log = self.log_reasons(mark)
        if python:
            return (
                f"{message}. The server has no usable Python, which qBittorrent needs to run search plugins; its "
                f"log says: {' / '.join(python)}. Install Python on the qBittorrent server (a recent one: 5.3 asks "
                "for 3.13 or later), or point the python_executable_path preference at it (qBittorrent 5.0 and "
                "later, community.qbittorrent.qbt_preferences), then run the task again"
            )
        if plugin_log:
            message += f". qBittorrent's log says: {' / '.join(plugin_log)}"
        return (
            f"{message}. Check that the file is a valid nova3 search plugin (a class with url, name, "
            "supported_categories and search()) whose #VERSION: line matches any declared version, that the server "
            "can reach the URL (qBittorrent downloads it itself) or read the file, and that Python is installed "
            "on the server"
        )

    def log_reasons(self, mark):
        """(Python problems, plugin problems) in qBittorrent's log lines after MARK (English servers only)."""
        try:
            entries = self.client.get_json("log/main", {"last_known_id": mark})
            lines = [str(entry.get("message", "")) for entry in entries[-200:]]
        except (QbtError, AttributeError, TypeError):
            return [], []
        python = []
        for line in reversed(lines):
            if line.startswith(_PYTHON_GOOD):
                break
            if line.startswith(_PYTHON_BAD) and line not in python:
                python.insert(0, line[:300].rstrip("."))
        plugin_log = [line[:300].rstrip(".") for line in lines if line.startswith(_PLUGIN_LOG)][-2:]
        return python[-3:], plugin_log


def _without_source(values):
    return None if values is None else {key: value for key, value in values.items() if key != "source"}


def _version_key(version):
    found = _VERSION.match(str(version or ""))
    return (int(found.group(1)), int(found.group(2) or 0)) if found else (0, 0)


def _shown(source):
    return mask_url(source) if "://" in source else source
