#!/usr/bin/env bash
# Installs whatever is missing, then runs the gallery app.
#   ./scripts/run.sh            the web app on http://127.0.0.1:8080 against the local mock OpenRouter
#   ./scripts/run.sh desktop    the desktop app against the local mock
#   ./scripts/run.sh fullstack  the fullstack app on http://127.0.0.1:8080: the server signs in and
#                               keeps the key in a sealed HttpOnly cookie (set OPENROUTER_SIGNIN_SECRET
#                               to keep sign-ins across restarts)
# With OPENROUTER_BASE_URL set (e.g. https://openrouter.ai) no mock is started and the app talks to it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

platform=${1:-web}
case "$platform" in web | desktop | fullstack) ;; *) echo "usage: $0 [web|desktop|fullstack]" >&2; exit 2 ;; esac

if [ -z "${OPENROUTER_BASE_URL:-}" ]; then
  cargo build --quiet --locked -p openrouter-mock
  target/debug/openrouter-mock --addr 127.0.0.1:8787 &
  mock_pid=$!
  # index.html is left allowing https://openrouter.ai, whatever this run wrote into it.
  trap 'kill "$mock_pid" 2>/dev/null || true; OPENROUTER_BASE_URL= python3 scripts/gallery-index.py >/dev/null || true' EXIT
  export OPENROUTER_BASE_URL=http://127.0.0.1:8787
  echo "local mock OpenRouter on $OPENROUTER_BASE_URL (approve or deny on its page)"
fi

if [ "$platform" = web ]; then
  # The page's CSP lets it reach $OPENROUTER_BASE_URL only; dx serve builds no starter.
  python3 scripts/gallery-index.py --serve
  dx serve --platform web --addr 127.0.0.1 --port 8080 --open false
elif [ "$platform" = fullstack ]; then
  ./scripts/build-fullstack.sh
  echo "fullstack gallery on http://127.0.0.1:8080"
  IP=127.0.0.1 PORT=8080 target/fullstack/debug/server
else
  cargo run --locked
fi
