#!/usr/bin/env bash
# Modules over SSH, for WebUIs that listen only on the server itself (issue 21): a throwaway OpenSSH server on a
# loopback port (tests/harness/ssh_server.py: its own host key and user key, no password login, 127.0.0.1 only),
# then
# 1. remote.yml on a host reached over ssh to it: every task is a module process there, reaching the real server on
#    that host's loopback; once with pipelining off (the payload is copied, ansible-core's "PUT ... AnsiballZ" lines)
#    and once with it on (no copy);
# 2. delegate.yml: the other way round, an inventory of the qBittorrent servers (hosts reached over ssh) with every
#    task delegated to the controller; sshd must see no login during that run;
# 3. missing.yml: a remote Python without requests, and one without packaging (venvs made here) fail with the
#    message that names the library and the interpreter.
set -eu

# shellcheck source=tests/integration/targets/setup_runme/config.sh
source ../setup_runme/config.sh
read -r harness state python < <(python3 - "$config" <<'PY'
import os, sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
print(config["qbt_harness_script"], os.path.dirname(config["qbt_harness_state"]), config["ansible_python_interpreter"])
PY
)
ssh_server=$(dirname "$harness")/ssh_server.py
[ -f "$ssh_server" ] || { echo "tests/harness/ssh_server.py not found next to $harness" >&2; exit 1; }

workdir=$(mktemp -d)
sshstate=$workdir/sshd
# The interpreter comes from the inventory here (each host has its own), so the config must not set it as an
# extra variable, which would win over every host's.
grep -v '^ansible_python_interpreter:' "$config" >"$workdir/config.yml"
args=()
for arg in "$@"; do
    if [ "$arg" = "@$config" ]; then args+=("@$workdir/config.yml"); else args+=("$arg"); fi
done
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_INVENTORY_UNPARSED_FAILED=1 ANSIBLE_PYTHON_INTERPRETER=$python
# ansible-core's ssh masters (ControlPersist) live in this folder, so cleanup can end them with the sshd
export ANSIBLE_SSH_CONTROL_PATH_DIR=$workdir/cp
cleanup() {
    local socket
    for socket in "$workdir"/cp/*; do
        if [ -S "$socket" ]; then ssh -O exit -o ControlPath="$socket" 127.0.0.1 >/dev/null 2>&1 || true; fi
    done
    python3 "$ssh_server" stop --state "$sshstate" >/dev/null 2>&1 || true
    [ -n "${QBT_KEEP_LOGS:-}" ] || rm -rf "$workdir"
}
trap cleanup EXIT
fail() { # fail LOG: show the end of a log and stop
    tail -n 60 "$1"
    exit 1
}
expect() { # expect LOG TEXT: the log has the line
    grep -qF -- "$2" "$1" || { echo "missing in $(basename "$1"): $2" >&2; exit 1; }
}
logins() { # how many logins sshd accepted so far
    grep -c 'Accepted publickey' "$sshstate/sshd.log" || true
}

python3 "$ssh_server" start --state "$sshstate" >/dev/null
read -r port user key ssh_args < <(python3 - "$sshstate/ssh.json" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))
print(info["port"], info["user"], info["private_key"], info["ssh_args"])
PY
)
run_id=$RANDOM$RANDOM

# Two venvs of the remote's Python: one without requests and packaging, one with requests (and what it needs,
# linked from the modules' venv) but no packaging.
"$python" -m venv --without-pip "$workdir/bare"
"$python" -m venv --without-pip "$workdir/nopackaging"
site=$("$workdir/nopackaging/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
"$python" - "$site" <<'PY'
import importlib, os, sys
for name in ("requests", "urllib3", "idna", "charset_normalizer", "certifi"):
    folder = os.path.dirname(importlib.import_module(name).__file__)
    os.symlink(folder, os.path.join(sys.argv[1], name))
PY
"$workdir/nopackaging/bin/python" -c 'import requests' || { echo "the venv without packaging cannot import requests" >&2; exit 1; }
if "$workdir/nopackaging/bin/python" -c 'import packaging' 2>/dev/null; then
    echo "the venv without packaging can import it" >&2
    exit 1
fi

ssh_var_list=(ansible_connection=ssh ansible_host=127.0.0.1 "ansible_port=$port" "ansible_user=$user"
    "ansible_ssh_private_key_file=$key" "ansible_ssh_common_args='$ssh_args'")
ssh_vars="${ssh_var_list[*]}"
cat >"$workdir/hosts" <<INI
[over_ssh]
sshhost $ssh_vars ansible_python_interpreter=$python

[no_requests]
ssh-bare $ssh_vars ansible_python_interpreter=$workdir/bare/bin/python qbt_missing_library=requests

[no_packaging]
ssh-nopackaging $ssh_vars ansible_python_interpreter=$workdir/nopackaging/bin/python qbt_missing_library=packaging

[qbittorrent]

[qbittorrent:vars]
$(printf '%s\n' "${ssh_var_list[@]}")
INI
"$python" "$harness" inventory --state "$state" --out "$workdir/servers.yml"

# 1. over ssh, pipelining off then on
for pipelining in False True; do
    log=$workdir/remote_$pipelining.log
    ANSIBLE_PIPELINING=$pipelining ansible-playbook -i "$workdir/hosts" -vvv remote.yml "${args[@]}" \
        -e "qbt_ssh_run=$run_id$pipelining" -e "qbt_execution=$execution" \
        >"$log" 2>&1 || fail "$log"
    expect "$log" "<127.0.0.1> qbt_tag: executing the module ("
    expect "$log" "<127.0.0.1> SSH: EXEC ssh"
    if grep -q 'running in-process on the controller' "$log"; then
        echo "a task over ssh ran in-process on the controller (pipelining $pipelining)" >&2
        exit 1
    fi
    if [ "$pipelining" = False ]; then
        expect "$log" "AnsiballZ_qbt_tag.py"
        grep -q '<127.0.0.1> PUT .*AnsiballZ_qbt_info.py' "$log" || { echo "no payload was copied without pipelining" >&2; exit 1; }
    elif grep -q '<127.0.0.1> PUT .*AnsiballZ' "$log"; then
        echo "a payload was copied although pipelining is on" >&2
        exit 1
    fi
done
[ "$(logins)" -ge 1 ] || { echo "sshd accepted no login" >&2; exit 1; }
echo "over ssh: tasks ran as module processes on 127.0.0.1:$port, pipelining off and on"

# 2. delegate_to the controller
before=$(logins)
log=$workdir/delegate.log
ansible-playbook -i "$workdir/servers.yml" -i "$workdir/hosts" --limit qbittorrent -vvv delegate.yml "${args[@]}" \
    -e "qbt_ssh_run=$run_id" -e "qbt_execution=$execution" >"$log" 2>&1 || fail "$log"
if grep -q 'SSH: EXEC' "$log" || [ "$(logins)" != "$before" ]; then
    echo "a delegated task connected over ssh" >&2
    exit 1
fi
hosts=$(sed -n '/PLAY RECAP/,$p' "$log" | grep -c '^qbt-.*failed=0')
[ "$hosts" -ge 2 ] || { echo "the delegated run did not cover the servers" >&2; exit 1; }
echo "delegate_to localhost: $hosts servers declared from the controller, no ssh login"

# 3. a remote Python without requests, without packaging
log=$workdir/missing.log
ansible-playbook -i "$workdir/hosts" -vvv missing.yml "${args[@]}" >"$log" 2>&1 || fail "$log"
echo "a remote Python without requests or packaging: the message names the library and the interpreter"
