#!/usr/bin/env bash
# Load on the fullstack gallery as it is deployed: nginx (deploy/nginx.conf) terminating TLS on
# 127.0.0.1 in front of three instances that share one secret, against the mock OpenRouter.
#   ./scripts/load.sh [--smoke] [--release]
# Four loads run side by side at a steady concurrency, through nginx: sign-ins (start, the mock's
# approval, callback; a small Python client, since the mock is another host), session reads, the
# key's status and streamed chats (wrk). A third of the way in, one instance is killed (SIGKILL);
# two thirds in, it is started again. Printed: requests per second, median and 99th percentile
# latency and errors of each load; which errors came from the killed instance; each instance's
# resident memory and open files before and after; and one instance's memory while 200 chat
# answers stream to clients that never read them (needs the mock's /__mock/chat-size).
# It fails when a request failed for any other reason than the killed instance going away.
# --smoke: 4 s and 2 connections per load (the test command runs this); --release: the release
# build. Needs scripts/build-fullstack.sh's server and the mock's binary (built when missing).
# Everything listens on 127.0.0.1 only, on free ports; everything started is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

duration=30 # seconds of load
connections=8 # per load
unread_streams=200
profile=debug
for arg in "$@"; do
  case "$arg" in
    --smoke) duration=4 connections=2 unread_streams=20 ;;
    --release) profile=release ;;
    *) echo "usage: $0 [--smoke] [--release]" >&2; exit 2 ;;
  esac
done
for tool in nginx wrk openssl curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/setup.sh" >&2; exit 1; }
done

server=target/fullstack/$profile/server
mock=target/debug/openrouter-mock
if [ ! -x "$server" ]; then
  if [ "$profile" = release ]; then ./scripts/build-fullstack.sh --release; else ./scripts/build-fullstack.sh; fi
fi
[ -x "$mock" ] || cargo build --locked --quiet -p openrouter-mock

