# Shared by tests/run and demo/run: installs what the project needs on a fresh machine (Debian packages, real
# Python interpreters on PATH, ansible-test's offline pip stand-in, the virtual environment), idempotently and
# quickly when it is already there. Source it; it defines variables and functions and runs nothing.
# shellcheck shell=bash

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/community.qbittorrent
BIN=$CACHE/bin
REQUIREMENTS=$REPO/tests/requirements-ci.txt
# One venv per content of tests/requirements-ci.txt, so runs of checkouts with different requirements (a clean clone
# and a work tree) never rebuild a venv under each other; venv-py3.11 links to the one used last (tests/dev-target).
VENV=$CACHE/venv-py3.11-$(sha256sum "$REQUIREMENTS" | cut -c1-12)
# The collection-quality tools (ansible-lint, antsibull-docs, antsibull-changelog, ansible-builder, Sphinx, newest
# ansible-core), one venv per content of tests/requirements-tools.txt for the same reason as above
TOOLS_REQUIREMENTS=$REPO/tests/requirements-tools.txt
TOOLS_VENV=$CACHE/venv-tools-$(sha256sum "$TOOLS_REQUIREMENTS" | cut -c1-12)
# The ansible-core release lines the collection is tested on, oldest first, each with the controller Python it runs
# on (2.20 and later need Python 3.12) and a venv of its own, $CACHE/venv-ac<line>. Keep requires_ansible in
# meta/runtime.yml at the oldest line.
# shellcheck disable=SC2034  # used by the scripts that source this file
AC_LINES=(2.17 2.18 2.19 2.20 2.21)
declare -A AC_PYTHON=([2.17]=3.11 [2.18]=3.11 [2.19]=3.11 [2.20]=3.12 [2.21]=3.12)
# shellcheck disable=SC2034  # used by the scripts that source this file
HARNESS=tests/harness/qbt_harness.py
# shellcheck disable=SC2034
# (chromium: tests/run's docsite step opens the rendered HTML docsite in it, headless)
APT_PACKAGES=(openssl shellcheck chromium openssh-server openssh-client)

apt_install() { # apt_install PKG...: install the missing ones; apt-get update only if needed
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  apt-get install -y -q "${missing[@]}" || { apt-get update -q && apt-get install -y -q "${missing[@]}"; }
}

link_pythons() { # real python3.X links first on PATH: pyenv shims fail inside ansible-test
  mkdir -p "$BIN"
  local dir minor
  # ascending versions, so the newest patch level of each minor version is linked last and wins
  while read -r dir; do
    [[ $(basename "$dir") =~ ^(3\.[0-9]+)\.[0-9]+$ ]] || continue
    minor=${BASH_REMATCH[1]}
    if [[ -x $dir/bin/python$minor ]]; then ln -sfn "$dir/bin/python$minor" "$BIN/python$minor"; fi
  done < <(printf '%s\n' "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.* | sort -V)
}

write_get_pip() { # ansible-test's offline pip bootstrap stand-in
  mkdir -p "$HOME/.ansible/test/cache"
  local v
  # pip 23.1.2 for ansible-core 2.17, 24.2 for 2.18 and 2.19, 25.2 for 2.20 and 2.21
  for v in 23_1_2 24_2 25_2; do
    cat >"$HOME/.ansible/test/cache/get_pip_$v.py" <<'PY'
"""Offline stand-in for get-pip.py, written by tests/run: ensurepip, then pip install the requested packages."""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade"], check=True)
if args:
    subprocess.run([sys.executable, "-m", "pip", "install", "--upgrade", *args], check=True)
PY
  done
}

make_venv_at() { # make_venv_at DIR PYTHON STAMP_INPUT PIP_ARGS...: (re)create DIR when the inputs changed
  local dir=$1 py=$2 stamp
  stamp="$(echo "$3" | sha256sum | cut -c1-64) $(readlink -f "$py")"
  shift 3
  if [[ -f $dir/.stamp && $(cat "$dir/.stamp") == "$stamp" ]]; then return 0; fi
  rm -rf "$dir"
  "$py" -m venv "$dir"
  "$dir/bin/python" -m pip install -q "$@"
  echo "$stamp" >"$dir/.stamp"
}

python_for() { # python_for 3.X: the real interpreter (linked by link_pythons), else whatever PATH has
  if [[ -x $BIN/python$1 ]]; then echo "$BIN/python$1"; else command -v "python$1"; fi
}

make_venv() { # (re)create the venv when tests/requirements-ci.txt or the interpreter changed
  make_venv_at "$VENV" "$(python_for 3.11)" "$(cat "$REQUIREMENTS")" -r "$REQUIREMENTS"
  if [[ -d $CACHE/venv-py3.11 && ! -L $CACHE/venv-py3.11 ]]; then rm -rf "$CACHE/venv-py3.11"; fi
  ln -sfn "$(basename "$VENV")" "$CACHE/venv-py3.11"
}

make_tools_venv() { # the tools venv, on Python 3.12 (ansible-core 2.21 needs it)
  make_venv_at "$TOOLS_VENV" "$(python_for 3.12)" "$(cat "$TOOLS_REQUIREMENTS")" -r "$TOOLS_REQUIREMENTS"
}

ac_venv() { # ac_venv LINE: the venv of one ansible-core release line
  echo "$CACHE/venv-ac$1"
}

make_ac_venv() { # make_ac_venv LINE: ansible-core LINE.* plus what the modules need (requirements.txt)
  make_venv_at "$(ac_venv "$1")" "$(python_for "${AC_PYTHON[$1]}")" "ansible-core==$1.* $(cat "$REPO/requirements.txt")" \
    "ansible-core==$1.*" -r "$REPO/requirements.txt"
}
