#!/usr/bin/env bash
# Builds the fullstack gallery: its page (wasm, with the fullstack feature) and its server (which
# renders the page, runs the sign-in and keeps the key in a sealed cookie), and puts both in
# target/fullstack/<debug|release>/ (server, public/), out of the way of the static web build,
# which dx writes to the same place.
#   ./scripts/build-fullstack.sh [--release]
# Run the result with: IP=127.0.0.1 PORT=8080 OPENROUTER_SIGNIN_SECRET=... target/fullstack/debug/server
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

profile=debug
release=()
if [ "${1:-}" = --release ]; then
  profile=release
  release=(--release --debug-symbols false)
fi

# The fullstack page's template: its server sends the policy (with the render's script hashes).
trap 'python3 scripts/gallery-index.py >/dev/null' EXIT
python3 scripts/gallery-index.py --fullstack
mkdir -p target
# dx keeps old hashed files next to new ones, and the static web build writes to the same place:
# start from an empty page directory, so that only this page's files are served and counted.
rm -rf "target/dx/openrouter-signin-gallery/$profile/web/public"
dx build --platform web --features fullstack --locked "${release[@]}" >target/dx-build-fullstack.log 2>&1 \
  || { tail -n 40 target/dx-build-fullstack.log; exit 1; }

built=target/dx/openrouter-signin-gallery/$profile/web
out=target/fullstack/$profile
test -x "$built/server" -a -f "$built/public/index.html" || { echo "dx built no server or page in $built" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
mv "$built/server" "$out/server"
cp -r "$built/public" "$out/public"
echo "fullstack gallery: $out/server (page in $out/public)"
