# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that knows how to get and start real qBittorrent servers for tests, demos and benchmarks.

Pure standard library. Every server gets a profile locked to loopback before its first start
(docs/dev/test-servers.md): no traffic may leave 127.0.0.0/8.

CLI::

    python3 tests/harness/qbt_harness.py fetch [--versions 4.2.5,4.5.2,5.1.0,sid]
    python3 tests/harness/qbt_harness.py start --state DIR [--versions ...] [--https] [--proxies]
    python3 tests/harness/qbt_harness.py stop --state DIR

`start` writes DIR/servers.json (urls, credentials, API keys, pids, work dirs) and prints no secret.
Cached builds live in ~/.cache/community.qbittorrent/builds/<version>/; delete one to fetch it again.
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import hashlib
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VERSIONS = ("4.2.5", "4.5.2", "5.1.0", "sid")
SUITES = {"4.2.5": "bullseye", "5.1.0": "trixie", "sid": "sid"}
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "community.qbittorrent"
BUILDS = CACHE / "builds"
MARKER = ".complete.json"
SYSTEM_BINARY = Path("/usr/bin/qbittorrent-nox")
APT_ENV = dict(os.environ, DEBIAN_FRONTEND="noninteractive", LC_ALL="C")
POLL = 0.05
START_TIMEOUT = 30.0
ALNUM = string.ascii_letters + string.digits
# Written into every profile before its first start: no traffic may leave 127.0.0.0/8
# (docs/dev/test-servers.md, the table of profile keys). Server.config refuses extra keys that change these.
LOOPBACK_LOCK = {
    "LegalNotice": {"Accepted": "true"},
    "BitTorrent": {
        "Session\\DHTEnabled": "false",
        "Session\\LSDEnabled": "false",
        "Session\\PeXEnabled": "false",
        "Session\\Interface": "lo",
        "Session\\InterfaceName": "lo",
        "Session\\InterfaceAddress": "127.0.0.1",
        "Session\\AnonymousModeEnabled": "true",
        "Session\\QueueingSystemEnabled": "false",
        "Session\\AddTrackersEnabled": "false",
    },
    "Network": {"PortForwardingEnabled": "false"},
    "Preferences": {
        "Connection\\ResolvePeerCountries": "false",
        "Connection\\UPnP": "false",
        "WebUI\\Address": "127.0.0.1",
        "WebUI\\UseUPnP": "false",
    },
}
# Up to 4.3, SettingsStorage stored many settings under their pre-4.0 names (mapKey in src/base/settingsstorage.cpp
# of release-4.2.5 and 4.3.x: BitTorrent/Session/DHTEnabled is read from Preferences/Bittorrent/DHT, and so on), so
# those servers ignore the [BitTorrent] keys above. Written too for builds older than 4.4 (from 4.4 on,
# migrateSettingKeys in src/app/upgrade.cpp moves these names to the new ones once).
LEGACY_LOOPBACK_LOCK = {
    "Preferences": {
        "Bittorrent\\DHT": "false",
        "Bittorrent\\LSD": "false",
        "Bittorrent\\PeX": "false",
        "Bittorrent\\AddTrackers": "false",
        "Connection\\Interface": "lo",
        "Connection\\InterfaceName": "lo",
        "Connection\\InterfaceAddress": "127.0.0.1",
        "Advanced\\AnonymousMode": "true",
        "Queueing\\QueueingEnabled": "false",
    },
}
LEGACY_KEYS_BEFORE = (4, 4)


def log(msg: str) -> None:
    """Progress goes to stderr so stdout stays machine-readable."""
    print(f"[qbt_harness] {msg}", file=sys.stderr, flush=True)


def upstream_version(deb_version: str) -> str:
    """'1:5.1.0-1+b2' -> '5.1.0'."""
    return deb_version.split(":", 1)[-1].rsplit("-", 1)[0]


