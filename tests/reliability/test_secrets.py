# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets: every module at -vvvv --diff, on both execution paths (in-process action plugin and module process),
with passwords, API keys and secret preferences given as options, as environment variables exported for
ansible-playbook, through the task's environment keyword, and as preference values the server holds. The console
output (default and JSON result format), every task result (what callbacks and register get) and the diffs must
contain none of them.

Every ansible-playbook run of the whole suite is scanned the same way (relkit.Ansible.play); this file makes sure
every module and every way a secret can come in is exercised.

Known Ansible behaviour, measured and reported here but not counted as a collection leak: on the module path
Ansible itself prints the values of a task's environment keyword at -vvvv, in the EXEC line it runs the module
with. The in-process path never builds that line.
"""

from __future__ import annotations

import concurrent.futures
from typing import Any

import pytest
import relkit

PROXY_PASSWORD = "rel-proxy-" + relkit.qbt_harness.secrets.token_urlsafe(12)
MAIL_PASSWORD = "rel-mail-" + relkit.qbt_harness.secrets.token_urlsafe(12)
DYNDNS_PASSWORD = "rel-dyndns-" + relkit.qbt_harness.secrets.token_urlsafe(12)
PROXY_AUTH = "rel-basic-" + relkit.qbt_harness.secrets.token_urlsafe(12)
NEW_WEBUI_PASSWORD = "rel-webui-" + relkit.qbt_harness.secrets.token_urlsafe(12)
for _value, _label in (
    (PROXY_PASSWORD, "proxy_password preference"),
    (MAIL_PASSWORD, "mail_notification_password preference"),
    (DYNDNS_PASSWORD, "dyndns_password preference"),
    (PROXY_AUTH, "a Proxy-Authorization header value"),
    (NEW_WEBUI_PASSWORD, "a new WebUI password"),
):
    relkit.SECRETS.add(_value, _label)
PATHS = ("in_process", "module")


def module_tasks(fleet, path: str, variant: str, workdir: str) -> list[dict[str, Any]]:
    """A task of every module that carries secrets as options, changes something (diff) and reads secrets back.

    VARIANT keeps the objects of runs that go side by side apart."""
    new, old = fleet["new"], fleet["old"]
    path_name = path
    path = f"{variant}-{path}"
    link, link_hash = relkit.magnet(f"rel-secrets-{path}")
    key = {"url": new.proxy.tagged(f"secrets-{path}"), "api_key": new.api_key}
    password = old.login_options(tag=f"secrets-{path}")
    headers = {"Proxy-Authorization": f"Basic {PROXY_AUTH}", "Authorization": f"Bearer {new.api_key}"}
    feed = f"http://127.0.0.1:9/rel-secrets-{path}.xml"
    entries = [
        ("prefs", "qbt_preferences", dict(password, preferences={"proxy_password": PROXY_PASSWORD, "dl_limit": 2048},
                                          secret_preferences={"mail_notification_password": MAIL_PASSWORD,
                                                              "dyndns_password": DYNDNS_PASSWORD})),
        ("prefs key", "qbt_preferences", dict(key, secret_preferences={"proxy_password": PROXY_PASSWORD,
                                                                       "dyndns_password": DYNDNS_PASSWORD})),
        ("webui password", "qbt_preferences", dict(password, secret_preferences={"web_ui_password": old.password},
                                                   update_password="always")),
        ("info password", "qbt_info", dict(password, gather_subset=["all"])),
        ("info key", "qbt_info", dict(key, gather_subset=["all"], rss_articles=True)),
        ("info headers", "qbt_info", {"url": key["url"], "extra_headers": headers, "gather_subset": ["preferences"]}),
        ("category", "qbt_category", dict(password, name=f"rel-secrets-{path}", save_path=f"{workdir}/s")),
        ("tag", "qbt_tag", dict(key, tags=[f"rel-secrets-{path}"])),
        ("torrent", "qbt_torrent", dict(key, source=link, category="rel-movies", state="stopped")),
        ("torrent remove", "qbt_torrent", dict(key, hash=link_hash, state="absent")),
        ("feed", "qbt_rss_feed", dict(password, path=f"Rel\\Secrets {path}", feed_url=feed)),
        ("rule", "qbt_rss_rule", dict(key, name=f"Rel secrets {path}", affected_feeds=["Rel\\Feed"])),
        ("api key", "qbt_api_key", dict(password, url=new.proxy.tagged(f"secrets-{path}"), username=new.username,
                                        password=new.password)),
        ("wrong password", "qbt_info", dict(password, password=old.password + "-wrong")),
        ("wrong key", "qbt_info", dict(key, api_key=new.api_key + "x")),
        ("failing with secrets", "qbt_preferences", dict(key, secret_preferences={"proxy_password": PROXY_PASSWORD},
                                                         preferences={"dl_limitt": 1})),
    ]  # fmt: skip
    tasks = []
    for name, module, args in entries:
        keywords: dict[str, Any] = {"ignore_errors": True, "vars": {"qbt_execution": path_name}}
        if module == "qbt_api_key":
            keywords["no_log"] = True  # the returned key is a secret by design (the module's documentation)
        else:
            keywords["register"] = f"r_{path_name}_{len(tasks)}"
        tasks.append(relkit.task(f"{path_name}: {name}", module, args, **keywords))
    return tasks


def dump_registered(tasks: list[dict[str, Any]]) -> dict[str, Any]:
    """A last task that prints every registered result (what a playbook could go on to show)."""
    names = [entry["register"] for entry in tasks if "register" in entry and not entry.get("no_log")]
    return {"name": "registered results", "ansible.builtin.debug": {"msg": "{{ [" + ", ".join(names) + "] }}"}}


def assert_ran(run: relkit.Run, tasks: list[dict[str, Any]]) -> None:
    """The secret-carrying tasks really ran and did their work (so a clean scan means something)."""
    for entry in tasks:
        name = entry["name"]
        record = run.record(name)
        expected_failure = "wrong" in name or "failing" in name
        assert (record["status"] == "failed") == expected_failure, f"{name}: {record['result'].get('msg')}"


@pytest.fixture(scope="module")
def clean_slate(fleet, seeded):
    """Afterwards, the secret preferences the tests set are emptied again (other tests read the same servers)."""
    yield
    for key in ("old", "new"):
        fleet[key].api.post(
            "app/setPreferences",
            {"json": '{"proxy_password": "", "mail_notification_password": "", "dyndns_password": ""}'},
        )


@pytest.fixture(scope="module")
def option_runs(fleet, ansible, seeded, workdir, clean_slate) -> dict[str, tuple[relkit.Run, list]]:
    """Every module on both paths at -vvvv --diff, in the default and the JSON result format (side by side)."""
    plays = {}
    for result_format in ("text", "json"):
        tasks = module_tasks(fleet, "in_process", result_format, str(workdir))
        # the module path: one task per module and kind of secret (each costs a process)
        skip = ("headers", "remove", "info password")
        skip += ("key", "password") if result_format == "json" else ()
        tasks += [t for t in module_tasks(fleet, "module", result_format, str(workdir)) if not t["name"].endswith(skip)]
        env = {"ANSIBLE_CALLBACK_RESULT_FORMAT": "json"} if result_format == "json" else {}
        plays[result_format] = (tasks, env)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = {
            name: pool.submit(ansible.play, [*tasks, dump_registered(tasks)], f"secrets-options-{name}", verbosity=4,
                              diff=True, env=env)
            for name, (tasks, env) in plays.items()
        }  # fmt: skip
        return {name: (future.result(), plays[name][0]) for name, future in futures.items()}


@pytest.mark.parametrize("result_format", ["text", "json"])
def test_options_at_vvvv(option_runs, result_format):
    run, tasks = option_runs[result_format]
    assert_ran(run, tasks)
    assert "registered results" in run.output and "********" in run.output  # secrets shown masked, so they were there
    for name in ("output.log", "records.jsonl"):
        leaks = relkit.SECRETS.scan((run.folder / name).read_text(encoding="utf-8"), name, record=False)
        assert not leaks, "\n".join(leaks)


def env_tasks(server: str, path: str) -> list[dict[str, Any]]:
    """Every module, with no connection option: the QBITTORRENTAPI_* variables carry them."""
    link, link_hash = relkit.magnet(f"rel-env-{server}-{path}")
    entries = [
        ("info", "qbt_info", {"gather_subset": ["all"]}),
        ("prefs", "qbt_preferences", {"secret_preferences": {"proxy_password": PROXY_PASSWORD},
                                      "preferences": {"dl_limit": 4096}}),
        ("category", "qbt_category", {"name": f"rel-env-{path}"}),
        ("tag", "qbt_tag", {"tags": [f"rel-env-{path}"]}),
        ("torrent", "qbt_torrent", {"source": link, "state": "stopped", "category": "rel-movies"}),
        ("torrent remove", "qbt_torrent", {"hash": link_hash, "state": "absent"}),
        ("feed", "qbt_rss_feed", {"path": f"Rel\\Env {path}", "feed_url": f"http://127.0.0.1:9/env-{path}.xml"}),
        ("rule", "qbt_rss_rule", {"name": f"Rel env {path}", "must_contain": "env"}),
    ]  # fmt: skip
    if server == "new":
        entries.append(("api key", "qbt_api_key", {}))
    if path == "module":  # the module path costs a process per task: one task per kind of secret
        entries = [entry for entry in entries if entry[0] in ("info", "prefs", "api key")]
    tasks = []
    for name, module, args in entries:
        keywords: dict[str, Any] = {"vars": {"qbt_execution": path}}
        if module == "qbt_api_key":
            keywords["no_log"] = True
        else:
            keywords["register"] = f"r_{path}_{len(tasks)}"
        tasks.append(relkit.task(f"{path}: {name}", module, args, **keywords))
    return tasks


@pytest.mark.parametrize("server", ["old", "new"])
def test_environment_variables_exported(fleet, ansible, clean_slate, server):
    """QBITTORRENTAPI_* exported for ansible-playbook: module processes and the in-process path read them."""
    handle = fleet[server]
    env = {"QBITTORRENTAPI_HOST": handle.proxy.tagged(f"secrets-env-{server}")}
    if handle.api_key:
        env["QBITTORRENTAPI_API_KEY"] = handle.api_key
    else:
        env.update(QBITTORRENTAPI_USERNAME=handle.username, QBITTORRENTAPI_PASSWORD=handle.password)
    tasks = env_tasks(server, "in_process") + env_tasks(server, "module")
    leaks = len(relkit.TALLY.secret_leaks)
    run = ansible.play([*tasks, dump_registered(tasks)], f"secrets-env-{server}", verbosity=4, diff=True, env=env)
    assert_ran(run, tasks)
    assert len(relkit.TALLY.secret_leaks) == leaks, "\n".join(relkit.TALLY.secret_leaks[leaks:])
    assert handle.proxy.count(f"secrets-env-{server}") > 0  # the environment's URL was really used


def keyword_tasks(fleet, path: str) -> list[dict[str, Any]]:
    tasks = []
    for server in ("old", "new"):
        handle = fleet[server]
        env = {"QBITTORRENTAPI_HOST": handle.proxy.tagged(f"secrets-keyword-{path}")}
        if handle.api_key:
            env["QBITTORRENTAPI_API_KEY"] = handle.api_key
        else:
            env.update(QBITTORRENTAPI_USERNAME=handle.username, QBITTORRENTAPI_PASSWORD=handle.password)
        for name, module, args in (("info", "qbt_info", {"gather_subset": ["version", "preferences"]}),
                                   ("category", "qbt_category", {"name": f"rel-keyword-{path}"})):  # fmt: skip
            tasks.append(
                relkit.task(f"{path}: {server} {name}", module, args, environment=env, vars={"qbt_execution": path},
                            register=f"r_{len(tasks)}")
            )  # fmt: skip
    return tasks


def test_environment_keyword_in_process(fleet, ansible):
    tasks = keyword_tasks(fleet, "in_process")
    leaks = len(relkit.TALLY.secret_leaks)
    run = ansible.play([*tasks, dump_registered(tasks)], "secrets-keyword-in-process", verbosity=4, diff=True,
                       env={"ANSIBLE_CALLBACK_RESULT_FORMAT": "json"})  # fmt: skip
    assert_ran(run, tasks)
    assert "running in-process" in run.output  # the path under test
    assert len(relkit.TALLY.secret_leaks) == leaks, "\n".join(relkit.TALLY.secret_leaks[leaks:])


def test_environment_keyword_module_path_is_shown_by_ansible(fleet, ansible):
    """Measured, not counted: Ansible prints the environment keyword's values in the module EXEC line at -vvvv."""
    tasks = keyword_tasks(fleet, "module")
    run = ansible.play(tasks, "secrets-keyword-module", verbosity=4, scan=False)
    assert_ran(run, tasks)
    found = relkit.SECRETS.scan(run.output, "secrets-keyword-module/output.log", record=False)
    lines = [line for line in run.output.splitlines() if relkit.SECRETS.scan(line, "line", record=False)]
    outside_exec = [line.split(" ", 2)[:2] for line in lines if " EXEC /bin/sh -c " not in line]
    assert not outside_exec, f"secrets outside Ansible's EXEC lines: {outside_exec}"
    assert found, "Ansible no longer shows the environment keyword: update this test and the report"
    # the task results themselves are clean (counted like every other output)
    assert not relkit.SECRETS.scan((run.folder / "records.jsonl").read_text(encoding="utf-8"), "keyword records")
    relkit.TALLY.notes.append(
        f"ansible-core itself shows the environment keyword's values on the module path at -vvvv: {len(found)} "
        "occurrence(s), all in its EXEC command line (none in module output, results or diffs); the in-process path "
        "shows none. Pass credentials as options with vaulted variables, or export them, rather than environment:"
    )


