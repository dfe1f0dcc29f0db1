# shellcheck shell=bash
# Sourced by the runme.sh targets (aliases: needs/target/setup_runme). Finds the integration config: given as
# "-e @FILE" among the script's arguments (tests/dev-target), or where ansible-test copies it, two levels above the
# target's folder. Sets
#   config     a copy of it without qbt_execution: these targets choose the execution of each run themselves
#   execution  the config's qbt_execution (auto when it has none), for runs that follow the suite's choice
# and leaves the script's arguments ("$@") with "-e @$config" in place of the given file.
qbt_runme_args=()
qbt_runme_given=""
qbt_runme_previous=""
for qbt_runme_arg in "$@"; do
    if [ "$qbt_runme_previous" = "-e" ] && [ "${qbt_runme_arg#@}" != "$qbt_runme_arg" ]; then
        qbt_runme_given=${qbt_runme_arg#@}
        unset 'qbt_runme_args[${#qbt_runme_args[@]}-1]'
        qbt_runme_previous=""
        continue
    fi
    qbt_runme_args+=("$qbt_runme_arg")
    qbt_runme_previous=$qbt_runme_arg
done
if [ -z "$qbt_runme_given" ] && [ -f ../../integration_config.yml ]; then
    qbt_runme_given=$(cd ../.. && pwd)/integration_config.yml
fi
[ -n "$qbt_runme_given" ] || { echo "no integration config was found" >&2; exit 1; }
# shellcheck disable=SC2034  # used by the scripts that source this file
execution=$(sed -n 's/^qbt_execution: *//p' "$qbt_runme_given")
execution=${execution:-auto}
config=$(dirname "$qbt_runme_given")/runme_config.yml
grep -v '^qbt_execution:' "$qbt_runme_given" >"$config"
set -- "${qbt_runme_args[@]}" -e "@$config"
