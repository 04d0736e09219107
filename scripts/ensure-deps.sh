#!/usr/bin/env bash
# Installs npm dependencies when package-lock.json changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "tarka: installing npm dependencies" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