def test_rotated_key_and_changed_password(fleet, ansible):
    """A key the module creates and a password the module sets: secrets that exist only after a task ran."""
    with fleet.throwaway("secrets-key") as handle:
        options = handle.login_options(tag="rotate")
        first = [
            relkit.task("rotate", "qbt_api_key", dict(options, rotate=True), no_log=True, register="rotated"),
            relkit.task(
                "use the new key",
                "qbt_tag",
                {"url": options["url"], "api_key": "{{ rotated.api_key }}", "tags": ["rel-key"]},
                register="r_0",
            ),  # fmt: skip
        ]
        run = ansible.play([*first, dump_registered(first)], "secrets-rotate", verbosity=4, diff=True)
        for entry in first:
            assert run.record(entry["name"])["status"] == "ok", run.result(entry["name"]).get("msg")
        # The new key is known only now: read it directly, then scan this run's outputs again for it.
        with relkit.DirectApi(handle.server.url, handle.username, handle.password, None, None).session() as http:
            rotated = http.get(handle.server.url + "/api/v2/app/preferences", timeout=10).json()["web_ui_api_key"]
        assert rotated.startswith("qbt_") and rotated != handle.api_key
        relkit.SECRETS.add(rotated, "an API key made by qbt_api_key rotate")
        late = relkit.Secrets()
        late.add(rotated, "an API key made by qbt_api_key rotate")
        for name in ("output.log", "records.jsonl"):
            assert not late.scan((run.folder / name).read_text(encoding="utf-8"), f"{run.folder.name}/{name}")

        second = [
            relkit.task(
                "new password",
                "qbt_preferences",
                dict(options, secret_preferences={"web_ui_password": NEW_WEBUI_PASSWORD}),
                register="r_1",
            ),  # fmt: skip
            relkit.task(
                "use the new password", "qbt_info", dict(options, password=NEW_WEBUI_PASSWORD), register="r_2"
            ),  # fmt: skip
            relkit.task(
                "use the key",
                "qbt_info",
                {"url": options["url"], "api_key": rotated},
                register="r_3",
                vars={"qbt_execution": "module"},
            ),  # fmt: skip
            relkit.task(
                "delete the key",
                "qbt_api_key",
                dict(options, password=NEW_WEBUI_PASSWORD, state="absent"),
                register="r_4",
                vars={"qbt_execution": "module"},
            ),  # fmt: skip
        ]
        leaks = len(relkit.TALLY.secret_leaks)
        run = ansible.play([*second, dump_registered(second)], "secrets-password", verbosity=4, diff=True)
        for entry in second:
            assert run.record(entry["name"])["status"] == "ok", run.result(entry["name"]).get("msg")
        assert run.result("new password")["changed"] and run.result("delete the key")["changed"]
        assert len(relkit.TALLY.secret_leaks) == leaks, "\n".join(relkit.TALLY.secret_leaks[leaks:])
