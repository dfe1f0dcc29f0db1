# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of the collection's metadata and artefacts that tests/run's steps call.

Each subcommand prints what it checked and exits 1 with the reasons when something is wrong. Run from the root of
the collection (tests/run runs it in its copy). Needs PyYAML and packaging (the tests/run venv has both).
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import html.parser
import json
import os
import pathlib
import queue
import re
import subprocess
import sys
import tarfile

import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = pathlib.Path.cwd()


def load_yaml(path: pathlib.Path | str) -> object:
    return yaml.safe_load(pathlib.Path(path).read_text(encoding="utf-8"))


def group_modules() -> list[str]:
    """The modules of the collection's action group, as meta/runtime.yml lists them."""
    runtime = load_yaml(ROOT / "meta/runtime.yml") or {}
    groups = runtime.get("action_groups") or {}
    return [m for m in groups.get("qbittorrent") or [] if isinstance(m, str)]


# Modules that run on the qBittorrent host and talk to no WebUI: no connection options, so they stay out of the
# action group (whose module_defaults set the connection options), by design and by name here.
HOST_MODULES = ("qbt_config_file",)


def module_files() -> list[str]:
    return sorted(p.stem for p in (ROOT / "plugins/modules").glob("*.py") if p.stem != "__init__")


def done(problems: list[str], ok: str) -> int:
    for problem in problems:
        print(f"ERROR: {problem}")
    if problems:
        return 1
    print(ok)
    return 0


def cmd_modules(_args: argparse.Namespace) -> int:
    modules = group_modules()
    if not modules:
        print("ERROR: meta/runtime.yml has no action group 'qbittorrent'", file=sys.stderr)
        return 1
    print("\n".join(modules))
    return 0


def cmd_metadata(args: argparse.Namespace) -> int:
    """requires_ansible matches the tested lines; the action group holds every module; tests/config.yml is there."""
    problems = []
    runtime = load_yaml(ROOT / "meta/runtime.yml") or {}
    spec_text = str(runtime.get("requires_ansible", ""))
    lines = sorted(args.lines, key=Version)
    try:
        spec = SpecifierSet(spec_text)
    except ValueError:
        spec = None
        problems.append(f"meta/runtime.yml requires_ansible {spec_text!r} is not a PEP 440 specifier")
    if spec is not None:
        floors = [s.version for s in spec if s.operator == ">="]
        if len(floors) != 1 or Version(floors[0]) != Version(f"{lines[0]}.0"):
            problems.append(
                f"requires_ansible {spec_text!r} must have the lower bound >={lines[0]}.0, the oldest line tested"
            )
        for line in lines:
            # each tested line, from its first release to a late bug-fix release, must be allowed
            for version in (f"{line}.0", f"{line}.99"):
                if not spec.contains(version, prereleases=True):
                    problems.append(f"requires_ansible {spec_text!r} excludes ansible-core {version}, which is tested")
    modules, files = group_modules(), module_files()
    for name in sorted(set(files) - set(modules) - set(HOST_MODULES)):
        problems.append(f"module {name} is not in the action group qbittorrent of meta/runtime.yml")
    for name in sorted(set(modules) - set(files)):
        problems.append(f"the action group lists {name}, which is not a module in plugins/modules")
    for name in sorted(set(modules) & set(HOST_MODULES)):
        problems.append(f"the action group lists {name}, a host module without connection options: take it out")
    for name in sorted(set(HOST_MODULES) - set(files)):
        problems.append(f"tests/collection_checks.py HOST_MODULES names {name}, which is not in plugins/modules")
    config = load_yaml(ROOT / "tests/config.yml") if (ROOT / "tests/config.yml").is_file() else None
    python_requires = ((config or {}).get("modules") or {}).get("python_requires")
    if python_requires != args.python_requires:
        problems.append(
            f"tests/config.yml modules.python_requires is {python_requires!r}, expected {args.python_requires!r}"
        )
    return done(
        problems,
        f"requires_ansible {spec_text} matches the tested lines {', '.join(lines)}; "
        f"the action group holds all {len(files) - len(HOST_MODULES)} modules but the host modules "
        f"{', '.join(HOST_MODULES)}; modules.python_requires {python_requires}",
    )


