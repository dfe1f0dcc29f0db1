# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.community.qbittorrent.plugins.module_utils import _webui_change as webui


def test_moved_url():
    current = {"web_ui_port": 8080}
    assert webui.moved_url("http://127.0.0.1:8080/", current, {"web_ui_port": 8081}) == ("http://127.0.0.1:8081/", "")
    assert webui.moved_url("http://127.0.0.1:8080/", current, {"use_https": True}) == ("https://127.0.0.1:8080/", "")
    assert webui.moved_url("https://127.0.0.1:8080/qbt/", current, {"use_https": False, "web_ui_port": 9000}) == (
        "http://127.0.0.1:9000/qbt/",
        "",
    )
    assert webui.moved_url("http://localhost:8080/", current, {"web_ui_address": "*"})[0] == "http://localhost:8080/"
    assert webui.moved_url("http://localhost:8080/", current, {"web_ui_address": "::1"})[0] == "http://[::1]:8080/"
    assert webui.moved_url("http://localhost:8080/", current, {"web_ui_username": "x"})[0] == "http://localhost:8080/"
    url, why = webui.moved_url("http://127.0.0.1:9999/", current, {"web_ui_port": 8081})
    assert url is None and "reverse proxy or a mapped port" in why
    assert webui.reaches_directly("http://qbt.example/", {"web_ui_port": 80})
    assert not webui.reaches_directly("https://qbt.example/", {"web_ui_port": 8080})


def test_describe_endpoint_change_names_the_endpoint_keys_only():
    written = {"web_ui_port": 8081, "use_https": True, "web_ui_password": "secret", "dl_limit": 5}
    assert webui.describe_endpoint_change(written) == "use_https: true, web_ui_port: 8081"
