#!/usr/bin/env bash
# Installs what vigikfield needs on a fresh Debian machine, idempotently:
# Debian packages (PC/SC stack, virtual reader, serial and terminal tools,
# PDF rendering), a virtual environment in .venv, and the Python packages.
# Fast when nothing changed (a stamp keyed on pyproject.toml and this script).
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(libpcsclite-dev swig pcscd vsmartcard-vpcd socat tmux poppler-utils sqlite3 build-essential python3-venv fonts-dejavu-core faketime chromium libreoffice-calc-nogui)
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=()
for pkg in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  "$PY" -m venv .venv
fi

stamp=$(cat pyproject.toml scripts/bootstrap.sh | sha256sum | cut -c1-16)
if [ "$(cat .venv/.bootstrap-stamp 2>/dev/null)" != "$stamp" ]; then
  echo "bootstrap: installing Python packages"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev,pcsc]"
  echo "$stamp" > .venv/.bootstrap-stamp
fi
