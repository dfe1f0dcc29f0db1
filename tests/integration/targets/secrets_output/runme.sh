#!/usr/bin/env bash
# Runs every secret-carrying task at -vvvv, and again with results printed as JSON, each in-process on the controller
# and as a module process, and fails if any password, API key or secret preference value appears anywhere in the
# output.
set -eu

# shellcheck source=tests/integration/targets/setup_runme/config.sh
source ../setup_runme/config.sh

workdir=$(mktemp -d)
trap '[ -n "${QBT_KEEP_LOGS:-}" ] || rm -rf "$workdir"' EXIT
secret_pref="proxy-secret-$RANDOM$RANDOM"
export QBT_TEST_SECRET_PREF="$secret_pref"

# Every run twice: in-process on the controller and as a module process (plugins/plugin_utils/_action.py).
for mode in in_process module; do
ansible-playbook -i localhost, -c local -vvvv playbook.yml "$@" -e qbt_execution=$mode >"$workdir/default_$mode.log" 2>&1 || {
    tail -n 60 "$workdir/default_$mode.log"
    exit 1
}
ANSIBLE_CALLBACK_RESULT_FORMAT=json ansible-playbook -i localhost, -c local -vvv playbook.yml "$@" \
    -e qbt_execution=$mode >"$workdir/json_$mode.log" 2>&1 || {
    tail -n 60 "$workdir/json_$mode.log"
    exit 1
}

# Credentials only in the environment, as QBITTORRENTAPI_* variables (a password login, then an API key).
for kind in password api_key; do
    eval "$(python3 - "$config" "$kind" <<'PY'
import shlex, sys, yaml
servers = yaml.safe_load(open(sys.argv[1]))["qbt_servers"]
plain = [s for s in servers if not s["https"]]
server = next(s for s in plain if s["api_key"]) if sys.argv[2] == "api_key" else plain[0]
values = {"QBITTORRENTAPI_HOST": server["url"]}
if sys.argv[2] == "api_key":
    values["QBITTORRENTAPI_API_KEY"] = server["api_key"]
else:
    values.update(QBITTORRENTAPI_USERNAME=server["username"], QBITTORRENTAPI_PASSWORD=server["password"])
print("; ".join(f"export {k}={shlex.quote(v)}" for k, v in values.items()))
PY
)"
    ansible-playbook -i localhost, -c local -vvvv env_playbook.yml "$@" -e qbt_execution=$mode \
        >"$workdir/env_${kind}_$mode.log" 2>&1 || {
        tail -n 60 "$workdir/env_${kind}_$mode.log"
        exit 1
    }
    unset QBITTORRENTAPI_HOST QBITTORRENTAPI_USERNAME QBITTORRENTAPI_PASSWORD QBITTORRENTAPI_API_KEY
done
done

python3 - "$config" "$workdir" "$secret_pref" <<'PY'
import pathlib
import sys

import yaml

config = yaml.safe_load(pathlib.Path(sys.argv[1]).read_text())
secrets = {sys.argv[3]}
for server in config["qbt_servers"]:
    secrets.add(server["password"])
    if server.get("api_key"):
        secrets.add(server["api_key"])
found = 0
for log in sorted(pathlib.Path(sys.argv[2]).glob("*.log")):
    text = log.read_text()
    assert "qbt_info" in text, f"{log.name} ran no qbt task"
    # qbt_execution=in_process fails a task that cannot run in-process; the module runs must be module runs.
    in_process, module = "running in-process on the controller" in text, "/plugins/modules/qbt_" in text
    assert (in_process, module) == ((True, False) if "in_process" in log.name else (False, True)), log.name
    for secret in secrets:
        if secret in text:
            found += 1
            line = text[: text.index(secret)].count("\n") + 1
            print(f"a secret appears in {log.name} at line {line}")
print(f"secrets checked: {len(secrets)}, outputs: {len(list(pathlib.Path(sys.argv[2]).glob('*.log')))}, leaks: {found}")
sys.exit(1 if found else 0)
PY
