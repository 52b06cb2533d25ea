#!/usr/bin/env bash
# Takes screenshots of the gallery: the web app in headless Chromium and the desktop app in a real
# window under Xvfb, each in light and dark, and the web app in Chinese and in Arabic (right to
# left), into target/screenshots/. Builds what it needs.
# `./scripts/test.sh` runs it, then checks the pictures (tests/screenshots.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
out=target/screenshots
mkdir -p "$out"
rm -f "$out"/*.png
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
  # index.html is left allowing https://openrouter.ai.
  OPENROUTER_BASE_URL= python3 scripts/gallery-index.py >/dev/null || true
}
trap cleanup EXIT

# A free port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The web app, as dx builds it, served from 127.0.0.1.
public=target/dx/openrouter-signin-gallery/debug/web/public
if [ ! -f "$public/index.html" ] || [ "${SCREENSHOTS_REBUILD:-1}" = 1 ]; then
  OPENROUTER_BASE_URL=http://127.0.0.1:8787 python3 scripts/gallery-index.py
  OPENROUTER_BASE_URL=http://127.0.0.1:8787 dx build --platform web --locked >"$work/dx.log" 2>&1 \
    || { tail -n 40 "$work/dx.log"; exit 1; }
  OPENROUTER_BASE_URL=http://127.0.0.1:8787 ./scripts/build-starter.sh
fi
port=$(free_port)
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$public" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break; sleep 0.1; done

cargo build --locked --quiet -p page-driver --bin screenshot-web
for theme in light dark; do
  target/debug/screenshot-web "http://127.0.0.1:$port/?theme=$theme" "$out/web-$theme.png" 1200 2400
  echo "$out/web-$theme.png"
done
# The library's Chinese, and the gallery's own Arabic table, right to left.
for lang in zh ar; do
  target/debug/screenshot-web "http://127.0.0.1:$port/?theme=light&lang=$lang" "$out/web-$lang.png" 1200 2400
  echo "$out/web-$lang.png"
done

# The desktop app in a real window. CARGO_MANIFEST_DIR lets an unbundled binary find its CSS.
cargo build --locked --quiet --bin openrouter-signin-gallery
for theme in light dark; do
  config="$work/config-$theme"
  CARGO_MANIFEST_DIR="$PWD" XDG_CONFIG_HOME="$config" OPENROUTER_BASE_URL=http://127.0.0.1:8787 \
    OPENROUTER_GALLERY_THEME="$theme" xvfb-run -a -s "-screen 0 1200x900x24" \
    bash -c 'target/debug/openrouter-signin-gallery & app=$!; sleep "${SCREENSHOT_DELAY:-6}"; import -window root "$0"; kill $app' \
    "$out/desktop-$theme.png" >"$work/desktop-$theme.log" 2>&1
  echo "$out/desktop-$theme.png"
done
