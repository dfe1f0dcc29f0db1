# Shared by tests/run and demo/run: installs what the project needs on a fresh machine (Debian packages, real
# Python interpreters on PATH, ansible-test's offline pip stand-in, the virtual environment), idempotently and
# quickly when it is already there. Source it; it defines variables and functions and runs nothing.
# shellcheck shell=bash

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/community.qbittorrent
VENV=$CACHE/venv-py3.11
BIN=$CACHE/bin
REQUIREMENTS=$REPO/tests/requirements-ci.txt
# shellcheck disable=SC2034  # used by the scripts that source this file
HARNESS=tests/harness/qbt_harness.py
# shellcheck disable=SC2034
APT_PACKAGES=(openssl shellcheck)

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
  for v in 24_2 25_2; do
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

make_venv() { # (re)create the venv when tests/requirements-ci.txt or the interpreter changed
  local py=$BIN/python3.11 stamp
  [[ -x $py ]] || py=$(command -v python3.11)
  stamp="$(sha256sum "$REQUIREMENTS" | cut -c1-64) $(readlink -f "$py")"
  if [[ -f $VENV/.stamp && $(cat "$VENV/.stamp") == "$stamp" ]]; then return 0; fi
  rm -rf "$VENV"
  "$py" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q -r "$REQUIREMENTS"
  echo "$stamp" >"$VENV/.stamp"
}
