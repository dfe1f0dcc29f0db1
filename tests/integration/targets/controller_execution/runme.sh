#!/usr/bin/env bash
# Controller-side execution (plugins/plugin_utils/_action.py), on the real servers:
# 1. compare.yml runs twice, in-process (qbt_execution=in_process, which fails any task that cannot run so) and as
#    modules (qbt_execution=module), each from the same server state, at -vvv with every result recorded by
#    callback_plugins/qbt_record.py; compare.py requires the same results, the same output (timings aside), the
#    path each run claims, and no secret anywhere;
# 2. the fallbacks: a connection that is not local, become, and a controller Python without requests choose the
#    module path (fallback.yml, norequests.yml), proven by ansible-core's own "Using module file" lines.
set -eu

# shellcheck source=tests/integration/targets/setup_runme/config.sh
source ../setup_runme/config.sh

args=("$@")
workdir=$(mktemp -d)
secret_pref="proxy-secret-$RANDOM$RANDOM"
export QBT_TEST_SECRET_PREF="$secret_pref" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
cleanup() {
    ansible-playbook -i localhost, -c local reset.yml "${args[@]}" -e qbt_reset=clear >/dev/null 2>&1 || true
    [ -n "${QBT_KEEP_LOGS:-}" ] || rm -rf "$workdir"
}
trap cleanup EXIT
fail() { # fail LOG: show the end of a log and stop
    tail -n 60 "$1"
    exit 1
}

for mode in in_process module; do
    ansible-playbook -i localhost, -c local reset.yml "$@" >"$workdir/reset_$mode.txt" 2>&1 || fail "$workdir/reset_$mode.txt"
    # ansible-core 2.21+ returns the invocation only with INJECT_INVOCATION: compare it there too.
    QBT_RECORD_FILE=$workdir/$mode.jsonl \
        ANSIBLE_CALLBACK_PLUGINS=${ANSIBLE_CALLBACK_PLUGINS:+$ANSIBLE_CALLBACK_PLUGINS:}$PWD/callback_plugins \
        ANSIBLE_CALLBACKS_ENABLED=${ANSIBLE_CALLBACKS_ENABLED:+$ANSIBLE_CALLBACKS_ENABLED,}qbt_record \
        ANSIBLE_INJECT_INVOCATION=1 \
        ansible-playbook -i localhost, -c local -vvv compare.yml "$@" -e qbt_execution=$mode \
        >"$workdir/$mode.log" 2>&1 || fail "$workdir/$mode.log"
done
python3 compare.py "$config" "$workdir" "$secret_pref"

# Fallback 1 and 2: ssh (to a closed loopback port) and become. su to root needs no password only for root.
printf 'sshhost ansible_connection=ssh ansible_host=127.0.0.1 ansible_port=1 ansible_user=nobody\n' >"$workdir/hosts"
printf 'localhost ansible_connection=local\n' >>"$workdir/hosts"
become=false
[ "$(id -u)" = 0 ] && become=true
ansible-playbook -i "$workdir/hosts" -vvv fallback.yml "$@" -e qbt_test_become=$become \
    >"$workdir/fallback.log" 2>&1 || fail "$workdir/fallback.log"
expect() { # expect LOG TEXT: the log has the line
    grep -qF -- "$2" "$1" || { echo "missing in $(basename "$1"): $2" >&2; exit 1; }
}
collection=$(ansible-doc -t module community.qbittorrent.qbt_info --json | python3 -c \
    'import json, sys; print(json.load(sys.stdin)["community.qbittorrent.qbt_info"]["doc"]["filename"])')
expect "$workdir/fallback.log" "<127.0.0.1> qbt_info: executing the module (the connection is ssh, not local)"
expect "$workdir/fallback.log" "<localhost> qbt_info: running in-process on the controller (local connection"
if [ "$become" = true ]; then
    expect "$workdir/fallback.log" "qbt_info: executing the module (become is on, so the module must run as the become user)"
    expect "$workdir/fallback.log" "Using module file $collection"
fi

# Fallback 3: the controller's Python cannot import requests (a stub first on PYTHONPATH makes the import fail as
# a missing package does); the module process, with PYTHONPATH emptied, imports the real one.
mkdir -p "$workdir/norequests/requests"
echo 'raise ImportError("No module named requests (hidden by the controller_execution test)")' \
    >"$workdir/norequests/requests/__init__.py"
PYTHONPATH=$workdir/norequests${PYTHONPATH:+:$PYTHONPATH} ansible-playbook -i localhost, -c local -vvv \
    norequests.yml "$@" >"$workdir/norequests.log" 2>&1 || fail "$workdir/norequests.log"
expect "$workdir/norequests.log" "cannot import requests (No module named requests (hidden by the controller_execution test))"
expect "$workdir/norequests.log" "Using module file $collection"
if grep -q "running in-process on the controller" "$workdir/norequests.log"; then
    echo "a task ran in-process although the controller cannot import requests" >&2
    exit 1
fi
echo "fallbacks: ssh, become ($become), no requests on the controller: module path taken"
