#!/usr/bin/env bash
# Installs what `npm run bench` needs beyond npm packages: the peers it measures against
# (mosquitto, ngircd), taskset, and Chromium plus code-server for the client-side figures.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
[ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
[ -x /usr/sbin/ngircd ] || need+=(ngircd)
if [ ${#need[@]} -gt 0 ]; then
  echo "== apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  # The packages may start their daemons; the bench runs its own, on loopback, with its own
  # configs. Stop only what this install started.
  for d in mosquitto ngircd; do
    if printf '%s\n' "${need[@]}" | grep -qx "$d"; then pkill -x "$d" 2>/dev/null || true; fi
  done
fi
bash test/e2e/install.sh
