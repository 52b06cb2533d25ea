#!/usr/bin/env bash
# Compiles the Tailwind inputs in styles/ into the committed CSS in assets/, so that building the
# crate needs no Node. Run it after changing a class in src/components or src/gallery.
# (The inputs live in styles/, not next to Cargo.toml, where dx would try to download Tailwind.)
set -euo pipefail
cd "$(dirname "$0")/.."
TAILWIND_VERSION=4.3.5
tools=target/tailwind
if [ ! -x "$tools/node_modules/.bin/tailwindcss" ]; then
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" "@tailwindcss/cli@$TAILWIND_VERSION" "tailwindcss@$TAILWIND_VERSION"
fi
# The library's button stylesheet lives in its crate; the gallery's at the top.
for dir in crates/openrouter-signin .; do
  for input in "$dir"/styles/*.css; do
    name=$(basename "$input" .css)
    # Tailwind resolves its own imports next to the input, so the input is compiled from a copy
    # beside the tools, with its @source paths made absolute.
    sed "s|@source \"\.\./|@source \"$PWD/$dir/|" "$input" >"$tools/$name.css"
    "$tools/node_modules/.bin/tailwindcss" --input "$tools/$name.css" --output "$dir/assets/$name.css" --minify 2>&1 \
      | grep -v '^≈' || true
    if [ "$name" = openrouter-signin ]; then
      python3 scripts/scope-css.py "$dir/assets/$name.css" openrouter-signin-button
    fi
    echo "$dir/assets/$name.css: $(wc -c <"$dir/assets/$name.css") bytes"
  done
done
