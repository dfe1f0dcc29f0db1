# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Baseline 2 of the benchmark, the HTTP floor: the least HTTP work that reaches the scenario's end state, in one
Python process with requests.

One read per kind of state, then only the writes that are missing, each as wide as the API allows (one
createTags, one setPreferences, one torrents/add per set of identical add options with all its files), no
read-back, log in once and out once. The torrents' info hashes come from the manifest bench.py wrote when it built
them, so this process does not even parse .torrent files. Its wall time, measured by bench.py around the whole
process, includes the interpreter's start and `import requests`.

    python3 http_floor.py CONNECTION.json SCENARIO.json HASHES.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import requests


def main() -> int:
    conn, scenario, hashes = (json.loads(Path(arg).read_text(encoding="utf-8")) for arg in sys.argv[1:4])
    api = conn["qbt_url"].rstrip("/") + "/api/v2/"
    session = requests.Session()
    session.trust_env = False
    if conn.get("qbt_api_key"):
        session.headers["Authorization"] = f"Bearer {conn['qbt_api_key']}"
    else:
        login = session.post(
            api + "auth/login", data={"username": conn["qbt_username"], "password": conn["qbt_password"]}
        )
        if login.status_code not in (200, 204) or login.text.strip() == "Fails.":
            raise SystemExit(f"login failed: {login.status_code} {login.text!r}")

    def call(method: str, endpoint: str, **kwargs):
        answer = session.request(method, api + endpoint, timeout=60, **kwargs)
        answer.raise_for_status()
        return answer

    categories = call("GET", "torrents/categories").json()
    for item in scenario.get("qbt_categories", []):
        have = categories.get(item["name"])
        if have is None:
            call("POST", "torrents/createCategory", data={"category": item["name"], "savePath": item["save_path"]})
        elif have.get("savePath", "").rstrip("/") != item["save_path"].rstrip("/"):
            call("POST", "torrents/editCategory", data={"category": item["name"], "savePath": item["save_path"]})

    if scenario.get("qbt_tags"):
        tags = set(call("GET", "torrents/tags").json())
        missing = [tag for tag in scenario["qbt_tags"] if tag not in tags]
        if missing:
            call("POST", "torrents/createTags", data={"tags": ",".join(missing)})

    if scenario.get("qbt_preferences"):
        current = call("GET", "app/preferences").json()
        changes = {key: value for key, value in scenario["qbt_preferences"].items() if current.get(key) != value}
        if changes:
            call("POST", "app/setPreferences", data={"json": json.dumps(changes)})

    present = {entry["hash"] for entry in call("GET", "torrents/info").json()}
    groups: dict[tuple, list[str]] = {}
    for item in scenario.get("qbt_torrents", []):
        if hashes[item["source"]] not in present:
            key = (item["save_path"], item.get("category", ""), ",".join(item.get("tags", [])))
            groups.setdefault(key, []).append(item["source"])
    for (save_path, category, tags), sources in groups.items():
        files = [
            ("torrents", (Path(source).name, Path(source).read_bytes(), "application/x-bittorrent"))
            for source in sources
        ]
        fields = {"savepath": save_path, "category": category, "tags": tags}
        call("POST", "torrents/add", data={key: value for key, value in fields.items() if value}, files=files)

    if not conn.get("qbt_api_key"):
        call("POST", "auth/logout")
    return 0


if __name__ == "__main__":
    sys.exit(main())
