#!/usr/bin/env bash
# Builds the static gallery's starter (crates/gallery-start) and puts it next to the gallery's
# own wasm in dx's output: run it after `dx build --platform web` of the gallery, with the same
# OPENROUTER_BASE_URL and the same profile.
#   ./scripts/build-starter.sh            beside target/dx/openrouter-signin-gallery/debug/web/public
#   ./scripts/build-starter.sh --release  beside the release build (without DWARF, as bench.sh builds it)
# It shares the gallery's compiled graph (the same Dioxus and web-sys features), so it costs a
# few seconds. Without it (a plain `dx serve`) the page still works: the gallery's wasm takes a
# click on the hero's copy itself, once it has loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
name=openrouter-signin-gallery-start
if [ "${1:-}" = --release ]; then
  profile=release
  flags=(--release --debug-symbols false)
else
  profile=debug
  flags=()
fi
gallery=target/dx/openrouter-signin-gallery/$profile/web/public
test -f "$gallery/index.html" || { echo "build-starter: build the gallery first ($gallery)" >&2; exit 1; }
rm -rf "target/dx/$name/$profile/web/public"
dx build --platform web -p "$name" --locked "${flags[@]}" >"target/dx-build-$name.log" 2>&1 \
  || { tail -n 40 "target/dx-build-$name.log"; exit 1; }
cp "target/dx/$name/$profile/web/public/wasm/$name.js" "target/dx/$name/$profile/web/public/wasm/${name}_bg.wasm" "$gallery/wasm/"