TARGETS = "tests/integration/targets"
# a role that a target's files name (include_role/import_role, roles:, dependencies:), by ansible-test's convention
ROLE_REFERENCE = re.compile(r"(?:\bname|\brole|^\s*-)\s*:?\s*['\"]?(setup_[a-z0-9_]+)\b", re.MULTILINE)


def cmd_integration_targets(_args: argparse.Namespace) -> int:
    """Every setup role a target uses is in its aliases as needs/target/<role>.

    ansible-test copies a target and the targets its aliases name, nothing else: a role missing there is found by
    tests/dev-target (all roles on its path) and fails only under ansible-test, late in the integration lane.
    """
    root = ROOT / TARGETS
    problems = []
    targets = sorted(path for path in root.iterdir() if path.is_dir())
    for target in targets:
        aliases = (target / "aliases").read_text(encoding="utf-8") if (target / "aliases").is_file() else ""
        needed = set(re.findall(r"^needs/target/(\S+)", aliases, re.MULTILINE))
        used = set()
        for path in target.rglob("*"):
            if path.is_file() and path.suffix in (".yml", ".yaml", ".sh"):
                used.update(ROLE_REFERENCE.findall(path.read_text(encoding="utf-8")))
        for role in sorted(used - needed - {target.name}):
            if (root / role).is_dir():
                problems.append(f"{TARGETS}/{target.name} uses the role {role}: add needs/target/{role} to its aliases")
    return done(problems, f"each of the {len(targets)} integration targets names the setup roles it uses")


def cmd_changelog_modules(_args: argparse.Namespace) -> int:
    """Every module appears in some release of changelogs/changelog.yaml."""
    changelog = load_yaml(ROOT / "changelogs/changelog.yaml") or {}
    listed = {
        entry["name"]
        for release in (changelog.get("releases") or {}).values()
        for entry in release.get("modules") or []
    }
    problems = [
        f"module {name} is in no release of changelogs/changelog.yaml (after landing a module, run "
        "tests/changelog-release: antsibull-changelog release --update-existing --reload-plugins on a copy)"
        for name in module_files()
        if name not in listed
    ]
    return done(problems, f"changelogs/changelog.yaml lists all {len(listed)} modules")


# ansible-lint's production profile (the lint step) runs yamllint with its line-length maximum of 160 on every YAML
# file of the collection, fragments included; the lint step comes late, so the fast changelog step says it first.
FRAGMENT_LINE_LIMIT = 160


def cmd_changelog_fragments(_args: argparse.Namespace) -> int:
    """Every line of every changelog fragment fits ansible-lint's line length."""
    fragments = sorted((ROOT / "changelogs/fragments").glob("*.y*ml"))
    problems = [
        f"{fragment.relative_to(ROOT)}:{number} is {len(line)} characters, over ansible-lint's "
        f"{FRAGMENT_LINE_LIMIT}: fold the text with '>-' over several lines"
        for fragment in fragments
        for number, line in enumerate(fragment.read_text(encoding="utf-8").splitlines(), 1)
        if len(line) > FRAGMENT_LINE_LIMIT
    ]
    return done(
        problems, f"all {len(fragments)} changelog fragments fit ansible-lint's {FRAGMENT_LINE_LIMIT} characters"
    )


def cmd_docs_site(args: argparse.Namespace) -> int:
    """antsibull-docs collection rendered a page per module, the index, and each guide of extra-docs.yml."""
    site = pathlib.Path(args.dir)
    problems = []
    expected = ["index.rst"] + [f"{m}_module.rst" for m in module_files()]
    extra = load_yaml(ROOT / "docs/docsite/extra-docs.yml") or {}
    guides = [g for section in extra.get("sections") or [] for g in section.get("toctree") or []]
    if not guides:
        problems.append("docs/docsite/extra-docs.yml lists no guides")
    expected += [f"docsite/{g}.rst" for g in guides]
    for name in expected:
        path = site / name
        if not path.is_file() or path.stat().st_size < 200:
            problems.append(f"the rendered site lacks {name} (or it is nearly empty)")
    index = (site / "index.rst").read_text(encoding="utf-8") if (site / "index.rst").is_file() else ""
    for name in module_files():
        if f"{name} module" not in index:
            problems.append(f"index.rst does not list the module {name}")
    return done(problems, f"the rendered site has {len(expected)} expected pages: {', '.join(expected)}")


