#!/usr/bin/env bash
# Installs what `npm run bench` needs beyond npm packages: the peers it measures against
# (mosquitto, ngircd), taskset, a C compiler and OpenSSL's headers for the load generator, and
# Chromium plus code-server for the client-side figures.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
[ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
[ -x /usr/sbin/ngircd ] || need+=(ngircd)
# The fan-out load generator (bench/fanout/loadgen.c) is compiled by the bench with OpenSSL's
# Ed25519 (Parley's signed sign-in).
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
[ -f /usr/include/openssl/evp.h ] || need+=(libssl-dev)
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
