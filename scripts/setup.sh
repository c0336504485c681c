#!/usr/bin/env bash
# Prepare this checkout: a Python venv with its dependencies and a built PWA.
# Safe to run again: each step runs only when its inputs changed.
# Usage: scripts/setup.sh [requirements file]   (default: requirements.txt)
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=${1:-requirements.txt}
python=${PYTHON:-$(command -v python3.11 || command -v python3)}

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $python"
  "$python" -m venv .venv
fi

# Reinstall Python packages only when the requirements changed.
req_hash=$(cat requirements*.txt "$requirements" | sha256sum | cut -c1-16)
req_stamp=".venv/.installed-$(basename "$requirements")-$req_hash"
if [ ! -f "$req_stamp" ]; then
  echo "==> installing Python packages from $requirements"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$requirements"
  rm -f .venv/.installed-"$(basename "$requirements")"-*
  touch "$req_stamp"
fi

# npm ci when the lock file is newer than the installed tree.
if [ ! -f pwa/node_modules/.package-lock.json ] ||
  [ pwa/package-lock.json -nt pwa/node_modules/.package-lock.json ]; then
  echo "==> installing PWA packages"
  # npm ci refuses a lock file that lacks some platforms' optional binaries (as one made
  # against a registry mirror without them does); npm install still honours the locked
  # versions and, with --no-save, leaves the lock file alone.
  npm --prefix pwa ci --no-audit --no-fund --loglevel=error 2>/dev/null ||
    npm --prefix pwa install --no-save --no-audit --no-fund --loglevel=error
fi

# Build the PWA when any of its sources is newer than the last build.
if [ ! -f pwa/dist/index.html ] ||
  [ -n "$(find pwa/src pwa/public pwa/index.html pwa/vite.config.* pwa/package-lock.json \
    -newer pwa/dist/index.html -print -quit 2>/dev/null)" ]; then
  echo "==> building the PWA"
  npm --prefix pwa run build --silent
fi
