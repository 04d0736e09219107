#!/usr/bin/env bash
# Installs missing Debian packages (as root) that Tarka's local mode or tests run for real.
# Usage: ensure-system.sh <binary[:package]>...
set -euo pipefail
missing=()
for spec in "$@"; do
  bin=${spec%%:*}
  pkg=${spec#*:}
  command -v "$bin" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "tarka: please install these Debian packages first: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "tarka: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
