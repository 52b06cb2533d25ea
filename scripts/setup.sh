#!/usr/bin/env bash
# Installs everything openrouter-signin needs to build and run, on Debian 12 as root; with
# --test, also the tools only the test command uses (cargo-deny, cargo-fuzz, axe-core).
# Each step looks first and skips what is already there, so running it again costs seconds.
# Only the package registries are used (Debian, crates.io, npm): dx's own downloads of helper
# binaries fail offline, so its helpers are put where it looks for them.
set -euo pipefail
cd "$(dirname "$0")/.."

DX_VERSION=0.7.10
DENY_VERSION=0.20.2
FUZZ_VERSION=0.13.2
ESBUILD_VERSION=0.27.3
BINARYEN_VERSION=129
DX_TOOLS="${XDG_DATA_HOME:-$HOME/.local/share}/.dx/tools"

case "${1:-}" in
  "") for_tests=false ;;
  --test) for_tests=true ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

log() { printf '==> %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# 1. Debian packages: C libraries for the desktop window (dioxus-desktop links OpenSSL too), a
#    headless X server, xdotool to find its window (bench), ImageMagick to capture it, the
#    accessibility bus and its Python bindings to drive and read it (scripts/atspi.py), D-Bus and
#    gnome-keyring for a real Secret Service, Chromium and its driver, python3 for scripts;
#    nginx, openssl and curl for the deployment test (TLS in front of three servers) and wrk for
#    scripts/load.sh; fonts for the library's Chinese and (DejaVu) the gallery's Arabic: without
#    them those words show as empty boxes.
packages=(build-essential pkg-config python3 libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev libxdo-dev
  xvfb xauth xdotool imagemagick at-spi2-core python3-gi gir1.2-atspi-2.0 chromium chromium-driver
  dbus gnome-keyring nginx openssl curl wrk fonts-dejavu-core fonts-wqy-microhei)
command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. Rust: the machine's toolchain, plus the wasm target.
if ! command -v cargo >/dev/null; then
  echo "error: cargo is not installed; install Rust 1.85 or newer with rustup first" >&2
  exit 1
fi
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  rustup component list --installed | grep -q "^$component" || rustup component add "$component"
done

# 3. The Dioxus CLI (about 10 minutes on 2 cores the first time).
if ! dx --version 2>/dev/null | grep -q "$DX_VERSION"; then
  log "installing dioxus-cli $DX_VERSION"
  cargo install dioxus-cli --version "$DX_VERSION" --locked --quiet
fi

# 4. wasm-bindgen-cli at exactly the version in Cargo.lock, which dx insists on.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print }' Cargo.lock)
if [ -n "$bindgen_version" ] && ! wasm-bindgen --version 2>/dev/null | grep -q "$bindgen_version"; then
  log "installing wasm-bindgen-cli $bindgen_version"
  # Its lock file can name a crate version the registry no longer serves; then resolve afresh.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --locked --quiet 2>/dev/null \
    || cargo install wasm-bindgen-cli --version "$bindgen_version" --quiet
fi

# 4b. cargo-deny, which the test command runs offline on licenses, bans and sources (2 minutes).
if $for_tests && ! cargo deny --version 2>/dev/null | grep -q "$DENY_VERSION"; then
  log "installing cargo-deny $DENY_VERSION"
  cargo install cargo-deny --version "$DENY_VERSION" --locked --quiet
fi

# 4c. cargo-fuzz, for the coverage-guided fuzz targets in fuzz/ (under a minute).
if $for_tests && ! cargo fuzz --version 2>/dev/null | grep -q "$FUZZ_VERSION"; then
  log "installing cargo-fuzz $FUZZ_VERSION"
  cargo install cargo-fuzz --version "$FUZZ_VERSION" --locked --quiet
fi

# 4d. axe-core, Deque's accessibility engine, pinned: the browser suites audit every page state
#     with it (tests/support/axe.rs). From the npm registry into target/axe (git-ignored).
AXE_VERSION=4.10.3
if $for_tests && ! head -c 40 target/axe/node_modules/axe-core/axe.min.js 2>/dev/null | grep -q "axe v$AXE_VERSION"; then
  log "installing axe-core $AXE_VERSION"
  mkdir -p target/axe
  npm install --silent --no-audit --no-fund --prefix target/axe "axe-core@$AXE_VERSION"
fi

# 5. dx's helpers from the npm registry, where dx looks for its own downloads.
npm_binary() { # package version file-in-package destination
  [ -x "$4" ] && return 0
  log "installing $1@$2 for dx"
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz)
  mkdir -p "$(dirname "$4")"
  install -m 0755 "$tmp/package/$3" "$4"
  rm -rf "$tmp"
}
npm_binary @esbuild/linux-x64 "$ESBUILD_VERSION" bin/esbuild "$DX_TOOLS/esbuild-$ESBUILD_VERSION/esbuild"
npm_binary binaryen "$BINARYEN_VERSION" bin/wasm-opt "$DX_TOOLS/binaryen-$BINARYEN_VERSION/bin/wasm-opt"

log "setup complete"