@dataclass
class Build:
    """A runnable qbittorrent-nox: the system one (root None) or one unpacked into a private root."""

    name: str
    deb_version: str
    root: Path | None = None

    @property
    def version(self) -> str:
        """The upstream version, e.g. '5.1.0'."""
        return upstream_version(self.deb_version)

    def command(self, args: list[str]) -> tuple[list[str], dict[str, str]]:
        """The argv and environment that start this build with ARGS."""
        env = dict(os.environ)
        if self.root is None:
            return [str(SYSTEM_BINARY), *args], env
        lib = self.root / "usr/lib/x86_64-linux-gnu"
        base = self.root / "lib/x86_64-linux-gnu"
        if (base / "ld-linux-x86-64.so.2").exists():
            # bullseye (4.2.5) predates the merged /usr: its loader and libc are in lib/, and it uses Qt 5
            env["QT_PLUGIN_PATH"] = str(lib / "qt5/plugins")
            loader = [str(base / "ld-linux-x86-64.so.2"), "--library-path", f"{base}:{lib}"]
        else:
            env["QT_PLUGIN_PATH"] = str(lib / "qt6/plugins")
            loader = [str(lib / "ld-linux-x86-64.so.2"), "--library-path", f"{lib}:{lib}/libproxy"]
        return [*loader, str(self.root / "usr/bin/qbittorrent-nox"), *args], env


def _run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
    """Run a command, capturing its output; raise with that output when it fails."""
    proc = subprocess.run(cmd, capture_output=True, text=True, env=APT_ENV, check=False, **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return proc


def _installed_version(package: str) -> str | None:
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Status} ${Version}", package], capture_output=True, text=True, check=False
    )
    fields = proc.stdout.split()
    return fields[-1] if proc.returncode == 0 and "installed" in fields[:3] else None


def _system_build() -> Build:
    """4.5.2: Debian bookworm's own package, installed with apt-get (updating the lists only when needed)."""
    version = _installed_version("qbittorrent-nox")
    if version is None:
        log("installing qbittorrent-nox with apt-get")
        try:
            _run(["apt-get", "install", "-y", "-q", "qbittorrent-nox"])
        except RuntimeError:
            _run(["apt-get", "update", "-q"])
            _run(["apt-get", "install", "-y", "-q", "qbittorrent-nox"])
        version = _installed_version("qbittorrent-nox")
    if version is None:
        raise RuntimeError("qbittorrent-nox is not installed after apt-get install")
    return Build("4.5.2", version)


