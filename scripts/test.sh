#!/usr/bin/env bash
# Installs whatever is missing, then runs every check and test of openrouter-signin:
# formatting, clippy for native and for wasm32, the web build through dx, the test suites, and
# screenshots of the gallery on the web and the desktop, checked by a test.
# One target directory serves every step, and the native steps share one feature set.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }
# An ignored suite of tests/ (a browser, a window or a server it needs is there by then), one test
# at a time; run only while everything before it passed.
suite() { # test-name step-text
  [ "$status" -eq 0 ] || return 0
  step "$2"
  set +e
  cargo test --locked --test "$1" -- --ignored --test-threads=1 2>&1 | tee -a target/test-output.log
  status=${PIPESTATUS[0]}
  set -e
}
# The web build below writes index.html for the mock; leave it allowing https://openrouter.ai.
trap 'OPENROUTER_BASE_URL= python3 scripts/gallery-index.py >/dev/null || true' EXIT
started=$SECONDS

step "cargo fmt --check"
cargo fmt --all --check

# A fresh machine's registry holds only what installing the tools fetched: fetch the project's
# own locked dependencies (for every target) before anything runs offline.
step "cargo fetch --locked"
cargo fetch --locked
(cd fuzz && cargo fetch --locked)

step "cargo deny: licenses, bans and sources of every dependency (offline)"
cargo deny --offline --locked check licenses bans sources

# The fullstack example is left out of the workspace-wide steps: its Dioxus has `fullstack` on,
# which would change every other crate's build. It has its own steps below.
example=openrouter-signin-example-fullstack

step "clippy, native (desktop feature)"
cargo clippy --workspace --exclude "$example" --all-targets --locked -- -D warnings

step "clippy, the library with its optional features (server implies serde), tests included"
cargo clippy -p openrouter-signin --all-targets --features server --locked -- -D warnings

step "clippy, wasm32 (the library alone, and the gallery with its web feature)"
cargo clippy -p openrouter-signin --target wasm32-unknown-unknown --locked -- -D warnings
cargo clippy -p openrouter-signin-gallery --target wasm32-unknown-unknown --no-default-features --features web --bins --examples --locked -- -D warnings
cargo clippy -p openrouter-signin-gallery-start --target wasm32-unknown-unknown --locked -- -D warnings

step "clippy, the fullstack gallery: its page (wasm32) and its server (native)"
cargo clippy -p openrouter-signin --target wasm32-unknown-unknown --features fullstack --locked -- -D warnings
cargo clippy -p openrouter-signin-gallery --target wasm32-unknown-unknown --no-default-features --features web,fullstack --bins --locked -- -D warnings
cargo clippy -p openrouter-signin-gallery --no-default-features --features server --bins --locked -- -D warnings

step "clippy, the fullstack example (examples/fullstack): its page (wasm32) and its server (native)"
cargo clippy -p "$example" --target wasm32-unknown-unknown --features web --locked -- -D warnings
cargo clippy -p "$example" --features server --locked -- -D warnings

step "the desktop example builds (the web example is checked for wasm32 above)"
cargo build --locked --example desktop

step "rustdoc of the library, native and wasm32, without a warning"
RUSTDOCFLAGS="-D warnings" cargo doc --locked -p openrouter-signin --no-deps --quiet --features server
RUSTDOCFLAGS="-D warnings" cargo doc --locked -p openrouter-signin --no-deps --quiet --target wasm32-unknown-unknown

step "the library alone, for wasm32 with its default features, pulls in no desktop renderer"
tree=$(cargo tree --locked -p openrouter-signin --target wasm32-unknown-unknown -e normal --prefix none | sed 's/ (\*)//')
if grep -E '^(dioxus-desktop|wry|webkit2gtk|gtk|tao) ' <<<"$tree"; then
  echo "the library's wasm32 dependencies include a desktop renderer (above)" >&2
  exit 1
fi
echo "$(sort -u <<<"$tree" | wc -l) crates, none of them a desktop renderer"

step "without its fullstack features, the library compiles no server code (wasm32 and native)"
for target in wasm32-unknown-unknown x86_64-unknown-linux-gnu; do
  tree=$(cargo tree --locked -p openrouter-signin --target "$target" -e normal --prefix none | sed 's/ (\*)//')
  if grep -E '^(dioxus-fullstack|dioxus-server|axum|chacha20poly1305) ' <<<"$tree"; then
    echo "the library's default $target dependencies include the fullstack mode's (above)" >&2
    exit 1
  fi
done
echo "no dioxus-fullstack, dioxus-server, axum or chacha20poly1305 without the features"

step "the fullstack gallery: dx builds its page and server (scripts/build-fullstack.sh)"
./scripts/build-fullstack.sh

step "the fullstack example: dx builds its page and server (target/dx/$example/debug/web)"
dx build --platform web --fullstack -p "$example" --locked >target/dx-build-example-fullstack.log 2>&1 \
  || { tail -n 40 target/dx-build-example-fullstack.log; exit 1; }
test -x "target/dx/$example/debug/web/server" || { echo "dx built no server for $example" >&2; exit 1; }

step "dx build --platform web"
export OPENROUTER_BASE_URL=http://127.0.0.1:8787
python3 scripts/gallery-index.py
dx build --platform web --locked >target/dx-build-web.log 2>&1 \
  || { tail -n 40 target/dx-build-web.log; exit 1; }
test -f target/dx/openrouter-signin-gallery/debug/web/public/index.html || { echo "dx built no index.html" >&2; exit 1; }
./scripts/build-starter.sh # the starter, beside the gallery's wasm (crates/gallery-start)

