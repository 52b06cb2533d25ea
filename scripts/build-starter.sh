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
# A debug build names its files wasm/NAME.js and wasm/NAME_bg.wasm; a release build puts them
# under assets/ with a hash of their contents in their names. index.html (from
# index.template.html) names the debug ones: it is pointed at whatever this build made.
out=target/dx/$name/$profile/web/public
js=$(cd "$out" && find . -path "./wasm/$name*.js" -o -path "./assets/$name*.js" | sed 's|^\./||' | head -n 1)
wasm=$(cd "$out" && find . -path "./wasm/${name}_bg*.wasm" -o -path "./assets/${name}_bg*.wasm" | sed 's|^\./||' | head -n 1)
test -n "$js" && test -n "$wasm" || { echo "build-starter: dx made no $name js and wasm in $out" >&2; exit 1; }
for file in "$js" "$wasm"; do
  mkdir -p "$gallery/$(dirname "$file")"
  cp "$out/$file" "$gallery/$file"
done
sed -i -e "s|/wasm/$name\.js\"|/$js\"|" -e "s|/wasm/${name}_bg\.wasm\"|/$wasm\"|" "$gallery/index.html"
grep -q "/$js\"" "$gallery/index.html" && grep -q "/$wasm\"" "$gallery/index.html" \
  || { echo "build-starter: $gallery/index.html names no starter" >&2; exit 1; }