# Ansible's documentation markup: a macro ends at its first ")", so a macro inside another one (B(x C(y) z)) ends
# the outer one early and shows the rest as literal text, in ansible-doc and in HTML alike.
MACRO = re.compile(r"(?<![\w])(RV|[IBCOVEMLUP])\(")


def plugin_docs(path: pathlib.Path) -> list[tuple[str, object]]:
    """The DOCUMENTATION and RETURN of a plugin file (module level, or a doc fragment's class), parsed as YAML."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Constant):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id in ("DOCUMENTATION", "RETURN"):
                try:
                    found.append((target.id, yaml.safe_load(node.value.value)))
                except yaml.YAMLError as exc:  # ansible-doc would say "Missing documentation": say why
                    found.append((target.id, f"<not YAML: {exc}>".replace("\n", " ")))
    return found


def strings_in(value: object, where: str):
    """Every string in a parsed document, with where it is ('options.purge.description[0]')."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_in(item, f"{where}[{index}]")


def nested_macros(text: str) -> list[str]:
    """The macros of TEXT that hold another macro before their first ')' (where the outer one really ends)."""
    problems = []
    for match in MACRO.finditer(text):
        end = text.find(")", match.end())
        inner = text[match.end() : end if end >= 0 else len(text)]
        if MACRO.search(inner):
            problems.append(f"{text[match.start() : end + 1 if end >= 0 else len(text)]!r}")
    return problems


def cmd_docs_markup(_args: argparse.Namespace) -> int:
    """No plugin's DOCUMENTATION or RETURN nests a markup macro inside another one."""
    problems, count = [], 0
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        for name, doc in plugin_docs(path):
            if isinstance(doc, str) and doc.startswith("<not YAML"):
                problems.append(f"{path.relative_to(ROOT)} {name} is {doc}")
                continue
            for where, text in strings_in(doc, ""):
                count += 1
                for found in nested_macros(text):
                    problems.append(
                        f"{path.relative_to(ROOT)} {name} {where}: a markup macro inside another one, {found}: a "
                        "macro ends at its first ')', so write them side by side (B(...) C(...)) instead"
                    )
    return done(problems, f"no nested markup macros in {count} strings of the plugins' DOCUMENTATION and RETURN")


def cmd_doc_attributes(args: argparse.Namespace) -> int:
    """ansible-doc --json: check_mode, diff_mode and idempotent declared, the action group shown."""
    doc = json.loads(pathlib.Path(args.json).read_text(encoding="utf-8"))[args.module]["doc"]
    attributes = doc.get("attributes") or {}
    problems = [
        f"{args.module} does not declare the attribute {a}"
        for a in ("check_mode", "diff_mode", "idempotent")
        if not (attributes.get(a) or {}).get("support")
    ]
    membership = (attributes.get("action_group") or {}).get("membership") or []
    if "community.qbittorrent.qbittorrent" not in membership:
        problems.append(f"{args.module} does not show the action group community.qbittorrent.qbittorrent")
    summary = ", ".join(f"{a}: {(attributes.get(a) or {}).get('support')}" for a in sorted(attributes))
    return done(problems, f"{args.module} attributes: {summary}")