step "dx build --platform web --example web (the web example, which the browser tests sign in with)"
python3 scripts/gallery-index.py --example # its page has no copy of the gallery's hero
dx build --platform web --example web --locked >target/dx-build-example.log 2>&1 \
  || { tail -n 40 target/dx-build-example.log; exit 1; }

unset OPENROUTER_BASE_URL

step "cargo test (library, mock, integration)"
set +e
cargo test --workspace --exclude "$example" --locked 2>&1 | tee target/test-output.log
status=${PIPESTATUS[0]}
if [ "$status" -eq 0 ]; then
  # The fullstack server over HTTP against the mock; only the library rebuilds for it.
  cargo test -p openrouter-signin --features server --locked --lib --test server 2>&1 | tee -a target/test-output.log
  status=${PIPESTATUS[0]}
fi
if [ "$status" -eq 0 ]; then
  cargo test -p openrouter-signin --features server --locked --doc src/server 2>&1 | tee -a target/test-output.log
  status=${PIPESTATUS[0]}
fi
set -e

if [ "$status" -eq 0 ]; then
  # Stable Rust here, so no sanitizer: what is looked for is panics and broken invariants. The
  # corpus grows in fuzz/corpus (git-ignored) from the seeds in fuzz/seeds.
  step "coverage-guided fuzzing of the parsers (cargo fuzz), 1,000,000 runs per target"
  for target in callback sse json loopback; do
    mkdir -p "fuzz/corpus/$target"
    if cargo fuzz run --fuzz-dir fuzz --sanitizer none --target-dir target/fuzz "$target" \
      "fuzz/corpus/$target" "fuzz/seeds/$target" -- -runs=1000000 -max_len=4096 >"target/fuzz-$target.log" 2>&1; then
      echo "fuzz target $target: $(grep -E '^#[0-9]+[[:space:]]+DONE' "target/fuzz-$target.log" | tail -n 1)"
      echo "fuzz target $target: 1 passed" >>target/test-output.log
    else
      tail -n 40 "target/fuzz-$target.log"
      echo "fuzz target $target: 1 failed" >>target/test-output.log
      status=1
    fi
  done
fi

if [ "$status" -eq 0 ]; then
  step "the OS keychain through a real Secret Service (gnome-keyring in a private D-Bus session)"
  keyrings=$(mktemp -d)
  set +e
  XDG_DATA_HOME="$keyrings" dbus-run-session -- sh -c \
    'printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
     cargo test --locked --test keychain_present -- --ignored' 2>&1 | tee -a target/test-output.log
  status=${PIPESTATUS[0]}
  set -e
  rm -rf "$keyrings"
fi
# These need the dx web build above (its OpenRouter is the mock on 127.0.0.1:8787), Chromium and Xvfb.
suite web_e2e "web sign-in end to end in headless Chromium (tests/web_e2e.rs)"
suite fullstack_e2e "fullstack sign-in end to end in headless Chromium: the server holds the key (tests/fullstack_e2e.rs)"
suite example_fullstack_e2e "the fullstack example's own server function, over HTTP and from its page in headless Chromium (tests/example_fullstack_e2e.rs)"
suite deploy_e2e "deployed: nginx terminating TLS in front of three instances with one secret, one killed mid-session (tests/deploy_e2e.rs)"
if [ "$status" -eq 0 ]; then
  # A few seconds of each load through nginx, with an instance killed and restarted; it fails
  # when any request failed other than the killed instance's in-flight ones.
  step "load through nginx, one instance killed and restarted (scripts/load.sh --smoke)"
  set +e
  ./scripts/load.sh --smoke 2>&1 | tee target/load-smoke.log
  status=${PIPESTATUS[0]}
  set -e
  grep -E '^load: 1 (passed|failed)' target/load-smoke.log >>target/test-output.log \
    || echo "load: 1 failed" >>target/test-output.log
fi
if [ "$status" -eq 0 ]; then
  step "desktop sign-in end to end in a real window under Xvfb, through its accessibility tree (tests/desktop_e2e.rs)"
  set +e
  # A private D-Bus session starts the accessibility bus on demand; either variable would keep
  # the window off it. -noreset: an X server resets when its last client leaves, and the bus's
  # launcher is such a passing client at the start; a window that opened meanwhile failed.
  xvfb-run -a -s "-screen 0 1200x900x24 -noreset" dbus-run-session -- env -u NO_AT_BRIDGE -u GTK_A11Y \
    cargo test --locked --test desktop_e2e -- --ignored --test-threads=1 2>&1 \
    | tee -a target/test-output.log
  status=${PIPESTATUS[0]}
  set -e
fi
if [ "$status" -eq 0 ]; then
  step "gallery screenshots (web in headless Chromium, desktop under Xvfb) and their check"
  SCREENSHOTS_REBUILD=0 ./scripts/screenshots.sh
  set +e
  cargo test --locked --test screenshots -- --ignored 2>&1 | tee -a target/test-output.log
  status=${PIPESTATUS[0]}
  set -e
fi

passed=$(grep -Eo '[0-9]+ passed' target/test-output.log | awk '{ s += $1 } END { print s + 0 }')
failed=$(grep -Eo '[0-9]+ failed' target/test-output.log | awk '{ s += $1 } END { print s + 0 }')
echo "disk: target/ holds $(du -sh target | cut -f1), $(df -h --output=avail . | tail -n 1 | tr -d ' ') free"
printf '\nall checks done in %ds\n' $((SECONDS - started))
echo "tests: $passed passed, $failed failed"
exit "$status"
