#!/usr/bin/env bash
# Installs what the real-VS-Code e2e tests need: Debian packages (chromium, ripgrep, headers for
# code-server's native modules) and code-server 4.100.3 in a folder outside the repository.
# Idempotent; only the npm registry and Debian apt are contacted. See test/e2e/README.md.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# @vscode/ripgrep version and rg tag that code-server 4.100.3 pins (lib/vscode/npm-shrinkwrap.json).
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_TAG=v13.0.0-10
RIPGREP_TARGET=x86_64-unknown-linux-musl

E2E_HOME="${PARLEY_E2E_HOME:-$HOME/.cache/parley-e2e}"
DEST="$E2E_HOME/code-server-$CODE_SERVER_VERSION"
BIN="$DEST/bin/code-server"
start=$SECONDS

# code-server writes ~/.config/code-server/config.yaml and ~/.local/share/code-server even for
# --version; keep that out of $HOME.
cs_version() {
  local scratch rc=0
  scratch="$(mktemp -d)"
  XDG_CONFIG_HOME="$scratch" XDG_DATA_HOME="$scratch" "$BIN" --version 2>/dev/null | tail -n1 || rc=$?
  rm -rf "$scratch"
  return "$rc"
}

log() { printf '[e2e-install %3ds] %s\n' "$((SECONDS - start))" "$*"; }

if [ "$(uname -m)" != x86_64 ]; then
  echo "install.sh: only x86_64 is supported (ripgrep target $RIPGREP_TARGET)" >&2
  exit 1
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != 20 ]; then
  echo "install.sh: code-server $CODE_SERVER_VERSION needs Node 20, found $(node --version)" >&2
  exit 1
fi

# 1. Debian packages, only those missing.
# fonts-noto-color-emoji: headless Chromium has no emoji font of its own (reactions would show as boxes).
packages=(ripgrep chromium fonts-noto-color-emoji libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  log "apt-get install ${missing[*]}"
  mkdir -p "$E2E_HOME"
  apt_log="$E2E_HOME/apt.log"
  if ! { "${sudo[@]}" apt-get update -q && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
    --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
    tail -n 40 "$apt_log" >&2
    echo "install.sh: apt-get failed; full log in $apt_log" >&2
    exit 1
  fi
else
  log "Debian packages present"
fi

# 2. code-server, unless a working one is already there.
if [ -x "$BIN" ] && version="$(cs_version)" && [ -n "$version" ]; then
  log "code-server already installed: $version"
else
  mkdir -p "$DEST"
  # A private TMPDIR holds the ripgrep cache archive so @vscode/ripgrep's postinstall finds it
  # ("Using cached download") instead of downloading rg from GitHub.
  work_tmp="$(mktemp -d "$E2E_HOME/install-tmp.XXXXXX")"
  trap 'rm -rf "$work_tmp"' EXIT
  cache_dir="$work_tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
  mkdir -p "$cache_dir" "$work_tmp/rg"
  cp /usr/bin/rg "$work_tmp/rg/rg"
  tar -czf "$cache_dir/ripgrep-$RIPGREP_TAG-$RIPGREP_TARGET.tar.gz" -C "$work_tmp/rg" rg

  [ -f "$DEST/package.json" ] || printf '{ "name": "parley-e2e-code-server", "private": true }\n' >"$DEST/package.json"
  log "npm install code-server@$CODE_SERVER_VERSION into $DEST (about 70 s on 2 cores)"
  (
    cd "$DEST"
    export TMPDIR="$work_tmp"
    export npm_config_build_from_source=true
    export npm_config_nodedir=/usr
    export npm_config_yes=true
    npm install --no-audit --no-fund --loglevel=error --unsafe-perm "code-server@$CODE_SERVER_VERSION"
  )
  mkdir -p "$DEST/bin"
  printf '#!/bin/sh\nexec node "%s/node_modules/code-server/out/node/entry.js" "$@"\n' "$DEST" >"$BIN"
  chmod +x "$BIN"
  if ! version="$(cs_version)" || [ -z "$version" ]; then
    echo "install.sh: code-server installed but '$BIN --version' fails" >&2
    exit 1
  fi
  log "installed $version"
fi

log "done"
echo "$DEST"