# Chromium must not reach the network: every host name resolves to nothing and every request goes to a closed
# loopback port (the pages are local files), and the background services that call home are off.
CHROMIUM_FLAGS = [
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-breakpad",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


class PageParser(html.parser.HTMLParser):
    """The title, the first h1's text, the links and the ids of a page Chromium dumped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title, self.h1, self.links, self.ids = "", "", [], set()
        self._in: list[str] = []
        self._h1_done = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "a" and attrs.get("href") is not None:
            self.links.append(attrs["href"])
        if tag in ("title", "h1") or (tag == "a" and "headerlink" in (attrs.get("class") or "")):
            self._in.append(tag if tag != "a" else "headerlink")

    def handle_endtag(self, tag):
        if self._in and self._in[-1] in (tag, "headerlink" if tag == "a" else None):
            if self._in.pop() == "h1":
                self._h1_done = True

    def handle_data(self, data):
        if "headerlink" in self._in:
            return
        if self._in and self._in[-1] == "title":
            self.title += data
        elif "h1" in self._in and not self._h1_done:
            self.h1 += data


def chromium(binary: str, profile: pathlib.Path, url: str, *args: str) -> subprocess.CompletedProcess:
    sandbox = ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium's sandbox refuses to run as root
    command = [binary, *CHROMIUM_FLAGS, *sandbox, f"--user-data-dir={profile}", *args, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


def expected_titles() -> dict[str, str]:
    """The title each page must show: a module's name, a guide's own title (the line above its first underline)."""
    titles = {"index.html": "Community.Qbittorrent"}
    titles.update({f"{m}_module.html": f"community.qbittorrent.{m} module" for m in module_files()})
    extra = load_yaml(ROOT / "docs/docsite/extra-docs.yml") or {}
    for guide in (g for section in extra.get("sections") or [] for g in section.get("toctree") or []):
        lines = (ROOT / f"docs/docsite/rst/{guide}.rst").read_text(encoding="utf-8").splitlines()
        underline = next(i for i, line in enumerate(lines) if i and re.fullmatch(r"(=+|-+|~+)", line))
        titles[f"docsite/{guide}.html"] = lines[underline - 1].strip()
    return titles


def link_target(site: pathlib.Path, page: str, href: str) -> tuple[str, str] | None:
    """(page relative to the site, fragment) for a link to a page of the site; None for another site or scheme."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I) or href.startswith("//"):
        return None
    href, _hash, fragment = href.partition("#")
    href = href.partition("?")[0]
    if not href:
        return page, fragment
    target = (site / href.lstrip("/")) if href.startswith("/") else (site / page).parent / href
    target = pathlib.Path(os.path.normpath(target))
    if target.is_dir():
        target = target / "index.html"
    try:
        return target.relative_to(site.resolve()).as_posix(), fragment
    except ValueError:
        return f"../{href}", fragment  # outside the site: reported as broken


def cmd_docsite_browser(args: argparse.Namespace) -> int:
    """Open every page of the HTML docsite in headless Chromium: each has its title, each link to a page of the
    site (and to an anchor on it) resolves; screenshots of the index and one module page."""
    site, shots, work = pathlib.Path(args.site).resolve(), pathlib.Path(args.shots), pathlib.Path(args.work)
    shots.mkdir(parents=True, exist_ok=True)
    titles = expected_titles()
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.name not in ("search.html",))
    problems = [f"the site lacks {page}" for page in titles if page not in pages]

    # four at a time (a page mostly waits on Chromium's start), each Chromium with a profile no other one is using
    # (Chromium locks its profile)
    profiles: queue.Queue[pathlib.Path] = queue.Queue()
    for index in range(4):
        profiles.put(work / f"profile-{index}")

    def dump(page: str) -> tuple[str, subprocess.CompletedProcess]:
        profile = profiles.get()
        try:
            return page, chromium(args.chromium, profile, (site / page).as_uri(), "--dump-dom")
        finally:
            profiles.put(profile)

    parsed: dict[str, PageParser] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for page, run in pool.map(dump, pages):
            if run.returncode != 0 or "<html" not in run.stdout:
                problems.append(f"Chromium could not open {page} (exit {run.returncode}): {run.stderr[-400:]}")
                continue
            parser = PageParser()
            parser.feed(run.stdout)
            parsed[page] = parser
    for page, parser in sorted(parsed.items()):
        h1, title = " ".join(parser.h1.split()), " ".join(parser.title.split())
        want = titles.get(page)
        if not h1 or not title.startswith(h1):
            problems.append(f"{page}: its heading {h1!r} is not the start of its title {title!r}")
        if want and not h1.startswith(want):
            problems.append(f"{page}: its heading is {h1!r}, not {want!r}")
        for href in parser.links:
            target = link_target(site, page, href)
            if target is None:
                continue
            path, fragment = target
            if not (site / path).is_file():
                problems.append(f"{page}: the link {href!r} leads to {path}, which is not a page of the site")
            elif fragment and path in parsed and fragment not in parsed[path].ids:
                problems.append(f"{page}: the link {href!r} leads to an anchor that {path} does not have")
    for page in ("index.html", args.module_page):
        name = page.replace("/", "-").replace(".html", ".png")
        run = chromium(
            args.chromium,
            work / "profile-shots",
            (site / page).as_uri(),
            f"--screenshot={(shots / f'docsite-{name}').resolve()}",
            "--window-size=1280,1600",
            "--hide-scrollbars",
        )
        if run.returncode != 0 or not (shots / f"docsite-{name}").is_file():
            problems.append(f"Chromium took no screenshot of {page}: {run.stderr[-400:]}")
    links = sum(len(p.links) for p in parsed.values())
    return done(
        problems,
        f"Chromium opened {len(parsed)} pages of the docsite: each has its title, none of their {links} links is "
        f"broken; screenshots of index.html and {args.module_page} in {shots}",
    )


