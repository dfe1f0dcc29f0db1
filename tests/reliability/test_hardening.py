# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hardening classes, on a real server of their own (a throw-away 5.3+ behind a counting proxy), in-process
and as module processes:

* control characters (\\n, \\r, \\t, NUL, U+2028) in a category, tag, RSS feed or folder path, rule name or
  torrent name: refused before any request (the proxy counts none for the case), and a removal or a purge naming
  'a<newline>b' removes neither a nor b (qBittorrent splits removeCategories and friends at line breaks);
* redirects: a stand-in answering 307/308 to auth/login and 302 to a read, pointing at another loopback port
  that records what it receives: no password, API key, cookie or extra_headers value reaches it, and the error
  names the redirect and its target;
* credentials outside the secret options (a url with user:password@, extra_headers values, requests_args.proxies
  with user:pass@, requests_args.auth): in no result, -vvvv output, ANSIBLE_LOG_PATH file or error;
* a server that answers one byte per second: timeout 5 and request_deadline 3 end the task in bounded time, with
  a message naming request_deadline;
* a .torrent served over HTTPS by a certificate of the harness's private CA: added with ca_path, refused clearly
  without it;
* save_path /srv/a/../b// converges in one run (the second changes nothing);
* purge with an empty list refused before any write, unless allow_empty_purge: true;
* five forks declaring the same new category, or adding the same magnet: all succeed, the state is right;
* a category removed and a subcategory of it declared in one task: refused before any write;
* RSS patterns Python cannot read (PCRE's \\p{L}, a variable-length lookbehind): sent with a warning.
"""

from __future__ import annotations

import concurrent.futures
import json
import re
from pathlib import Path
from typing import Any

import pytest
import relkit

EXECUTIONS = ("in_process", "module")
CHARACTERS = {"lf": "\n", "cr": "\r", "tab": "\t", "nul": "\x00", "u2028": "\u2028"}
SHOWN = {"lf": r"\\n", "cr": r"\\r", "tab": r"\\t", "nul": r"U\+0000", "u2028": r"U\+2028"}
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|MODULE FAILURE|unexpected [A-Z]\w*(Error|Exception)\b")
VICTIMS = ("rel-victim-a", "rel-victim-b")


def _token(prefix: str) -> str:
    return prefix + relkit.qbt_harness.secrets.token_urlsafe(12)


# Credentials that only the cases of this file know (each is scanned for in every output of the suite).
REDIRECT_PASSWORD = _token("rel-redir-pw-")
REDIRECT_KEY = relkit.qbt_harness.new_api_key()
REDIRECT_HEADER = _token("rel-redir-hdr-")
REDIRECT_COOKIE = _token("relredircookie")
URL_PASSWORD = _token("rel-url-pw-")
HEADER_SECRET = _token("rel-xhdr-")
PROXY_PASSWORD = _token("rel-proxy-pw-")
AUTH_PASSWORD = _token("rel-auth-pw-")
TRICKLE_PASSWORD = _token("rel-trickle-pw-")
for _value, _label in (
    (REDIRECT_PASSWORD, "a password sent to a redirecting stand-in"),
    (REDIRECT_KEY, "an API key sent to a redirecting stand-in"),
    (REDIRECT_HEADER, "an extra_headers value sent to a redirecting stand-in"),
    (REDIRECT_COOKIE, "a session cookie of a redirecting stand-in"),
    (URL_PASSWORD, "a password in the url's userinfo"),
    (HEADER_SECRET, "an extra_headers value"),
    (PROXY_PASSWORD, "a password in requests_args.proxies"),
    (TRICKLE_PASSWORD, "a password sent to a trickling stand-in"),
):
    relkit.SECRETS.add(_value, _label)
relkit.SECRETS.add_login("rel-auth-user", AUTH_PASSWORD, "a password in requests_args.auth")


def _task(name: str, module: str, args: dict[str, Any], execution: str, **keywords: Any) -> dict[str, Any]:
    keywords.setdefault("ignore_errors", True)
    return relkit.task(name, module, args, vars={"qbt_execution": execution}, **keywords)


def _both(ansible: relkit.Ansible, name: str, build, **play: Any) -> dict[str, relkit.Run]:
    """Run build(execution) -> tasks as one playbook per execution path, side by side."""
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = {ex: pool.submit(ansible.play, build(ex), f"{name}-{ex}", **play) for ex in EXECUTIONS}
        return {ex: future.result() for ex, future in futures.items()}


def _refused(run: relkit.Run, name: str, pattern: str, proxy=None, tag: str | None = None) -> list[str]:
    """The problems of a case that must fail before any request: not failed, wrong message, a traceback,
    requests sent."""
    result = run.result(name)
    msg = str(result.get("msg", ""))
    where = f"{name}: {msg[:300]!r}"
    if not run.failed(name):
        return [f"did not fail: {where}"]
    problems = []
    if not re.search(pattern, msg, re.DOTALL):
        problems.append(f"message does not match /{pattern}/: {where}")
    if TRACEBACK.search(msg + str(result.get("exception", ""))) or "module_stderr" in result:
        problems.append(f"a Python exception escaped: {where}")
    if proxy is not None and tag is not None:
        sent = [(e.method, e.endpoint) for e in proxy.requests_for(tag)]
        if sent:
            problems.append(f"sent {sent} before failing: {where}")
    return problems


def _state(handle: relkit.Handle) -> dict[str, Any]:
    snap = handle.api.snapshot()
    return {key: snap[key] for key in ("categories", "tags", "rss_items", "rss_rules")} | {
        "torrents": {h: t["name"] for h, t in snap["torrents"].items()}
    }


# ------------------------------------------------------------------------------------------------ the server
@pytest.fixture(scope="module")
def hard(fleet, workdir):
    """A throw-away 5.3+ server with victims: two categories, two tags, an RSS folder with two feeds, two rules
    and a stopped magnet (purges with allow_empty_purge at the end of this file must not touch the main servers)."""
    with fleet.throwaway("hard") as handle:
        api = handle.api
        for name in VICTIMS:
            api.post("torrents/createCategory", {"category": name, "savePath": ""})
        api.post("torrents/createTags", {"tags": ",".join(VICTIMS)})
        api.post("rss/addFolder", {"path": "Victim"})
        for part in ("A", "B"):
            api.post("rss/addFeed", {"url": f"http://127.0.0.1:9/victim-{part}.xml", "path": f"Victim\\{part}"})
            rule = {"enabled": False, "mustContain": "victim", "affectedFeeds": []}
            api.post("rss/setRule", {"ruleName": f"Victim {part}", "ruleDef": json.dumps(rule)})
        link, link_hash = relkit.magnet("rel-hard-magnet")
        api.post("torrents/add", {"urls": link, "savepath": str(workdir / "hard"), "stopped": "true"})
        relkit.poll(lambda: link_hash in {t["hash"] for t in api.get("torrents/info")}, what="the victim magnet")
        handle.magnet_hash = link_hash
        yield handle


# ------------------------------------------------------------------------------------------------ control characters
def control_cases(magnet_hash: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(id, module, args) per control character: creations and removals that name two victims in one value."""
    a, b = VICTIMS
    cases = []
    for cid, char in CHARACTERS.items():
        cases += [
            (f"category-{cid}", "qbt_category", {"name": f"rel-ctl{char}x"}),
            (f"category-item-{cid}", "qbt_category", {"categories": [{"name": f"rel-ctl{char}x"}]}),
            (f"category-remove-{cid}", "qbt_category", {"name": f"{a}{char}{b}", "state": "absent"}),
            (f"category-purge-{cid}", "qbt_category",
             {"categories": [{"name": f"{a}{char}{b}"}], "purge": True, "allow_empty_purge": True}),
            (f"tag-{cid}", "qbt_tag", {"tags": [f"rel-ctl{char}x"]}),
            (f"tag-remove-{cid}", "qbt_tag", {"tags": [f"{a}{char}{b}"], "state": "absent"}),
            (f"tag-purge-{cid}", "qbt_tag", {"tags": [f"{a}{char}{b}"], "purge": True, "allow_empty_purge": True}),
            (f"feed-{cid}", "qbt_rss_feed", {"path": f"Rel{char}Feed", "feed_url": f"http://127.0.0.1:9/{cid}.xml"}),
            (f"folder-{cid}", "qbt_rss_feed", {"path": f"Victim{char}Folder"}),
            (f"feed-remove-{cid}", "qbt_rss_feed", {"path": f"Victim\\A{char}Victim\\B", "state": "absent"}),
            (f"rule-{cid}", "qbt_rss_rule", {"name": f"Rel{char}rule"}),
            (f"rule-remove-{cid}", "qbt_rss_rule", {"name": f"Victim A{char}Victim B", "state": "absent"}),
            (f"torrent-name-{cid}", "qbt_torrent", {"hash": magnet_hash, "name": f"rel{char}name"}),
        ]  # fmt: skip
    return cases


@pytest.fixture(scope="module")
def control_runs(hard, ansible) -> dict[str, Any]:
    cases = control_cases(hard.magnet_hash)
    before = _state(hard)

    def build(execution: str) -> list[dict[str, Any]]:
        return [
            _task(cid, module, {**hard.login_options(tag=f"ctl-{execution}-{cid}"), **args}, execution)
            for cid, module, args in cases
        ]

    runs = _both(ansible, "control-names", build)
    return {"cases": cases, "runs": runs, "before": before, "after": _state(hard)}


@pytest.mark.parametrize("execution", EXECUTIONS)
def test_control_characters_refused(control_runs, hard, execution):
    """Each name with a control character fails naming the character, and not one request was sent for it."""
    run = control_runs["runs"][execution]
    problems = []
    for cid, _module, _args in control_runs["cases"]:
        shown = SHOWN[cid.rsplit("-", 1)[1]]
        problems += _refused(run, cid, rf"control character {shown}", hard.proxy, f"ctl-{execution}-{cid}")
    relkit.TALLY.bad_inputs += len(control_runs["cases"])
    assert not problems, f"{len(problems)} problems ({execution}):\n" + "\n".join(problems)


def test_control_characters_removed_nothing(control_runs):
    """The victims named by 'a<char>b' removals and purges, and everything else, are still there."""
    before, after = control_runs["before"], control_runs["after"]
    assert all(name in after["categories"] for name in VICTIMS), after["categories"]
    assert all(name in after["tags"] for name in VICTIMS), after["tags"]
    assert after == before


# ------------------------------------------------------------------------------------------------ redirects
@pytest.fixture(scope="module")
def redirect_runs(ansible) -> dict[str, Any]:
    """Four stand-ins on loopback, each redirecting to one recording listener on another port."""
    with relkit.Recorder() as target:

        def to(scenario: str, endpoint: str) -> dict[str, str]:
            return {"Location": f"{target.url}/{scenario}/api/v2/{endpoint}"}

        cookie = {"Set-Cookie": f"SID={REDIRECT_COOKIE}; HttpOnly; path=/"}
        stand_ins = {
            "login-307": relkit.Recorder({("POST", "auth/login"): (307, to("login-307", "auth/login"), "")}),
            "login-308": relkit.Recorder({("POST", "auth/login"): (308, to("login-308", "auth/login"), "")}),
            "read-302": relkit.Recorder(
                {("POST", "auth/login"): (200, cookie, "Ok."), ("POST", "auth/logout"): (200, {}, "")},
                default=(302, to("read-302", "app/webapiVersion"), ""),
            ),
            "key-read-302": relkit.Recorder(default=(302, to("key-read-302", "app/webapiVersion"), "")),
        }
        for stand_in in stand_ins.values():
            stand_in.__enter__()
        try:

            def build(execution: str) -> list[dict[str, Any]]:
                tasks = []
                for scenario, stand_in in stand_ins.items():
                    login = (
                        {"api_key": REDIRECT_KEY}
                        if scenario.startswith("key")
                        else {"username": "admin", "password": REDIRECT_PASSWORD}
                    )
                    args = {"url": stand_in.url, **login, "extra_headers": {"X-Rel-Token": REDIRECT_HEADER}}
                    tasks.append(_task(scenario, "qbt_info", args, execution))
                return tasks

            runs = _both(ansible, "redirects", build, verbosity=4)
        finally:
            for stand_in in stand_ins.values():
                stand_in.__exit__(None, None, None)
        return {"runs": runs, "received": list(target.received), "target": target.url, "scenarios": stand_ins}


@pytest.mark.parametrize("execution", EXECUTIONS)
def test_redirect_refused_and_named(redirect_runs, execution):
    """Each redirect fails the task with a message naming the status and the target address."""
    run = redirect_runs["runs"][execution]
    port = redirect_runs["target"].rsplit(":", 1)[1]
    problems = []
    for scenario in redirect_runs["scenarios"]:
        status = scenario.rsplit("-", 1)[1]
        problems += _refused(run, scenario, rf"HTTP {status} with a redirect to http://127\.0\.0\.1:{port}/{scenario}/")
    relkit.TALLY.bad_inputs += len(redirect_runs["scenarios"])
    assert not problems, "\n".join(problems)


def test_redirect_target_got_no_credential(redirect_runs):
    """The listener the redirects point at never sees a password, API key, cookie or extra_headers value."""
    secrets = {"password": REDIRECT_PASSWORD, "API key": REDIRECT_KEY, "cookie": REDIRECT_COOKIE}
    secrets["extra_headers value"] = REDIRECT_HEADER
    leaks = [
        f"{label} in: {text.splitlines()[0]}"
        for text in redirect_runs["received"]
        for label, value in secrets.items()
        if value in text
    ]
    relkit.TALLY.notes.append(
        f"redirects: {len(redirect_runs['scenarios'])} scenarios x {len(EXECUTIONS)} paths refused; the redirect "
        f"target received {len(redirect_runs['received'])} requests, with no credential"
    )
    assert not leaks, leaks


# ------------------------------------------------------------------------------------------------ credentials
@pytest.fixture(scope="module")
def credential_runs(hard, ansible) -> dict[str, Any]:
    """Credentials in options that are not secret options, at -vvvv with ANSIBLE_LOG_PATH, on both paths."""
    port = hard.proxy.url.split(":")[2].split("/")[0]
    proxy = f"http://rel-puser:{PROXY_PASSWORD}@127.0.0.1:{relkit.free_port()}"
    auth = {"auth": ["rel-auth-user", AUTH_PASSWORD]}

    def build(execution: str) -> list[dict[str, Any]]:
        tag = f"cred-{execution}"
        login = hard.login_options(tag=tag)
        return [
            _task("url userinfo", "qbt_info", {"url": f"http://rel-user:{URL_PASSWORD}@127.0.0.1:{port}/"}, execution),
            _task("url userinfo, no scheme", "qbt_tag",
                  {"url": f"rel-user:{URL_PASSWORD}@127.0.0.1:{port}", "tags": ["rel-x"]}, execution),
            _task("extra headers", "qbt_category",
                  {**login, "name": f"rel-cred-{execution}", "extra_headers": {"X-Rel-Auth": HEADER_SECRET}},
                  execution),
            _task("extra headers failing", "qbt_info",
                  {**login, "password": "wrong", "extra_headers": {"X-Rel-Auth": HEADER_SECRET}}, execution),
            _task("proxy credentials", "qbt_info", {**login, "requests_args": {"proxies": {"http": proxy}}}, execution),
            _task("requests auth", "qbt_tag", {**login, "tags": [f"rel-cred-{execution}"], "requests_args": auth},
                  execution),
        ]  # fmt: skip

    runs, logs = {}, {}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = {}
        for execution in EXECUTIONS:
            log = ansible.workdir / f"credentials-{execution}.log"
            logs[execution] = log
            futures[execution] = pool.submit(
                ansible.play, build(execution), f"credentials-{execution}", verbosity=4, diff=True,
                env={"ANSIBLE_LOG_PATH": str(log)},
            )  # fmt: skip
        runs = {execution: future.result() for execution, future in futures.items()}
    return {"runs": runs, "logs": logs}


@pytest.mark.parametrize("execution", EXECUTIONS)
def test_credentials_never_shown(credential_runs, execution):
    """No credential in the output, the results (with api_calls at -vvvv), the errors or the log file."""
    run = credential_runs["runs"][execution]
    log = credential_runs["logs"][execution]
    assert log.is_file() and log.stat().st_size > 0, "ANSIBLE_LOG_PATH was not written"
    leaks = relkit.SECRETS.scan(log.read_text(encoding="utf-8"), f"{log.name}")
    leaks += relkit.SECRETS.scan(run.output, f"{run.folder.name}/output.log", record=False)
    leaks += relkit.SECRETS.scan(json.dumps(run.records), f"{run.folder.name}/records", record=False)
    assert not leaks, leaks
    problems = []
    for name in ("url userinfo", "url userinfo, no scheme"):
        problems += _refused(run, name, r"url: .*carries a username and password before the host")
    record = run.record("extra headers")
    if record["status"] != "ok":
        problems.append(f"extra headers: {record['result'].get('msg')}")
    elif not record["result"].get("api_calls"):
        problems.append("extra headers: no api_calls at -vvvv (the scan would prove less)")
    # requests wants auth as a tuple, and YAML gives a list: known to fail (reported); only the masking counts here
    auth = run.record("requests auth")
    if auth["status"] != "ok" and execution == "in_process":
        relkit.TALLY.notes.append(f"requests_args.auth as a YAML list fails: {str(auth['result'].get('msg'))[:120]}")
    for name in ("extra headers failing", "proxy credentials"):
        if not run.failed(name):
            problems.append(f"{name} did not fail")
    relkit.TALLY.bad_inputs += 4
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------------------ request_deadline
@pytest.fixture(scope="module")
def trickle_runs(ansible) -> dict[str, relkit.Run]:
    with relkit.Trickle(limit=60) as trickle:
        args = {"url": trickle.url, "username": "admin", "password": TRICKLE_PASSWORD, "timeout": 5}
        args["request_deadline"] = 3

        def build(execution: str) -> list[dict[str, Any]]:
            return [_task("trickle", "qbt_info", args, execution)]

        return _both(ansible, "trickle", build, timeout=120)


@pytest.mark.parametrize("execution", EXECUTIONS)
def test_request_deadline_bounds_a_trickle(trickle_runs, execution):
    """One byte per second never trips a 5 s read timeout; the 3 s deadline ends the task, well within 30 s."""
    run = trickle_runs[execution]
    problems = _refused(run, "trickle", r"did not finish within 3 s \(the request_deadline option")
    relkit.TALLY.fault(f"a server answering one byte per second ({execution})")
    assert not problems, problems
    assert run.seconds < 30, f"the playbook took {run.seconds:.1f} s"


# ------------------------------------------------------------------------------------------------ TLS downloads
@pytest.fixture(scope="module")
def tls_runs(hard, fleet, ansible, workdir) -> dict[str, Any]:
    """A .torrent per path served over HTTPS with a certificate signed by the harness's private CA."""
    made = relkit.make_torrents(workdir / "tls-download", "rel-tls-", len(EXECUTIONS))
    routes = {}
    for execution, torrent in zip(EXECUTIONS, made):
        routes[("GET", f"/{execution}.torrent")] = (200, {}, Path(torrent["torrent"]).read_bytes())
    tls = (fleet.tls["server_cert"], fleet.tls["server_key"])
    with relkit.Recorder(routes, default=(404, {}, "not here"), tls=tls) as server:

        def build(execution: str) -> list[dict[str, Any]]:
            login = hard.login_options(tag=f"tls-{execution}")
            args = {**login, "source": f"{server.url}/{execution}.torrent", "state": "stopped"}
            args["save_path"] = str(Path(made[0]["data"]).parent)
            return [
                _task("without ca_path", "qbt_torrent", args, execution),
                _task("with ca_path", "qbt_torrent", {**args, "ca_path": fleet.tls["ca_cert"]}, execution),
            ]

        runs = _both(ansible, "tls-download", build)
    present = {t["hash"] for t in hard.api.get("torrents/info")}
    return {"runs": runs, "hashes": dict(zip(EXECUTIONS, (t["id"] for t in made))), "present": present,
            "url": server.url}  # fmt: skip


@pytest.mark.parametrize("execution", EXECUTIONS)
def test_tls_download_uses_ca_path(tls_runs, execution):
    run = tls_runs["runs"][execution]
    port = tls_runs["url"].rsplit(":", 1)[1]
    problems = _refused(
        run, "without ca_path", rf"cannot download https://127\.0\.0\.1:{port}/{execution}\.torrent.*certificate"
    )
    record = run.record("with ca_path")
    if record["status"] != "ok" or not record["result"].get("changed"):
        problems.append(f"with ca_path: {record['status']}: {record['result'].get('msg')}")
    if tls_runs["hashes"][execution] not in tls_runs["present"]:
        problems.append("the torrent is not on the server")
    relkit.TALLY.bad_inputs += 1
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------------------ paths
@pytest.fixture(scope="module")
def path_runs(hard, ansible) -> dict[str, Any]:
    def build(execution: str) -> list[dict[str, Any]]:
        args = {**hard.login_options(tag=f"path-{execution}"), "name": f"rel-path-{execution}"}
        args["save_path"] = "/srv/a/../b//"
        return [_task("first", "qbt_category", args, execution), _task("second", "qbt_category", args, execution)]

    runs = _both(ansible, "paths", build)
    return {"runs": runs, "categories": hard.api.get("torrents/categories")}


@pytest.mark.parametrize("execution", EXECUTIONS)
def test_path_converges_in_one_run(path_runs, execution):
    run = path_runs["runs"][execution]
    first, second = run.record("first"), run.record("second")
    assert first["status"] == "ok" and first["result"]["changed"], first["result"].get("msg")
    assert second["status"] == "ok", second["result"].get("msg")
    assert not second["result"]["changed"], f"the second run changed again: {second['result'].get('diff')}"
    assert path_runs["categories"][f"rel-path-{execution}"]["savePath"].rstrip("/") == "/srv/b"


# ------------------------------------------------------------------------------------------------ purge guard
PURGES = (("categories", "qbt_category"), ("tags", "qbt_tag"), ("feeds", "qbt_rss_feed"), ("rules", "qbt_rss_rule"))


@pytest.fixture(scope="module")
def purge_runs(hard, ansible) -> dict[str, Any]:
    before = _state(hard)

    def build(execution: str) -> list[dict[str, Any]]:
        return [
            _task(f"empty {option}", module,
                  {**hard.login_options(tag=f"purge-{execution}-{option}"), option: [], "purge": True}, execution)
            for option, module in PURGES
        ]  # fmt: skip

    runs = _both(ansible, "purge-guard", build)
    return {"runs": runs, "before": before, "after": _state(hard)}


@pytest.mark.parametrize("execution", EXECUTIONS)
def test_empty_purge_refused(purge_runs, hard, execution):
    run = purge_runs["runs"][execution]
    problems = []
    for option, _module in PURGES:
        tag = f"purge-{execution}-{option}"
        problems += _refused(run, f"empty {option}", rf"purge: {option} declares nothing to keep.*allow_empty_purge")
        writes = hard.proxy.writes(tag)
        if writes:
            problems.append(f"empty {option}: wrote {[(w.method, w.endpoint) for w in writes]}")
    relkit.TALLY.bad_inputs += len(PURGES)
    assert not problems, "\n".join(problems)
    assert purge_runs["after"] == purge_runs["before"]


# ------------------------------------------------------------------------------------------------ category conflict
@pytest.fixture(scope="module")
def conflict_runs(hard, ansible) -> dict[str, Any]:
    hard.api.post("torrents/createCategory", {"category": "rt-par", "savePath": ""})
    before = _state(hard)

    def build(execution: str) -> list[dict[str, Any]]:
        args = {**hard.login_options(tag=f"conflict-{execution}")}
        args["categories"] = [{"name": "rt-par", "state": "absent"}, {"name": "rt-par/child"}]
        return [_task("conflict", "qbt_category", args, execution)]

    runs = _both(ansible, "category-conflict", build)
    return {"runs": runs, "before": before, "after": _state(hard)}


@pytest.mark.parametrize("execution", EXECUTIONS)
def test_category_conflict_refused(conflict_runs, hard, execution):
    """Removing rt-par while declaring rt-par/child (which needs rt-par) is refused before any write."""
    run = conflict_runs["runs"][execution]
    problems = _refused(run, "conflict", r"rt-par")
    writes = hard.proxy.writes(f"conflict-{execution}")
    if writes:
        problems.append(f"wrote {[(w.method, w.endpoint) for w in writes]}")
    if conflict_runs["after"] != conflict_runs["before"]:
        problems.append(
            f"categories changed: {sorted(conflict_runs['before']['categories'])} -> "
            f"{sorted(conflict_runs['after']['categories'])}"
        )
    relkit.TALLY.bad_inputs += 1
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------------------ RSS patterns
@pytest.fixture(scope="module")
def pcre_runs(hard, ansible) -> dict[str, Any]:
    def build(execution: str) -> list[dict[str, Any]]:
        args = {**hard.login_options(tag=f"pcre-{execution}"), "name": f"Rel pcre {execution}", "use_regex": True}
        args.update(must_contain=r"\p{L}+", must_not_contain=r"(?<=ab|c)x")
        return [_task("pcre", "qbt_rss_rule", args, execution)]

    runs = _both(ansible, "rss-pcre", build)
    return {"runs": runs, "rules": hard.api.get("rss/rules")}


@pytest.mark.parametrize("execution", EXECUTIONS)
def test_pcre_pattern_warns(pcre_runs, execution):
    record = pcre_runs["runs"][execution].record("pcre")
    assert record["status"] == "ok", record["result"].get("msg")
    warnings = " ".join(map(str, record["result"].get("warnings", [])))
    for pattern in (r"\p{L}+", r"(?<=ab|c)x"):
        assert f"Python cannot read '{pattern}'" in warnings, warnings
    rule = pcre_runs["rules"].get(f"Rel pcre {execution}")
    assert rule and rule["mustContain"] == r"\p{L}+" and rule["mustNotContain"] == r"(?<=ab|c)x", rule


# ------------------------------------------------------------------------------------------------ concurrency
WORKERS = 5


def _fork_run(ansible, hard, folder: Path, name: str, tasks: list[dict[str, Any]]) -> relkit.Run:
    folder.mkdir(parents=True, exist_ok=True)
    common = {"ansible_connection": "local", "ansible_python_interpreter": relkit.PYTHON}
    hosts = {
        f"w{index}": {
            **common,
            "qbt_url": hard.proxy.tagged(f"{name}-{index}"),
            "qbt_username": hard.username,
            "qbt_password": hard.password,
            "qbt_execution": "module" if index >= 3 else "in_process",  # both paths at once
        }
        for index in range(WORKERS)
    }
    inventory = folder / "inventory.json"
    inventory.write_text(json.dumps({"all": {"hosts": hosts}}), encoding="utf-8")
    return ansible.play(tasks, name, hosts="all", inventory=inventory, forks=WORKERS)


LOGIN = {"url": "{{ qbt_url }}", "username": "{{ qbt_username }}", "password": "{{ qbt_password }}"}


def test_five_forks_same_new_category(hard, ansible, workdir):
    task = relkit.task("same", "qbt_category", {**LOGIN, "name": "rel-same", "save_path": "/srv/same"})
    run = _fork_run(ansible, hard, workdir / "same-category", "same-category", [task])
    failed = [(r["host"], r["result"].get("msg")) for r in run.records if r["status"] != "ok"]
    assert not failed and run.rc == 0, failed or run.output[-2000:]
    assert hard.api.get("torrents/categories")["rel-same"]["savePath"].rstrip("/") == "/srv/same"


def test_five_forks_same_magnet(hard, ansible, workdir):
    link, link_hash = relkit.magnet("rel-same-magnet")
    args = {**LOGIN, "source": link, "state": "stopped", "save_path": str(workdir / "same-magnet")}
    run = _fork_run(ansible, hard, workdir / "same-magnet", "same-magnet", [relkit.task("same", "qbt_torrent", args)])
    failed = [(r["host"], r["result"].get("msg")) for r in run.records if r["status"] != "ok"]
    assert not failed and run.rc == 0, failed or run.output[-2000:]
    hashes = [t["hash"] for t in hard.api.get("torrents/info")]
    assert hashes.count(link_hash) == 1


# ------------------------------------------------------------------------------------------------ purge allowed (last)
def test_empty_purge_allowed(hard, ansible):
    """With allow_empty_purge: true, an empty list purges everything of its kind (runs last on this server)."""

    def build(execution: str) -> list[dict[str, Any]]:
        chosen = PURGES[:2] if execution == "in_process" else PURGES[2:]
        return [
            _task(f"allowed {option}", module,
                  {**hard.login_options(tag=f"allowed-{option}"), option: [], "purge": True,
                   "allow_empty_purge": True}, execution)
            for option, module in chosen
        ]  # fmt: skip

    runs = _both(ansible, "purge-allowed", build)
    for execution, run in runs.items():
        for record in run.records:
            assert record["status"] == "ok" and record["result"]["changed"], (execution, record["result"].get("msg"))
    state = _state(hard)
    assert state["categories"] == {} and state["tags"] == [], state
    assert state["rss_items"] == {} and state["rss_rules"] == {}, state