work=$(mktemp -d "${TMPDIR:-/tmp}/openrouter-signin-load.XXXXXX")
# nginx's workers run unprivileged (as nobody when started as root) and buffer under it.
chmod 755 "$work"
nginx_pid=
mock_pid=
declare -a instance_pids=()
cleanup() {
  set +e
  exec 2>/dev/null # (no "Killed" notices for what is ended here)
  if [ -n "$nginx_pid" ]; then
    # TERM: the master stops its workers; then anything left of its process group goes.
    kill -TERM "$nginx_pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$nginx_pid" 2>/dev/null
  fi
  for pid in "${instance_pids[@]}" "$mock_pid"; do
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  done
  # The loads too, when the run was interrupted.
  jobs -p | xargs -r kill -KILL 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Waits (at most 20 s) until 127.0.0.1:$1 accepts connections.
wait_port() {
  for _ in $(seq 1 400); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on 127.0.0.1:$1 after 20 s" >&2
  return 1
}

# Free ports, all taken at once so that they differ.
read -r mock_port proxy_port port1 port2 port3 < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(5)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
ports=("$port1" "$port2" "$port3")
origin="https://127.0.0.1:$proxy_port"
mock_url="http://127.0.0.1:$mock_port"
secret=$(openssl rand -hex 32)

"$mock" --addr "127.0.0.1:$mock_port" --consent approve >"$work/mock.log" 2>&1 &
mock_pid=$!
wait_port "$mock_port"

start_instance() { # index (0-based)
  IP=127.0.0.1 PORT="${ports[$1]}" OPENROUTER_SIGNIN_SECRET="$secret" OPENROUTER_SIGNIN_ORIGIN="$origin" \
    OPENROUTER_BASE_URL="$mock_url" "$server" >>"$work/instance$(($1 + 1)).log" 2>&1 &
  instance_pids[$1]=$!
}
for i in 0 1 2; do start_instance "$i"; done
for port in "${ports[@]}"; do wait_port "$port"; done

# A self-signed certificate for 127.0.0.1 and localhost, made for this run only.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
mkdir -p "$work/temp"
sed -e "s|@LISTEN@|127.0.0.1:$proxy_port|" -e "s|@CERTIFICATE@|$work/cert.pem|" \
  -e "s|@CERTIFICATE_KEY@|$work/key.pem|" -e "s|@ACCESS_LOG@|$work/access.log|" \
  -e "s|@INSTANCE_1@|127.0.0.1:$port1|" -e "s|@INSTANCE_2@|127.0.0.1:$port2|" \
  -e "s|@INSTANCE_3@|127.0.0.1:$port3|" deploy/nginx.conf >"$work/nginx.conf"
# Its own process group (setsid), so that cleanup can end the workers too.
setsid nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log" -g 'daemon off;' &
nginx_pid=$!
wait_port "$proxy_port"

# One sign-in by hand (curl keeps the cookies): start, the mock approves, the callback.
curl -sSk -L --max-redirs 5 -m 20 -c "$work/jar" -b "$work/jar" -o /dev/null "$origin/auth/start?return_to=/"
cookie=$(awk -F'\t' '$6 == "__Host-openrouter_key" { print $6 "=" $7 }' "$work/jar")
[ -n "$cookie" ] || { echo "the sign-in through nginx set no __Host-openrouter_key cookie" >&2; cat "$work/jar" >&2; exit 1; }
curl -sSk -m 10 -H "Cookie: $cookie" "$origin/api/openrouter-signin/session" | grep -q '"signed_in":true' \
  || { echo "the session is not signed in" >&2; exit 1; }

# What wrk sends and checks: LOAD_KIND picks the request; an answer without what it should
# hold counts as bad. done() prints one line of figures.
cat >"$work/load.lua" <<'LUA'
local kind = os.getenv("LOAD_KIND")
wrk.headers["Cookie"] = os.getenv("LOAD_COOKIE")
wrk.headers["x-openrouter-signin"] = "1"
local expected = '"signed_in":true'
if kind == "key" then
  expected = '"label"'
elseif kind == "chat" then
  wrk.method = "POST"
  wrk.body = '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hello"}],"stream":true}'
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Origin"] = os.getenv("LOAD_ORIGIN")
  wrk.headers["Sec-Fetch-Site"] = "same-origin"
  expected = "data: [DONE]"
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
bad = 0
function response(status, headers, body)
  if status ~= 200 or not string.find(body, expected, 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total_bad = 0
  for _, thread in ipairs(threads) do total_bad = total_bad + thread:get("bad") end
  local e = summary.errors
  io.write(string.format("FIGURES %s %d %.1f %.1f %.1f %d\n", kind, summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout + math.max(e.status, total_bad)))
end
LUA

# Sign-ins: three requests each, two hosts (nginx, the mock), so a small client of our own.
cat >"$work/signins.py" <<'PY'
import http.client, ssl, sys, threading, time, urllib.parse
origin, connections, duration = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
proxy = urllib.parse.urlsplit(origin)
tls = ssl._create_unverified_context()
latencies, errors, lock = [], [0], threading.Lock()
deadline = time.monotonic() + duration

def get(conn, path, cookie=None):
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    return response

def cookie_of(response, name):
    for header in response.headers.get_all("Set-Cookie") or []:
        pair = header.split(";", 1)[0]
        if pair.split("=", 1)[0] == name:
            return pair
    return None

def worker():
    conns = {}
    def conn(url):
        key = (url.scheme, url.netloc)
        if key not in conns:
            cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
            kwargs = {"context": tls} if url.scheme == "https" else {}
            conns[key] = cls(url.hostname, url.port, timeout=10, **kwargs)
        return conns[key]
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            start = get(conn(proxy), "/auth/start?return_to=/")
            pending = cookie_of(start, "__Host-openrouter_pending")
            at_openrouter = urllib.parse.urlsplit(start.headers["Location"])
            approved = get(conn(at_openrouter), at_openrouter.path + "?" + at_openrouter.query)
            back = urllib.parse.urlsplit(approved.headers["Location"])
            callback = get(conn(back), back.path + "?" + back.query, pending)
            key = cookie_of(callback, "__Host-openrouter_key")
            ok = callback.status == 303 and key and len(key) > 30 and "signin_error" not in callback.headers.get("Location", "")
        except Exception:
            ok = False
            for c in conns.values():
                c.close()
            conns.clear()
        with lock:
            if ok:
                latencies.append(time.monotonic() - started)
            else:
                errors[0] += 1

threads = [threading.Thread(target=worker) for _ in range(connections)]
for t in threads: t.start()
for t in threads: t.join()
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else 0
print("FIGURES signin %d %.1f %.1f %.1f %d" % (len(latencies) + errors[0],
      (len(latencies) + errors[0]) / duration, pct(0.5), pct(0.99), errors[0]))
PY

path_of() { # load kind -> path under /api/openrouter-signin/
  case $1 in
    session) echo session ;;
    key) echo api/v1/key ;;
    chat) echo api/v1/chat/completions ;;
  esac
}