# What a tarball must never hold: test output, caches, bench results, the demo, secrets of test runs, repo tooling.
FORBIDDEN = [
    r"(^|/)tests/output(/|$)",
    r"(^|/)__pycache__(/|$)",
    r"\.py[co]$",
    r"(^|/)\.pytest_cache(/|$)",
    r"(^|/)\.ruff_cache(/|$)",
    r"(^|/)\.ansible(/|$)",
    r"(^|/)\.cache(/|$)",
    r"^bench(/|$)",
    r"^demo(/|$)",
    r"^\.ci(/|$)",
    r"^\.git(/|$)",
    r"^\.gitignore$",
    r"^\.ansible-lint$",
    r"(^|/)integration_config\.yml$",
    r"\.tar\.gz$",
    r"(^|/)\.plugin-cache\.yaml$",
]
REQUIRED = [
    "MANIFEST.json",
    "FILES.json",
    "README.md",
    "COPYING",
    "CHANGELOG.md",
    "changelogs/changelog.yaml",
    "meta/runtime.yml",
    "meta/execution-environment.yml",
    "meta/ee-requirements.txt",
    "requirements.txt",
    "examples/fleet/site.yml",
    # the developer documents that comments in plugins/ cite (docs/dev/README.md)
    "docs/dev/webapi-facts.md",
    "docs/dev/rss-facts.md",
    "docs/dev/client-behaviour.md",
    "docs/dev/test-servers.md",
]


def cmd_tarball(args: argparse.Namespace) -> int:
    with tarfile.open(args.tarball) as tar:
        names = [n[2:] if n.startswith("./") else n for n in tar.getnames()]
    problems = [f"the tarball holds {n}" for n in names if any(re.search(p, n) for p in FORBIDDEN)]
    present = set(names)
    required = REQUIRED + [f"plugins/modules/{m}.py" for m in module_files()]
    problems += [f"the tarball lacks {n}" for n in required if n not in present]
    manifest = json.loads(tarfile.open(args.tarball).extractfile("MANIFEST.json").read())
    info = manifest["collection_info"]
    if (info["namespace"], info["name"]) != ("community", "qbittorrent"):
        problems.append(f"MANIFEST.json names {info['namespace']}.{info['name']}")
    return done(
        problems, f"{pathlib.Path(args.tarball).name}: {len(names)} entries, none forbidden, all required there"
    )


