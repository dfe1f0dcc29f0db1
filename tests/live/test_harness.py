# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Smoke test of tests/harness: every server it started is real, reachable with its credentials, and loopback-only."""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests


def _session(server: dict, tls: dict) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # these machines export REQUESTS_CA_BUNDLE, which would override verify
    session.verify = tls["ca_cert"] if server["https"] else True
    return session


def _login(server: dict, tls: dict, password: str | None = None) -> tuple[requests.Session, requests.Response]:
    session = _session(server, tls)
    resp = session.post(
        f"{server['url']}/api/v2/auth/login",
        data={"username": server["username"], "password": server["password"] if password is None else password},
        timeout=10,
    )
    return session, resp


def _logged_in(server: dict, tls: dict) -> requests.Session:
    session, resp = _login(server, tls)
    assert resp.status_code in (200, 204) and resp.text != "Fails.", (resp.status_code, resp.text)
    return session


def _addr(field: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]:
    """Decode a /proc/net address 'HEXIP:HEXPORT' (IP words in host byte order)."""
    hexip, hexport = field.split(":")
    raw = bytes.fromhex(hexip)
    raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return ipaddress.ip_address(raw), int(hexport, 16)


def _inet_sockets(pid: int) -> list[tuple[str, tuple, tuple]]:
    """The (kind, local, remote) of every TCP/UDP socket that PID holds, read from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            match = re.fullmatch(r"socket:\[(\d+)\]", os.readlink(fd))
        except OSError:
            continue
        if match:
            inodes.add(match.group(1))
    found = []
    for kind in ("tcp", "tcp6", "udp", "udp6"):
        for line in Path(f"/proc/net/{kind}").read_text(encoding="ascii").splitlines()[1:]:
            cols = line.split()
            if cols[9] in inodes:
                found.append((kind, _addr(cols[1]), _addr(cols[2])))
    return found


def _is_loopback(ip) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def test_process_is_the_listed_server(server):
    cmdline = Path(f"/proc/{server['pid']}/cmdline").read_bytes().decode()
    assert "qbittorrent-nox" in cmdline
    assert f"--profile={server['profile']}" in cmdline


def test_sockets_are_loopback_only(server):
    sockets = _inet_sockets(server["pid"])
    port = urlsplit(server["url"]).port
    assert any(kind == "tcp" and local == (ipaddress.ip_address("127.0.0.1"), port) for kind, local, _remote in sockets)
    for kind, (local_ip, _port), (remote_ip, _remote_port) in sockets:
        assert _is_loopback(local_ip), f"{kind} socket bound to {local_ip}"
        assert remote_ip.is_unspecified or _is_loopback(remote_ip), f"{kind} socket connected to {remote_ip}"


@pytest.mark.parametrize("family, host", [(socket.AF_INET, "127.0.0.2"), (socket.AF_INET6, "::1")])
def test_webui_answers_only_on_127_0_0_1(server, family, host):
    assert urlsplit(server["url"]).hostname == "127.0.0.1"
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        with pytest.raises(OSError):
            sock.connect((host, urlsplit(server["url"]).port))


def test_without_a_session_the_api_is_forbidden(server, harness_state):
    resp = _session(server, harness_state["tls"]).get(f"{server['url']}/api/v2/app/preferences", timeout=10)
    assert resp.status_code == 403


def test_login_with_the_password(server, harness_state):
    session = _logged_in(server, harness_state["tls"])
    assert session.cookies, "login set no session cookie"
    resp = session.get(f"{server['url']}/api/v2/app/version", timeout=10)
    assert resp.status_code == 200 and resp.text.strip() == server["app_version"]
    resp = session.get(f"{server['url']}/api/v2/app/webapiVersion", timeout=10)
    assert resp.text.strip() == server["webapi_version"]
    assert server["app_version"].lstrip("v").startswith(server["version"])


def test_wrong_passwords_do_not_ban(server, harness_state):
    for _attempt in range(6):  # one more than qBittorrent's default MaxAuthenticationFailCount
        _session_unused, resp = _login(server, harness_state["tls"], password="wrong")
        assert resp.status_code == 401 or resp.text == "Fails.", (resp.status_code, resp.text)
    _logged_in(server, harness_state["tls"])


def test_preferences_are_locked_down(server, harness_state):
    session = _logged_in(server, harness_state["tls"])
    prefs = session.get(f"{server['url']}/api/v2/app/preferences", timeout=10).json()
    assert (prefs["dht"], prefs["lsd"], prefs["pex"]) == (False, False, False)
    assert prefs["upnp"] is False and prefs["web_ui_upnp"] is False
    assert prefs["web_ui_address"] == "127.0.0.1"
    assert prefs["current_network_interface"] == "lo"
    assert prefs["current_interface_address"] == "127.0.0.1"
    assert prefs["anonymous_mode"] is True
    assert prefs["web_ui_max_auth_fail_count"] == 0
    assert prefs["use_https"] is server["https"]
    assert prefs["save_path"].rstrip("/") == server["download_dir"]


def test_download_dir_is_inside_the_workdir(server):
    download_dir = Path(server["download_dir"])
    assert download_dir.is_absolute() and download_dir.is_dir()
    assert Path(server["workdir"]) in download_dir.parents


def test_api_key(server, harness_state):
    major_minor = tuple(int(n) for n in server["webapi_version"].split(".")[:2])
    if major_minor < (2, 15):
        assert server["api_key"] is None
        return
    assert re.fullmatch(r"qbt_[A-Za-z0-9]{28}", server["api_key"])
    session = _session(server, harness_state["tls"])
    url = f"{server['url']}/api/v2/app/version"
    resp = session.get(url, headers={"Authorization": f"Bearer {server['api_key']}"}, timeout=10)
    assert resp.status_code == 200 and resp.text.strip() == server["app_version"]
    resp = session.get(url, headers={"Authorization": "Bearer qbt_" + "x" * 28}, timeout=10)
    assert resp.status_code == 403


def test_https_server_trusts_only_the_private_ca(servers, harness_state):
    secure = [s for s in servers if s["https"]]
    if not secure:
        pytest.skip("no HTTPS server was started (harness start --https)")
    tls = harness_state["tls"]
    for key in ("ca_cert", "server_cert", "server_key", "self_signed_cert", "self_signed_key"):
        assert Path(tls[key]).is_file(), key
    for server in secure:
        assert server["name"] == "qbt_sid_https" and server["url"].startswith("https://127.0.0.1:")
        assert _session(server, tls).get(f"{server['url']}/api/v2/app/version", timeout=10).status_code == 403
        other = requests.Session()
        other.trust_env = False
        with pytest.raises(requests.exceptions.SSLError):
            other.get(f"{server['url']}/api/v2/app/version", verify=tls["self_signed_cert"], timeout=10)
        localhost = server["url"].replace("127.0.0.1", "localhost")
        assert _session(server, tls).get(f"{localhost}/api/v2/app/version", timeout=10).status_code == 403


def test_counting_proxy_forwards(server):
    if not server.get("proxy_url"):
        pytest.skip("no counting proxy in front of this server (harness start --proxies)")
    session = requests.Session()
    session.trust_env = False
    assert session.post(f"{server['proxy_url']}__proxy__/reset", timeout=10).status_code == 200
    resp = session.get(f"{server['proxy_url']}api/v2/app/version", timeout=10)
    assert resp.status_code == 403  # forwarded: the server wants a session
    report = session.get(f"{server['proxy_url']}__proxy__/counts", timeout=10).json()
    assert report["counts"] == {"GET app/version": 1}