# Resident memory (MiB) and open files of instance $1 (0-based): how many of the files are
# connections from nginx and to the mock (both pools keep idle connections for reuse, as many
# as the load had at once), and how many are anything else.
usage() {
  local pid=${instance_pids[$1]} port=${ports[$1]} files
  files=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  printf '%s MiB, %s files (%s)' "$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")" "$files" \
    "$(ss -Htnp state established 2>/dev/null | grep -F "pid=$pid," \
      | awk -v me="127.0.0.1:$port" -v mock="127.0.0.1:$mock_port" -v files="$files" \
        '$3 == me { from++ } $4 == mock { to++ }
         END { printf "%d from nginx, %d to the mock, %d other", from, to, files - from - to }')"
}
# A short warm-up of every kind first, so that "before" already counts the connections nginx
# keeps open to each instance and the allocator's first growth.
warmup=()
for kind in session key chat; do
  LOAD_KIND=$kind LOAD_COOKIE=$cookie LOAD_ORIGIN=$origin \
    wrk -t1 -c"$connections" -d1s -s "$work/load.lua" "$origin/api/openrouter-signin/$(path_of $kind)" >/dev/null &
  warmup+=($!)
done
for pid in "${warmup[@]}"; do wait "$pid"; done
declare -a before=()
for i in 0 1 2; do before[$i]=$(usage "$i"); done

echo "==> load through nginx ($origin): ${duration}s, $connections connections each for sign-ins, session reads, key status and streamed chats"
echo "    instance 2 (127.0.0.1:$port2) is killed at $((duration / 3))s and started again at $((duration * 2 / 3))s"
python3 "$work/signins.py" "$origin" "$connections" "$duration" >"$work/figures-signin" &
loads=($!)
for kind in session key chat; do
  LOAD_KIND=$kind LOAD_COOKIE=$cookie LOAD_ORIGIN=$origin wrk -t1 -c"$connections" -d"${duration}s" \
    --timeout 10s -s "$work/load.lua" "$origin/api/openrouter-signin/$(path_of $kind)" >"$work/figures-$kind" 2>&1 &
  loads+=($!)
done
sleep $((duration / 3))
kill -KILL "${instance_pids[1]}"
wait "${instance_pids[1]}" 2>/dev/null || true # (no "Killed" notice)
killed_at=$(date -u +%FT%T)
sleep $((duration / 3))
start_instance 1
wait_port "$port2"
for pid in "${loads[@]}"; do wait "$pid"; done

printf '\n%-10s %10s %10s %12s %12s %8s\n' load requests "req/s" "median ms" "p99 ms" errors
client_errors=0
for kind in signin session key chat; do
  line=$(grep '^FIGURES' "$work/figures-$kind" || true)
  [ -n "$line" ] || { echo "the $kind load printed no figures:" >&2; cat "$work/figures-$kind" >&2; exit 1; }
  read -r _ name requests rps median p99 errors <<<"$line"
  printf '%-10s %10s %10s %12s %12s %8s\n' "$name" "$requests" "$rps" "$median" "$p99" "$errors"
  client_errors=$((client_errors + errors))
  [ "$requests" -gt "$errors" ] || { echo "no $kind request succeeded" >&2; exit 1; }
done

# What nginx's error log says of the killed instance: new requests it refused while it was down
# (nginx sent each to another instance: no error for the client), and requests it had in flight
# when it died (cut, or refused an answer; nginx sends a GET that has no answer yet to another
# instance). Only those in flight may fail for the clients. No line may name another instance.
killed="127.0.0.1:$port2"
killed_lines=$(grep -F "upstream: \"http://$killed/" "$work/error.log" || true)
refused=$(grep -c "connect() failed" <<<"$killed_lines" || true)
in_flight=$(grep -vc -e "connect() failed" -e '^$' <<<"$killed_lines" || true)
others=$(grep 'upstream: "http://' "$work/error.log" | grep -vc -F "upstream: \"http://$killed/" || true)
failed_5xx=$(python3 - "$work/access.log" "$killed" <<'PY'
import json, sys
killed, blamed, other = sys.argv[2], 0, 0
for line in open(sys.argv[1]):
    entry = json.loads(line)
    if entry["status"] >= 500:
        if killed in entry["upstream"]: blamed += 1
        else: other += 1
print(blamed, other)
PY
)
read -r blamed_5xx other_5xx <<<"$failed_5xx"
served=$(python3 - "$work/access.log" <<'PY'
import collections, json, sys
entries = [json.loads(l) for l in open(sys.argv[1])]
count = collections.Counter(e["upstream"].split(", ")[-1] for e in entries)
print(", ".join("%s: %d" % (k, v) for k, v in sorted(count.items())))
slowest = max(entries, key=lambda e: e["request_time"])
print("slowest answer: %.3f s, %s %s (status %s, instances tried %s, their times %s)" % (slowest["request_time"],
      slowest["method"], slowest["path"], slowest["status"], slowest["upstream"], slowest["upstream_time"]))
PY
)
echo
echo "served by (last instance tried): $(head -n 1 <<<"$served")"
tail -n 1 <<<"$served"
echo "errors seen by the clients: $client_errors"
echo "nginx's error log: $in_flight requests were in flight on the killed instance when it died (each GET without an answer yet was sent on to another instance), $refused new ones were refused while it was down (sent on as well); other instances named: $others"
echo "5xx answers: $blamed_5xx through the killed instance, $other_5xx otherwise"
echo
echo "each instance's resident memory and open files, before and after the load:"
for i in 0 1 2; do
  note=
  [ "$i" = 1 ] && note=" (restarted: a new process)"
  printf '%d (127.0.0.1:%s)\n    before: %s\n    after:  %s%s\n' $((i + 1)) "${ports[$i]}" "${before[$i]}" "$(usage "$i")" "$note"
