#!/usr/bin/env bash
# Prints the performance figures of openrouter-signin next to those of a minimal Dioxus 0.7
# hello-world built the same way in the same run (the floor of the stack), and the ratios the
# budgets are set in (docs/ARCHITECTURE.md, "Performance"):
#   - the release web build in bytes, per kind, raw and gzip -9; and, for what the library alone
#     costs an app, the hello-world (a button and a signal) with one SignInButton and
#     use_openrouter_auth added;
#   - page ready: median of 15 fresh loads in headless Chromium, served gzip from 127.0.0.1;
#   - the sign-in round trip against the local mock OpenRouter, median of 10;
#   - desktop: exec until the window is mapped under Xvfb, and resident memory after 2 s, median of 5;
#   - what the gallery's wasm has beyond the hello-world's, by crate (twiggy, installed if missing);
#   - time to a working sign-in (bench-signin): from navigation start until a click on the first
#     sign-in button, made as soon as it exists and repeated until it works, brings the browser
#     to the mock's /auth, in the browser's network clock; the static and fullstack galleries,
#     the floor (the hello-world with one SignInButton) and the reference, interleaved;
#   - the fullstack gallery (release page and server): its bytes (the server's rendered page
#     instead of the template), page ready (button in the page; sign-in usable, which needs no
#     wasm there; page live), the sign-in round trip, and the time to the first streamed piece
#     of a chat through the server against straight from the static page to the same mock.
# Figures, not pass/fail: nothing here is timed against a limit. Needs 127.0.0.1:8787 free.
# BENCH_WEB_ONLY=1 leaves out the desktop's figures (and their release build).
#
# REFERENCE_DIR=/path/to/dist-demo adds OpenRouter's React reference demo, built by hand (never
# part of this repository): clone OpenRouterTeam/sign-in-with-openrouter, point the two OpenRouter
# URLs of src/lib/openrouter-auth.ts at http://127.0.0.1:8787, `npm ci`, `npx vite build --config
# vite.config.demo.ts`. It is then timed in the same run, and each goal against it is printed with
# whether it is met.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh >/dev/null
export PATH="$HOME/.cargo/bin:$PATH"
root=$PWD
hello=target/bench/hello

# The floor: one component with a button and a signal (what any interactive page has), the same
# Dioxus features and the same profiles as ours.
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

[target.'cfg(not(target_arch = "wasm32"))'.dependencies]
dioxus = { version = "${dioxus_features%%|*}", default-features = false, features = ["document"] }

[features]
default = ["web"]
web = ["dioxus/web"]
desktop = ["dioxus/desktop"]

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

fn app() -> Element {
    let mut clicks = use_signal(|| 0);
    rsx! {
        h1 { "Hello, world" }
        button { onclick: move |_| clicks += 1, "Clicked {clicks} times" }
    }
}

fn main() {
    #[cfg(feature = "desktop")]
    {
        use dioxus::desktop::{Config, LogicalSize, WindowBuilder};
        let window = WindowBuilder::new()
            .with_title("hello-world")
            .with_inner_size(LogicalSize::new(1200.0, 900.0));
        let config = Config::new().with_window(window).with_menu(None);
        dioxus::LaunchBuilder::desktop().with_cfg(config).launch(app);
    }
    #[cfg(not(feature = "desktop"))]
    dioxus::launch(app);
}
RS
cp Cargo.lock "$hello/Cargo.lock"

# The hello-world plus the library: one SignInButton and the signed-in state.
button=target/bench/button
mkdir -p "$button/src"
sed -e 's/^name = "hello"$/name = "button"/' \
  -e 's|^web-sys = .*$|openrouter-signin = { path = "../../../crates/openrouter-signin" }|' \
  "$hello/Cargo.toml" >"$button/Cargo.toml"
cat >"$button/src/main.rs" <<'RS'
use dioxus::prelude::*;
use openrouter_signin::{use_openrouter_auth, use_openrouter_config, OpenRouterConfig, SignInButton};

fn app() -> Element {
    let mut clicks = use_signal(|| 0);
    // As any app: its own id, and (for the timing below) OpenRouter where the build says.
    use_openrouter_config(|| OpenRouterConfig::new("floor").base_url_from_env());
    let auth = use_openrouter_auth();
    rsx! {
        h1 { "Hello, world" }
        button { onclick: move |_| clicks += 1, "Clicked {clicks} times" }
        SignInButton {}
        if let Some(masked) = auth.masked_key() {
            p { "Signed in ({masked})" }
        }
    }
}