def requirement_lines(path: pathlib.Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def cmd_ee_introspect(args: argparse.Namespace) -> int:
    """ansible-builder introspect found the collection's Python requirements, as unpinned floors."""
    problems = []
    meta = load_yaml(ROOT / "meta/execution-environment.yml") or {}
    if meta.get("version") not in (1, 3):
        problems.append(f"meta/execution-environment.yml has version {meta.get('version')!r}, not 1 or 3")
    python_file = (meta.get("dependencies") or {}).get("python")
    own = (
        requirement_lines(ROOT / python_file) if isinstance(python_file, str) and (ROOT / python_file).is_file() else []
    )
    if not own:
        problems.append("meta/execution-environment.yml names no Python requirements file, or it is empty")
    for requirement in own:
        if re.search(r"==|<|~=|!=|===|\]\s*$", requirement) or not re.match(
            r"^[A-Za-z0-9_.-]+(>=[0-9.]+)?$", requirement
        ):
            problems.append(f"{python_file}: {requirement!r} is not a bare name or an unpinned floor (name>=version)")
    names = {re.split(r"[<>=!~ ]", r, maxsplit=1)[0].lower() for r in own}
    for needed in ("requests", "packaging"):
        if needed not in names:
            problems.append(f"{python_file} lacks {needed}")
    found = load_yaml(args.introspect) or {}
    python = found.get("python") or []
    if isinstance(python, dict):  # older ansible-builder: {collection: [requirements]}
        python = [f"{r}  # from collection {c}" for c, reqs in python.items() for r in reqs]
    ours = [line for line in python if "community.qbittorrent" in line]
    for needed in sorted(names):
        if not any(line.lower().startswith(needed) for line in ours):
            problems.append(f"ansible-builder introspect did not find {needed} for community.qbittorrent: {python}")
    return done(problems, f"ansible-builder introspect: {ours}")


def cmd_ee_context(args: argparse.Namespace) -> int:
    """ansible-builder create rendered a build context that installs the collection tarball."""
    context = pathlib.Path(args.context)
    problems = []
    containerfile = context / "Containerfile"
    text = containerfile.read_text(encoding="utf-8") if containerfile.is_file() else ""
    if not text:
        problems.append("the context has no Containerfile")
    for needed in ("ansible-galaxy collection install", "introspect", "assemble", "FROM "):
        if needed not in text:
            problems.append(f"the Containerfile does not contain {needed!r}")
    requirements = context / "_build/requirements.yml"
    collections = (load_yaml(requirements) or {}).get("collections") if requirements.is_file() else None
    if not collections or not any(args.tarball in str(c.get("name", "")) for c in collections):
        problems.append(f"_build/requirements.yml does not install {args.tarball}: {collections}")
    if not (context / "_build/collections" / args.tarball).is_file():
        problems.append(f"the context lacks _build/collections/{args.tarball}")
    for script in ("assemble", "introspect.py", "install-from-bindep"):
        if not (context / "_build/scripts" / script).is_file():
            problems.append(f"the context lacks _build/scripts/{script}")
    return done(
        problems, f"build context {context}: Containerfile ({len(text.splitlines())} lines), the collection tarball"
    )


def cmd_integration_config(args: argparse.Namespace) -> int:
    """Write the integration config ansible-test passes as variables to every target."""
    data = json.loads(pathlib.Path(args.state).read_text(encoding="utf-8"))
    config = {
        "qbt_servers": data["servers"],
        "qbt_tls": data["tls"],
        "qbt_harness_state": args.state,
        "qbt_harness_script": args.harness,
        # modules must run with a venv's python (interpreter discovery may pick a broken pyenv shim)
        "ansible_python_interpreter": args.python,
        # auto: in-process on the controller where it can (action plugins); module: every task as a module process
        "qbt_execution": args.execution,
    }
    with open(args.out, "w", encoding="utf-8") as fh:
        yaml.safe_dump(config, fh, default_flow_style=False, sort_keys=False)
    for server in data["servers"]:
        print(server["name"], server["app_version"], server["webapi_version"], server["url"])
    return 0


def cmd_example_inventory(args: argparse.Namespace) -> int:
    """An inventory like examples/fleet/inventory.yml, pointing at throwaway servers."""
    servers = json.loads(pathlib.Path(args.state).read_text(encoding="utf-8"))["servers"]
    hosts = {
        f"qbt-{server['app_version'].lstrip('v')}": {
            "qbt_url": server["url"],
            "qbt_username": server["username"],
            "qbt_password": server["password"],
        }
        for server in servers
    }
    with open(args.out, "w", encoding="utf-8") as fh:
        yaml.safe_dump({"qbittorrent": {"hosts": hosts}}, fh)
    print(f"inventory: {', '.join(hosts)}")
    return 0


def cmd_readme_example(args: argparse.Namespace) -> int:
    """The README's playbook (its first yaml block) made runnable against a throwaway server: its URL, user name and
    /srv/torrents replaced, the .torrent it adds built (no trackers) with its data in place, the vaulted values given
    in a vars file. Writes OUT/playbook.yml and OUT/vars.yml."""
    sys.path.insert(0, str(ROOT / "tests" / "harness"))
    import torrents  # noqa: PLC0415  (tests/harness/torrents.py, found only once the harness is on the path)

    server = json.loads(pathlib.Path(args.state).read_text(encoding="utf-8"))["servers"][0]
    blocks = re.findall(r"^```yaml\n(.*?)^```", pathlib.Path(args.readme).read_text(encoding="utf-8"), re.M | re.S)
    if not blocks:
        return done(["README.md has no yaml block"], "")
    out, root = pathlib.Path(args.out), pathlib.Path(args.out) / "torrents"
    playbook = blocks[0]
    for literal, value in (("http://127.0.0.1:8080", server["url"]), ("/srv/torrents", str(root)),
                           ("username: admin", f"username: {server['username']}")):  # fmt: skip
        if literal not in playbook:
            return done([f"the README's playbook no longer has {literal!r}: update tests/collection_checks.py"], "")
        playbook = playbook.replace(literal, value)
    # the reader's layout the README describes: a one-file torrent's data at <save_path>/<file>
    torrents.make(root / "movies", root, "example", seed="readme")
    (out / "playbook.yml").write_text(playbook, encoding="utf-8")
    secrets = {"vault_qbt_password": server["password"], "vault_proxy_password": "readme-example-proxy-secret"}
    (out / "vars.yml").write_text(json.dumps(secrets), encoding="utf-8")
    print(f"the README's playbook against {server['url']}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("modules", help="print the modules of the action group").set_defaults(func=cmd_modules)
    p = sub.add_parser("metadata", help="requires_ansible, action group, tests/config.yml")
    p.add_argument("--python-requires", required=True)
    p.add_argument("lines", nargs="+", help="the ansible-core lines tested")
    p.set_defaults(func=cmd_metadata)
    sub.add_parser("changelog-modules").set_defaults(func=cmd_changelog_modules)
    sub.add_parser("integration-targets", help="setup roles in aliases").set_defaults(func=cmd_integration_targets)
    sub.add_parser("changelog-fragments", help="fragment lines fit ansible-lint").set_defaults(
        func=cmd_changelog_fragments
    )
    p = sub.add_parser("docs-site")
    p.add_argument("dir")
    p.set_defaults(func=cmd_docs_site)
    sub.add_parser("docs-markup", help="no nested markup macros in DOCUMENTATION or RETURN").set_defaults(
        func=cmd_docs_markup
    )
    p = sub.add_parser("docsite-browser", help="open every page of the HTML docsite in headless Chromium")
    p.add_argument("--chromium", required=True)
    p.add_argument("--site", required=True, help="the built HTML site")
    p.add_argument("--shots", required=True, help="where the screenshots go")
    p.add_argument("--work", required=True, help="a scratch directory for Chromium's profiles")
    p.add_argument("--module-page", default="qbt_torrent_module.html")
    p.set_defaults(func=cmd_docsite_browser)
    p = sub.add_parser("doc-attributes")
    p.add_argument("json")
    p.add_argument("module")
    p.set_defaults(func=cmd_doc_attributes)
    p = sub.add_parser("tarball")
    p.add_argument("tarball")
    p.set_defaults(func=cmd_tarball)
    p = sub.add_parser("ee-introspect")
    p.add_argument("introspect", help="the YAML ansible-builder introspect printed")
    p.set_defaults(func=cmd_ee_introspect)
    p = sub.add_parser("ee-context")
    p.add_argument("context")
    p.add_argument("tarball", help="the tarball's file name")
    p.set_defaults(func=cmd_ee_context)
    p = sub.add_parser("integration-config")
    p.add_argument("state")
    p.add_argument("out")
    p.add_argument("python")
    p.add_argument("harness")
    p.add_argument("execution", choices=["auto", "module", "in_process"])
    p.set_defaults(func=cmd_integration_config)
    p = sub.add_parser("example-inventory")
    p.add_argument("state")
    p.add_argument("out")
    p.set_defaults(func=cmd_example_inventory)
    p = sub.add_parser("readme-example")
    p.add_argument("readme")
    p.add_argument("state")
    p.add_argument("out")
    p.set_defaults(func=cmd_readme_example)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