def mirror_source() -> tuple[str, str | None]:
    """The Debian mirror URI (and keyring) that this machine's apt configuration uses, read at run time."""
    candidates: list[tuple[str, str | None]] = []
    for path in sorted(Path("/etc/apt/sources.list.d").glob("*.sources")):
        for stanza in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            keys = dict(re.findall(r"^([A-Za-z-]+):\s*(.+)$", stanza, re.MULTILINE))
            suites = keys.get("Suites", "").split()
            if keys.get("Enabled", "yes") != "no" and any(s in ("bookworm", "trixie", "sid") for s in suites):
                candidates.append((keys["URIs"].split()[0], keys.get("Signed-By")))
    lists = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*.list"))]
    for path in lists:
        if path.is_file():
            for match in re.finditer(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(bookworm|trixie|sid)\s", path.read_text()):
                candidates.append((match.group(1), None))
    if not candidates:
        raise RuntimeError("no Debian main mirror found in /etc/apt sources")
    return candidates[0]


def _download_closure(suite: str, into: Path) -> list[Path]:
    """Download qbittorrent-nox and its whole dependency closure from SUITE with a throw-away apt configuration."""
    uri, keyring = mirror_source()
    apt = into / "apt"
    for sub in ("lists/partial", "archives/partial", "etc/preferences.d", "etc/sources.list.d"):
        (apt / sub).mkdir(parents=True, exist_ok=True)
    signed = f"[signed-by={keyring}] " if keyring else ""
    (apt / "etc/sources.list").write_text(f"deb {signed}{uri} {suite} main\n", encoding="utf-8")
    (apt / "status").write_text("", encoding="utf-8")
    opts = [
        f"-oDir::Etc::SourceList={apt}/etc/sources.list",
        f"-oDir::Etc::SourceParts={apt}/etc/sources.list.d",
        f"-oDir::Etc::Preferences={apt}/etc/preferences",
        f"-oDir::Etc::PreferencesParts={apt}/etc/preferences.d",
        f"-oDir::State={apt}",
        f"-oDir::State::Lists={apt}/lists",
        f"-oDir::State::Status={apt}/status",
        f"-oDir::Cache={apt}",
        f"-oDir::Cache::Archives={apt}/archives",
        "-oDebug::NoLocking=1",
        "-oAPT::Install-Recommends=false",
        "-q",
    ]
    log(f"apt-get update ({suite}, throw-away configuration)")
    _run(["apt-get", *opts, "update"])
    log(f"apt-get install --download-only qbittorrent-nox ({suite})")
    _run(["apt-get", *opts, "install", "--download-only", "-y", "qbittorrent-nox"])
    return sorted((apt / "archives").glob("*.deb"))


def _unpacked_build(version: str) -> Build:
    """4.2.5 / 5.1.0 / sid: Debian's bullseye / trixie / sid package unpacked into a cached private root, reused
    when complete."""
    home = BUILDS / version
    marker = home / MARKER
    BUILDS.mkdir(parents=True, exist_ok=True)
    with open(BUILDS / f".{version}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one fetch per version at a time, across processes
        if marker.is_file():
            info = json.loads(marker.read_text(encoding="utf-8"))
            return Build(version, info["deb_version"], home / "root")
        shutil.rmtree(home, ignore_errors=True)  # an incomplete earlier attempt
        home.mkdir()
        with tempfile.TemporaryDirectory(dir=home, prefix="download.") as tmp:
            debs = _download_closure(SUITES[version], Path(tmp))
            nox = [d for d in debs if d.name.startswith("qbittorrent-nox_")]
            if not nox:
                raise RuntimeError(f"qbittorrent-nox was not downloaded for {version}")
            deb_version = _run(["dpkg-deb", "-f", str(nox[0]), "Version"]).stdout.strip()
            log(f"unpacking {len(debs)} packages into {home / 'root'}")
            for deb in debs:
                _run(["dpkg", "-x", str(deb), str(home / "root")])
        build = Build(version, deb_version, home / "root")
        if version == "5.1.0" and not build.version.startswith("5.1."):
            raise RuntimeError(f"trixie serves qbittorrent-nox {deb_version}, not 5.1.x")
        info = {"deb_version": deb_version, "suite": SUITES[version], "packages": [d.name for d in debs]}
        marker.write_text(json.dumps(info, indent=1), encoding="utf-8")  # written last: the integrity marker
        return build


def fetch_build(version: str) -> Build:
    """Get (or reuse) the build for VERSION, one of VERSIONS."""
    if version == "4.5.2":
        return _system_build()
    if version in SUITES:
        return _unpacked_build(version)
    raise ValueError(f"unknown version {version!r}; choose from {', '.join(VERSIONS)}")


def free_port() -> int:
    """A TCP and UDP port that is free on 127.0.0.1 right now."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port


def password_hash(password: str) -> str:
    """qBittorrent's WebUI\\Password_PBKDF2 value: PBKDF2-HMAC-SHA512, 100,000 rounds, 16-byte salt."""
    salt = os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 100000, dklen=64)
    return f'"@ByteArray({base64.b64encode(salt).decode()}:{base64.b64encode(key).decode()})"'


def new_api_key() -> str:
    """A key in qBittorrent's format: 'qbt_' and 28 alphanumerics."""
    return "qbt_" + "".join(secrets.choice(ALNUM) for _index in range(28))


def version_tuple(text: str) -> tuple[int, ...]:
    """'v5.1.0' or '5.1.0-2' -> (5, 1, 0), for comparisons."""
    return tuple(int(n) for n in re.findall(r"\d+", text)[:3])


@dataclass
class Server:  # pylint: disable=too-many-instance-attributes  # a settings record
    """One qbittorrent-nox process with its own fresh, loopback-only profile under WORKDIR."""

    build: Build
    workdir: Path
    name: str = ""
    username: str = "admin"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18), repr=False)
    https: tuple[Path, Path] | None = None  # (certificate, key)
    api_key: str | None = field(default=None, repr=False)  # pre-seeded when set; 5.2+ gets one anyway
    extra_config: dict[str, dict[str, str]] = field(default_factory=dict)
    webui_port: int = field(default_factory=free_port)
    torrent_port: int = field(default_factory=free_port)
    ca_cert: Path | None = None  # what clients should trust when https is on
    api_key_preseeded: bool | None = None
    app_version: str = ""
    webapi_version: str = ""
    proc: subprocess.Popen | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir).resolve()
        self.name = self.name or "qbt_" + self.build.name.replace(".", "_")

    @property
    def profile(self) -> Path:
        """The --profile folder."""
        return self.workdir / "profile"

    @property
    def config_path(self) -> Path:
        """qBittorrent.conf inside the profile."""
        return self.profile / "qBittorrent/config/qBittorrent.conf"

    @property
    def download_dir(self) -> Path:
        """Where tests may put data and where torrents are saved by default."""
        return self.workdir / "downloads"

    @property
    def log_path(self) -> Path:
        """qbittorrent-nox's stdout and stderr."""
        return self.workdir / "qbittorrent.log"

    @property
    def url(self) -> str:
        """The WebUI base URL."""
        return f"{'https' if self.https else 'http'}://127.0.0.1:{self.webui_port}"

    @property
    def pid(self) -> int | None:
        """The process id while running."""
        return self.proc.pid if self.proc else None

    @property
    def legacy_keys(self) -> bool:
        """Whether this build reads the pre-4.0 setting names (before 4.4: LEGACY_LOOPBACK_LOCK)."""
        return version_tuple(self.build.version) < LEGACY_KEYS_BEFORE

    def loopback_lock(self) -> dict[str, dict[str, str]]:
        """LOOPBACK_LOCK, plus the same settings under their old names for builds that read those."""
        lock = {section: dict(keys) for section, keys in LOOPBACK_LOCK.items()}
        if self.legacy_keys:
            for section, keys in LEGACY_LOOPBACK_LOCK.items():
                lock.setdefault(section, {}).update(keys)
        return lock

    def config(self) -> dict[str, dict[str, str]]:
        """The qBittorrent.conf sections: the loopback lock, the run's settings, then the extra keys."""
        lock = self.loopback_lock()
        conf = {section: dict(keys) for section, keys in lock.items()}
        conf["BitTorrent"].update(
            {
                "Session\\Port": str(self.torrent_port),
                "Session\\DefaultSavePath": str(self.download_dir),
                "Session\\TempPath": str(self.download_dir / "incomplete"),
            }
        )
        if self.legacy_keys:  # the same three under the names 4.2 and 4.3 read (mapKey, settingsstorage.cpp)
            conf["Preferences"].update(
                {
                    "Connection\\PortRangeMin": str(self.torrent_port),
                    "Downloads\\SavePath": str(self.download_dir),
                    "Downloads\\TempPath": str(self.download_dir / "incomplete"),
                }
            )
        conf["Preferences"].update(
            {
                "WebUI\\Port": str(self.webui_port),
                "WebUI\\Username": self.username,
                "WebUI\\Password_PBKDF2": password_hash(self.password),
                "WebUI\\MaxAuthenticationFailCount": "0",  # no ban unless a test asks for one
                "WebUI\\HostHeaderValidation": "true",
            }
        )
        if self.https:
            conf["Preferences"]["WebUI\\HTTPS\\Enabled"] = "true"
            conf["Preferences"]["WebUI\\HTTPS\\CertificatePath"] = str(self.https[0])
            conf["Preferences"]["WebUI\\HTTPS\\KeyPath"] = str(self.https[1])
        if self.api_key:
            conf["Preferences"]["WebUI\\APIKey"] = self.api_key
        for section, keys in self.extra_config.items():
            for key, value in keys.items():
                if lock.get(section, {}).get(key, value) != value:
                    raise ValueError(f"extra_config may not loosen the loopback lock ({section}/{key})")
            conf.setdefault(section, {}).update(keys)
        return conf

    def write_profile(self) -> None:
        """Write the locked-down qBittorrent.conf; only while the server is stopped."""
        if self.proc and self.proc.poll() is None:
            raise RuntimeError("write_profile while the server runs: qBittorrent would overwrite it")
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        self.download_dir.mkdir(parents=True, exist_ok=True)
        if version_tuple(self.build.version) < (4, 5):
            # 4.2 removes an emptied save folder when a magnet without metadata is deleted with its files
            # (Session::deleteTorrent, then Utils::Fs::smartRemoveEmptyFolderTree in src/base/utils/fs.cpp, which
            # leaves a folder with a file in it): keep the download dir that tests are given
            (self.download_dir / ".keep").touch()
        lines = []
        for section, keys in self.config().items():
            lines.append(f"[{section}]")
            lines.extend(f"{key}={value}" for key, value in keys.items())
            lines.append("")
        self.config_path.write_text("\n".join(lines), encoding="utf-8")

    def _ssl_context(self) -> ssl.SSLContext | None:
        if not self.https:
            return None
        return ssl.create_default_context(cafile=str(self.ca_cert or self.https[0]))

    def request(
        self, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None, opener: Any = None
    ) -> tuple[int, str]:
        """One WebAPI call (POST when DATA is given); returns (status, body), also for HTTP errors."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(f"{self.url}/api/v2/{path}", data=body, headers=headers or {})
        opener = opener or urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=self._ssl_context()), urllib.request.ProxyHandler({})
        )
        try:
            with opener.open(req, timeout=5) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def login(self) -> Any:
        """Log in with the password; returns a urllib opener that carries the session cookie."""
        opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=self._ssl_context()),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            urllib.request.ProxyHandler({}),
        )
        status, body = self.request("auth/login", {"username": self.username, "password": self.password}, None, opener)
        if status not in (200, 204) or body.strip() == "Fails.":
            raise RuntimeError(f"{self.name}: login failed ({status} {body!r})")
        return opener

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the server, wait until the WebUI answers and log in; raise with the log tail on failure."""
        if not self.config_path.is_file():
            self.write_profile()
        argv, env = self.build.command([f"--profile={self.profile}"])
        with open(self.log_path, "ab") as logfile:
            self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
                argv, stdin=subprocess.DEVNULL, stdout=logfile, stderr=subprocess.STDOUT, env=env,
                cwd=self.workdir, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                self._fail(f"exited with {self.proc.returncode} during start-up")
            try:
                self.request("app/version")
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    self.stop()
                    self._fail(f"WebUI did not answer within {timeout:.0f} s")
                time.sleep(POLL)
        opener = self.login()
        self.app_version = self.request("app/version", opener=opener)[1].strip()
        self.webapi_version = self.request("app/webapiVersion", opener=opener)[1].strip()
        if version_tuple(self.webapi_version) >= (2, 14, 1):
            self._ensure_api_key(opener)
        self.request("auth/logout", {}, opener=opener)  # leave no session behind for the tests to count

    def _ensure_api_key(self, opener: Any) -> None:
        """Check the pre-seeded key with a real Bearer request; otherwise rotate one in through the API."""
        if self.api_key:
            self.api_key_preseeded = self.bearer_works(self.api_key)
            if self.api_key_preseeded:
                return
            log(f"{self.name}: the pre-seeded API key was refused; rotating one through the API")
        status, body = self.request("app/rotateAPIKey", {}, opener=opener)
        if status != 200:
            raise RuntimeError(f"{self.name}: app/rotateAPIKey answered {status}")
        self.api_key = json.loads(body)["apiKey"]
        if not self.bearer_works(self.api_key):
            raise RuntimeError(f"{self.name}: the rotated API key does not authenticate")

    def bearer_works(self, key: str) -> bool:
        """Whether `Authorization: Bearer KEY` is accepted by app/version."""
        return self.request("app/version", headers={"Authorization": f"Bearer {key}"})[0] == 200

    def _fail(self, why: str) -> None:
        tail = self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""
        raise RuntimeError(f"{self.name} ({self.build.version}) {why}; log tail:\n{tail}")

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM and wait; SIGKILL if it does not stop in TIMEOUT seconds."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        """Stop and start again with the same profile."""
        self.stop()
        self.start()

    def describe(self) -> dict[str, Any]:
        """The servers.json entry."""
        return {
            "name": self.name,
            "version": self.build.version,
            "app_version": self.app_version,
            "webapi_version": self.webapi_version,
            "url": self.url,
            "username": self.username,
            "password": self.password,
            "api_key": self.api_key,
            "pid": self.pid,
            "workdir": str(self.workdir),
            "profile": str(self.profile),
            "download_dir": str(self.download_dir),
            "https": bool(self.https),
        }


def make_tls(directory: Path) -> dict[str, str]:
    """A private CA, a leaf it signs for 127.0.0.1/localhost, and a separate self-signed pair, made with openssl."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        name: str(directory / file)
        for name, file in (
            ("ca_cert", "ca.crt"),
            ("ca_key", "ca.key"),
            ("server_cert", "server.crt"),
            ("server_key", "server.key"),
            ("self_signed_cert", "self-signed.crt"),
            ("self_signed_key", "self-signed.key"),
        )
    }
    san = "subjectAltName=IP:127.0.0.1,DNS:localhost"
    req = ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-sha256"]
    _run([*req, "-x509", "-days", "30", "-subj", "/CN=community.qbittorrent test CA",
          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
          "-keyout", paths["ca_key"], "-out", paths["ca_cert"]])  # fmt: skip
    csr = directory / "server.csr"
    _run([*req, "-subj", "/CN=localhost", "-keyout", paths["server_key"], "-out", str(csr)])
    ext = directory / "server.ext"
    ext.write_text(
        f"{san}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n",
        encoding="utf-8",
    )
    _run(["openssl", "x509", "-req", "-in", str(csr), "-CA", paths["ca_cert"], "-CAkey", paths["ca_key"],
          "-CAcreateserial", "-days", "30", "-sha256", "-extfile", str(ext), "-out", paths["server_cert"]])  # fmt: skip
    _run([*req, "-x509", "-days", "30", "-subj", "/CN=localhost", "-addext", san,
          "-keyout", paths["self_signed_key"], "-out", paths["self_signed_cert"]])  # fmt: skip
    return paths