fn main() {
    dioxus::launch(app);
}
RS
cp Cargo.lock "$button/Cargo.lock"

build() { # crate-dir app-name
  # dx keeps old hashed files next to new ones: start from an empty output directory.
  rm -rf "$root/target/dx/$2/release/web/public"
  # dx keeps the DWARF of std and of every crate in a release wasm unless told not to: about
  # 60 KB gzip that a browser never reads without a debugging extension. A page ships without it.
  (cd "$1" && CARGO_TARGET_DIR="$root/target" dx build --platform web --release --debug-symbols false \
    >"$root/target/bench/$2.log" 2>&1) \
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
# First, as dx writes the fullstack build where the static one goes (build-fullstack.sh moves it).
./scripts/build-fullstack.sh --release >/dev/null

# The gallery calls the local mock, so that the round trip below can run; only the URL in the
# page differs from a build for https://openrouter.ai (a few bytes).
mock=http://127.0.0.1:8787
trap 'OPENROUTER_BASE_URL= python3 scripts/gallery-index.py >/dev/null || true' EXIT # index.html is left allowing https://openrouter.ai
OPENROUTER_BASE_URL=$mock python3 scripts/gallery-index.py >/dev/null
OPENROUTER_BASE_URL=$mock build . openrouter-signin-gallery
OPENROUTER_BASE_URL=$mock ./scripts/build-starter.sh --release
build "$hello" hello
OPENROUTER_BASE_URL=$mock build "$button" button

echo "== release web build, bytes"
measure gallery target/dx/openrouter-signin-gallery/release/web/public
ours=$total_gzip
measure hello target/dx/hello/release/web/public
floor=$total_gzip
python3 -c "print(f'total gzip, gallery / hello-world: {$ours / $floor:.2f}x (budget 1.25x)')"
measure button target/dx/button/release/web/public
python3 -c "print(f'what the library adds to the hello-world: {$total_gzip - $floor} B gzip ({$total_gzip / $floor:.2f}x)')"
python3 -c "
added, gallery = $total_gzip - $floor, $ours
print(f'goal: what the library adds, at most 30,000 B gzip: {added:,} B: ' + ('met' if added <= 30000 else 'missed'))
print(f'the whole gallery page (its wasm included): {gallery:,} B gzip')"
# What the hero's sign-in needs before it works: index.html with its copy of the hero, the
# stylesheets, public/early.js and the starter (crates/gallery-start); not the gallery's wasm.
public=target/dx/openrouter-signin-gallery/release/web/public
first=0
for file in "$public/index.html" "$public/early.js" "$public"/assets/*.css $(find "$public" -name "openrouter-signin-gallery-start*"); do
  first=$((first + $(gzip -9 -c "$file" | wc -c)))
done
python3 -c "print(f'goal: what the gallery needs before its first interaction (a sign-in), at most 150,000 B gzip: {$first:,} B (html, css, early.js, the starter): ' + ('met' if $first <= 150000 else 'missed'))"

echo "== what the gallery's wasm has beyond the hello-world's, by crate (twiggy)"
command -v twiggy >/dev/null || cargo install twiggy --version 0.8.0 --locked --quiet
# dx's output has no names; the same crates built by cargo (before wasm-bindgen and wasm-opt) do.
wasm_release() { cargo build --quiet --target wasm32-unknown-unknown --profile wasm-release "$@"; }
OPENROUTER_BASE_URL=$mock wasm_release --locked --no-default-features --features web --bin openrouter-signin-gallery
(cd "$hello" && CARGO_TARGET_DIR="$root/target" wasm_release)
python3 scripts/wasm-by-crate.py target/wasm32-unknown-unknown/wasm-release/openrouter-signin-gallery.wasm \
  target/wasm32-unknown-unknown/wasm-release/hello.wasm 12

echo "== web speed (headless Chromium; page ready from navigation start)"
# A debug build of the driver is enough: the page is what is timed, in its own clock.
cargo build --quiet --locked -p openrouter-mock -p page-driver
target/debug/openrouter-mock --addr 127.0.0.1:8787 --consent approve >target/bench/mock.log 2>&1 &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null || true; OPENROUTER_BASE_URL= python3 scripts/gallery-index.py >/dev/null || true' EXIT
for _ in $(seq 100); do grep -q listening target/bench/mock.log && break; sleep 0.1; done
grep -q listening target/bench/mock.log || { cat target/bench/mock.log; exit 1; }
reference_args=()
if [ -n "${REFERENCE_DIR:-}" ]; then
  # Served as built: under its base path, with its index.html also at the root (the static server
  # answers any extensionless path with the root's index.html).
  rm -rf target/bench/reference
  mkdir -p target/bench/reference
  cp -r "$REFERENCE_DIR" target/bench/reference/sign-in-with-openrouter
  cp "$REFERENCE_DIR/index.html" target/bench/reference/index.html
  measure reference "$REFERENCE_DIR"
  reference_args=(target/bench/reference)
fi
target/debug/bench-web target/dx/openrouter-signin-gallery/release/web/public target/dx/hello/release/web/public 15 10 \
  "${reference_args[@]}" | tee target/bench/web.txt
reference_ready=$(sed -n 's/^page ready, reference demo *median *\([0-9.]*\) ms.*/\1/p' target/bench/web.txt)

echo "== fullstack (release page and server, against the same mock)"
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
IP=127.0.0.1 PORT=8091 OPENROUTER_BASE_URL=$mock OPENROUTER_SIGNIN_SECRET=$secret \
  target/fullstack/release/server >target/bench/fullstack.log 2>&1 &
server_pid=$!
trap 'kill "$mock_pid" "$server_pid" 2>/dev/null || true; OPENROUTER_BASE_URL= python3 scripts/gallery-index.py >/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:8091/ && break; sleep 0.1; done
# The page as it arrives: the server's render instead of the template dx wrote.
rm -rf target/bench/fullstack-page
mkdir -p target/bench/fullstack-page
cp -r target/fullstack/release/public/. target/bench/fullstack-page/
curl -sf http://127.0.0.1:8091/ >target/bench/fullstack-page/index.html
# dx copies public/ into every build; the fullstack page loads none of it (early.js is the static
# page's).
rm -f target/bench/fullstack-page/early.js
# The server puts the stylesheets inside the page (SignInServer::inline_stylesheets): the files
# are not fetched then, and their bytes are already in the HTML.
if ! grep -q 'rel="stylesheet"' target/bench/fullstack-page/index.html; then
  find target/bench/fullstack-page -name '*.css' -delete
fi
measure fullstack target/bench/fullstack-page
target/debug/bench-fullstack http://127.0.0.1:8091 target/dx/openrouter-signin-gallery/release/web/public 15 10 $reference_ready

echo "== time to a working sign-in (a click as soon as a button exists, repeated until the browser asks the mock for /auth; the browser's network clock)"
signin_pages=(
  "gallery=target/dx/openrouter-signin-gallery/release/web/public=.openrouter-signin-button"
  "fullstack=http://127.0.0.1:8091/=.openrouter-signin-button"
  "floor=target/dx/button/release/web/public=.openrouter-signin-button"
)
if [ -n "${REFERENCE_DIR:-}" ]; then
  signin_pages+=("reference=target/bench/reference@sign-in-with-openrouter/=.hero-button button")
fi
target/debug/bench-signin "$mock" 15 "${signin_pages[@]}" | tee target/bench/signin.txt

if [ -n "${BENCH_WEB_ONLY:-}" ]; then
  exit 0
fi
echo "== desktop (release builds, a real window under Xvfb)"
cargo build --quiet --locked --release --bin openrouter-signin-gallery
(cd "$hello" && CARGO_TARGET_DIR="$root/target" cargo build --quiet --locked --release --no-default-features --features desktop)
# An unbundled binary finds its CSS through CARGO_MANIFEST_DIR.
export CARGO_MANIFEST_DIR=$root OPENROUTER_BASE_URL=$mock
# -noreset: an X server resets when its last client leaves; a window opening then fails (test.sh).
xvfb-run -a -s "-screen 0 1200x900x24 -noreset" bash -c '
  python3 scripts/bench-desktop.py gallery target/release/openrouter-signin-gallery "Sign in with OpenRouter for Dioxus" 5 \
    | tee target/bench/desktop-gallery.txt | grep -v "^#"
  python3 scripts/bench-desktop.py hello-world target/release/hello hello-world 5 \
    | tee target/bench/desktop-hello.txt | grep -v "^#"'
ours=$(sed -n 's/^#mapped //p' target/bench/desktop-gallery.txt)
floor=$(sed -n 's/^#mapped //p' target/bench/desktop-hello.txt)
python3 -c "print(f'window mapped, gallery / hello-world: {$ours / $floor:.2f}x (budget 1.30x)')"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
