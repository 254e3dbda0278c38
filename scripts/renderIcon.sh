#!/usr/bin/env bash
# Renders media/icon.svg (the source) to media/icon.png, the 128×128 icon the Extensions view and
# the Marketplace show (they take no SVG). Needs Debian's chromium; run it after changing the SVG.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp media/icon.svg "$tmp/icon.svg"
printf '<!doctype html><body style="margin:0"><img src="icon.svg" width="128" height="128" style="display:block">' > "$tmp/icon.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
  --window-size=128,128 --screenshot="$tmp/icon.png" "file://$tmp/icon.html" 2>/dev/null
cp "$tmp/icon.png" media/icon.png
echo "wrote media/icon.png"
