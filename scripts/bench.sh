#!/usr/bin/env bash
# Prints size figures for the release web build: ours, and a minimal Dioxus 0.7 hello-world built
# the same way in the same run (the floor of the stack), raw and gzip -9, and the ratio.
# Page-ready, round-trip and desktop figures are still to come (issue 7).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh >/dev/null
export PATH="$HOME/.cargo/bin:$PATH"
root=$PWD
hello=target/bench/hello

# The floor: one component, the same Dioxus features and the same profiles as ours.
mkdir -p "$hello/src"
dioxus_features=$(sed -n 's/^dioxus = { version = "\([^"]*\)", default-features = false, features = \(\[.*\]\) }$/\1|\2/p' Cargo.toml | head -n 1)
cat >"$hello/Cargo.toml" <<TOML
[package]
name = "hello"
version = "0.1.0"
edition = "2021"

[dependencies]
dioxus = { version = "${dioxus_features%%|*}", default-features = false, features = ${dioxus_features#*|} }
# dioxus-web 0.7.10 calls Window::location() without enabling web-sys's Location feature itself.
web-sys = { version = "0.3", features = ["Location"] }

[features]
default = ["web"]
web = ["dioxus/web"]

[profile.release]
opt-level = "z"
lto = true
codegen-units = 1

[profile.wasm-release]
inherits = "release"
opt-level = "z"
panic = "abort"

[workspace]
TOML
cat >"$hello/src/main.rs" <<'RS'
use dioxus::prelude::*;
fn main() {
    dioxus::launch(|| rsx! { h1 { "Hello, world" } });
}
RS
cp Cargo.lock "$hello/Cargo.lock"

build() { # crate-dir app-name
  # dx keeps old hashed files next to new ones: start from an empty output directory.
  rm -rf "$root/target/dx/$2/release/web/public"
  (cd "$1" && CARGO_TARGET_DIR="$root/target" dx build --platform web --release >"$root/target/bench/$2.log" 2>&1) \
    || { tail -n 30 "$root/target/bench/$2.log"; exit 1; }
}

measure() { # name public-dir -> prints rows, sets total_gzip
  local name=$1 dir=$2
  total_gzip=0 total_raw=0
  for kind in wasm js css html; do
    local raw=0 gz=0
    while IFS= read -r f; do
      raw=$((raw + $(wc -c <"$f")))
      gz=$((gz + $(gzip -9c "$f" | wc -c)))
    done < <(find "$dir" -name "*.$kind" -type f)
    printf '%-10s %-5s raw %9d  gzip %8d\n' "$name" "$kind" "$raw" "$gz"
    total_raw=$((total_raw + raw))
    total_gzip=$((total_gzip + gz))
  done
  printf '%-10s total raw %9d  gzip %8d\n' "$name" "$total_raw" "$total_gzip"
}

mkdir -p target/bench
OPENROUTER_BASE_URL=https://openrouter.ai build . openrouter-signin
build "$hello" hello
measure gallery target/dx/openrouter-signin/release/web/public
ours=$total_gzip
measure hello target/dx/hello/release/web/public
floor=$total_gzip
python3 -c "print(f'gallery / hello-world (gzip): {$ours / $floor:.2f}x (budget 1.25x)')"