done

unread_failed=0
# One instance, 200 chat answers that are never read. The mock makes each answer long (its
# /__mock/chat-size), so that they outgrow every socket buffer on the way.
echo
if curl -sf -m 5 -X POST "$mock_url/__mock/chat-size?bytes=8388608" >/dev/null; then
  curl -sf -m 5 -X POST "$mock_url/__mock/chat-delay?ms=0" >/dev/null
  cat >"$work/unread.py" <<'PY'
import json, os, socket, sys, time, urllib.request
port, pid, count, cookie, origin, mock = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
def rss():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
def chats():  # answers the mock has begun; None while it is too busy making them to say
    try:
        return json.load(urllib.request.urlopen(mock + "/__mock/stats", timeout=5))["chat_requests"]
    except OSError:
        return None
body = b'{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hello"}],"stream":true}'
request = ("POST /api/openrouter-signin/api/v1/chat/completions HTTP/1.1\r\nHost: %s\r\n"
           "Cookie: %s\r\nOrigin: %s\r\nSec-Fetch-Site: same-origin\r\nx-openrouter-signin: 1\r\n"
           "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
           % (origin.split("//")[1], cookie, origin, len(body))).encode() + body
def files():
    return len(os.listdir("/proc/%s/fd" % pid))
before, asked, files_before = rss(), chats(), files()
sockets = []
for _ in range(count):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a reader that takes nothing
    s.connect(("127.0.0.1", port))
    s.sendall(request)
    sockets.append(s)
deadline = time.monotonic() + 60
while (chats() or 0) < asked + count and time.monotonic() < deadline:
    time.sleep(0.1)
streaming = (chats() or asked) - asked
peak = rss()
for _ in range(10):  # 5 s: the answers would pile up here if nothing held them back
    time.sleep(0.5)
    peak = max(peak, rss())
during = rss()
for s in sockets:
    s.close()
deadline = time.monotonic() + 10  # until the instance has let go of the connections
while files() > files_before + 5 and time.monotonic() < deadline:
    time.sleep(0.1)
print("  %d streams open, %d of them streaming from the mock: %.1f MiB before, %.1f MiB at most while"
      " they stood unread for 5 s (%.1f at the end), %.1f MiB and %d open files (%d before) after closing them"
      % (count, streaming, before, peak, during, rss(), files(), files_before))
PY
  echo "instance 1 under $unread_streams unread chat answers of 8 MiB each (straight to it, not through nginx):"
  python3 "$work/unread.py" "$port1" "${instance_pids[0]}" "$unread_streams" "$cookie" "$origin" "$mock_url" \
    || unread_failed=1
else
  echo "unread chat answers: skipped (this mock has no /__mock/chat-size to make answers long)"
fi

# Only the killed instance's in-flight requests may fail.
if [ "$others" -ne 0 ] || [ "$other_5xx" -ne 0 ] || [ "$client_errors" -gt "$in_flight" ] \
  || [ "$unread_failed" -ne 0 ]; then
  grep -F 'upstream: "http://' "$work/error.log" | tail -n 20
  echo "load: 1 failed (errors beyond the killed instance's in-flight requests, or no figures for unread answers)"
  exit 1
fi
echo "load: 1 passed (client errors: $client_errors, all in flight on the killed instance)"