def _alive(pid: int, marker: str) -> bool:
    """Whether PID still runs a command line holding MARKER (so we never signal a stranger)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return marker in cmdline


def _terminate(pid: int | None, marker: str) -> bool:
    """SIGTERM PID if it is still ours, wait, SIGKILL if needed; returns whether it was running."""
    if not pid or not _alive(pid, marker):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while _alive(pid, marker) and time.monotonic() < deadline:
        time.sleep(POLL)
    if _alive(pid, marker):
        os.kill(pid, signal.SIGKILL)
    return True


def start_proxy(entry: dict[str, Any]) -> None:
    """Start tests/harness/loopback_proxy.py (a counting proxy) in front of a plain-HTTP server ENTRY.

    Sets entry["proxy_url"] and entry["proxy_pid"]; stop_state stops it with the servers.
    """
    url_file = Path(entry["workdir"]) / "proxy.url"
    url_file.unlink(missing_ok=True)
    script = Path(__file__).resolve().with_name("loopback_proxy.py")
    argv = [sys.executable, str(script), "--target", entry["url"], "--url-file", str(url_file)]
    with open(Path(entry["workdir"]) / "proxy.log", "ab") as logfile:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            argv, stdin=subprocess.DEVNULL, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + START_TIMEOUT
    while not (url_file.is_file() and url_file.read_text(encoding="utf-8").strip()):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the proxy for {entry['name']} did not start; see {url_file.with_suffix('.log')}")
        time.sleep(POLL)
    entry["proxy_url"] = url_file.read_text(encoding="utf-8").strip()
    entry["proxy_pid"] = proc.pid


def stop_state(state: Path) -> int:
    """Stop every server (and proxy) listed in STATE/servers.json; returns how many servers were running."""
    listing = state / "servers.json"
    if not listing.is_file():
        return 0
    stopped = 0
    for entry in json.loads(listing.read_text(encoding="utf-8"))["servers"]:
        _terminate(entry.get("proxy_pid"), str(Path(entry["workdir"]) / "proxy.url"))
        stopped += _terminate(entry.get("pid"), f"--profile={entry['profile']}")
    return stopped


def _fresh_server(state: Path, build: Build, name: str, password: str, tls: dict[str, str] | None) -> Server:
    """A Server in an empty work dir STATE/NAME; TLS (the make_tls paths) turns HTTPS on."""
    workdir = state / name
    if workdir.exists():
        shutil.rmtree(workdir)  # fresh state for every run
    return Server(
        build,
        workdir,
        name=name,
        password=password,
        https=(Path(tls["server_cert"]), Path(tls["server_key"])) if tls else None,
        ca_cert=Path(tls["ca_cert"]) if tls else None,
        api_key=new_api_key() if version_tuple(build.version) >= (5, 2) else None,
    )


def _launch(servers: list[Server], proxies: bool) -> list[dict[str, Any]]:
    """Start SERVERS (and their proxies); on any failure stop what was started and raise."""
    entries: list[dict[str, Any]] = []
    try:
        for server in servers:
            server.start()
            log(f"{server.name}: {server.app_version} (WebAPI {server.webapi_version}) at {server.url}")
            entries.append(dict(server.describe(), proxy_url=None, proxy_pid=None))
            if proxies and not server.https:
                start_proxy(entries[-1])
    except BaseException:
        for server in servers:
            server.stop()
        for entry in entries:
            _terminate(entry["proxy_pid"], str(Path(entry["workdir"]) / "proxy.url"))
        raise
    return entries


def start_state(state: Path, versions: list[str], https: bool, proxies: bool = False) -> dict[str, Any]:
    """Start fresh servers for VERSIONS (plus qbt_sid_https when HTTPS) and write STATE/servers.json.

    With PROXIES, every plain-HTTP server also gets a counting proxy in front (its entry's proxy_url).
    """
    state = state.resolve()
    if stop_state(state):
        log(f"stopped servers still running from a previous start in {state}")
    state.mkdir(parents=True, exist_ok=True)
    tls = make_tls(state / "tls") if https else {}
    plan = [(v, f"qbt_{v.replace('.', '_')}", None) for v in versions] + (
        [("sid", "qbt_sid_https", tls)] if https else []
    )
    builds = {version: fetch_build(version) for version, _name, _tls in plan}
    password = secrets.token_urlsafe(18)
    servers = [_fresh_server(state, builds[version], name, password, secure) for version, name, secure in plan]
    result = {"servers": _launch(servers, proxies), "tls": tls, "builds": {}}
    for version, build in builds.items():
        result["builds"][version] = {
            "version": build.version,
            "deb_version": build.deb_version,
            "root": str(build.root or ""),
        }
    for server in servers:
        if server.api_key_preseeded is not None:
            result["builds"][server.build.name]["api_key_preseed_worked"] = server.api_key_preseeded
    listing = state / "servers.json"
    listing.touch(mode=0o600)
    listing.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def write_inventory(state: Path, out: Path, group: str) -> None:
    """An Ansible inventory (YAML, which JSON is) of the plain-HTTP servers in STATE, one host per server, with
    the variables of examples/fleet: qbt_url, qbt_username, qbt_password. The file holds passwords: mode 0600."""
    servers = json.loads((state / "servers.json").read_text(encoding="utf-8"))["servers"]
    hosts = {
        f"qbt-{entry['app_version'].lstrip('v')}": {
            "qbt_url": entry["url"],
            "qbt_username": entry["username"],
            "qbt_password": entry["password"],
            "qbt_server_name": entry["name"],
        }
        for entry in servers
        if not entry["https"]
    }
    out.touch(mode=0o600)
    out.write_text(json.dumps({group: {"hosts": hosts}}, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """The command line: fetch, start, stop."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("fetch", "start", "stop", "inventory"):
        cmd = sub.add_parser(name)
        if name == "inventory":
            cmd.add_argument("--out", type=Path, required=True, help="where to write the Ansible inventory")
            cmd.add_argument("--group", default="qbittorrent", help="the inventory group (default %(default)s)")
        if name != "fetch":
            cmd.add_argument("--state", type=Path, required=True, help="folder for servers.json and work dirs")
        if name not in ("stop", "inventory"):
            cmd.add_argument("--versions", default=",".join(VERSIONS), help="comma-separated, from %(default)s")
        if name == "start":
            cmd.add_argument("--https", action="store_true", help="also start qbt_sid_https behind a private CA")
            cmd.add_argument("--proxies", action="store_true", help="a counting proxy before each plain-HTTP server")
    args = parser.parse_args(argv)
    if args.command == "stop":
        log(f"stopped {stop_state(args.state)} server(s)")
        return 0
    if args.command == "inventory":
        write_inventory(args.state, args.out, args.group)
        return 0
    versions = [v.strip() for v in args.versions.split(",") if v.strip()]
    if args.command == "fetch":
        for version in versions:
            build = fetch_build(version)
            print(f"{version}: qbittorrent-nox {build.deb_version} ({build.root or SYSTEM_BINARY})")
        return 0
    result = start_state(args.state, versions, args.https, args.proxies)
    for entry in result["servers"]:
        print(f"{entry['name']}: {entry['app_version']} WebAPI {entry['webapi_version']} {entry['url']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
