#!/usr/bin/env bash
# Load test (not a test) of `byline serve` under attack (issue 15): wrk credit lookups while
# 40 clients keep sending untokened 49 MB uploads and 200 slowloris connections keep
# trickling headers. Prints wrk's throughput and latency (p99) and the server's peak RSS
# (VmHWM). Reads must still be answered and memory stay bounded.
#   tests/bench/hostile.sh [SECONDS]            (BUILD=release for a release build)
# Needs: wrk (Debian), python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-20}
profile=${BUILD:-release}
work=$(mktemp -d)
server=
attack=
cleanup() {
  [[ -n $attack ]] && kill "$attack" 2>/dev/null || true
  [[ -n $server ]] && kill -TERM "$server" 2>/dev/null && wait "$server" || true
  rm -rf "$work"
}
trap cleanup EXIT
if [[ $profile == release ]]; then cargo build --release --quiet; else cargo build --quiet; fi
bin=${CARGO_TARGET_DIR:-target}/$profile/byline
store=$work/store
id=$("$bin" --store "$store" add --json samples/photos/afp-nato-brussels.jpg |
  python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
# The header timeout is the default (10 s): slowloris sockets are cut and reopened.
# wrk makes thousands of requests a second from one address: raise the rate limit (issue 15;
# default 1000 a second per token or address) out of its way; each request still pays for it.
sed -i 's/^rate_limit_per_sec = .*/rate_limit_per_sec = 1000000/; s/^rate_limit_burst = .*/rate_limit_burst = 1000000/' \
  "$store/config.toml"
"$bin" --store "$store" serve --listen 127.0.0.1:0 > "$work/addr" 2> "$work/log" &
server=$!
for _ in $(seq 50); do [[ -s $work/addr ]] && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/addr")
hostport=${base#http://}
echo "server pid $server at $base; start RSS $(awk '/VmRSS/ {print $2, $3}' /proc/$server/status)"

python3 - "$hostport" "$secs" <<'PY' &
import socket, sys, threading, time
host, port = sys.argv[1].split(":")
port, end = int(port), time.time() + int(sys.argv[2]) + 5
stats = {"uploads": 0, "refused": 0, "slow_reopened": 0}
chunk = b"\0" * (1 << 20)
def upload():
    while time.time() < end:
        try:
            s = socket.create_connection((host, port), timeout=10)
            s.sendall(b"POST /photos?name=x.jpg HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % (49 << 20))
            for _ in range(49):
                s.sendall(chunk)
        except OSError:
            stats["refused"] += 1
        finally:
            stats["uploads"] += 1
            try: s.close()
            except Exception: pass
def slowloris():
    while time.time() < end:
        try:
            s = socket.create_connection((host, port), timeout=30)
            s.sendall(b"GET /photos HTTP/1.1\r\nHost: x\r\n")
            while time.time() < end:
                time.sleep(2)
                s.sendall(b"X-a: b\r\n")
        except OSError:
            stats["slow_reopened"] += 1
threads = [threading.Thread(target=upload, daemon=True) for _ in range(40)]
threads += [threading.Thread(target=slowloris, daemon=True) for _ in range(200)]
for t in threads: t.start()
time.sleep(max(0, end - time.time()))
print("attack:", stats, flush=True)
PY
attack=$!
sleep 3
echo "load: $(uptime)"
wrk -t2 -c32 -d"${secs}s" --latency "$base/photos/$id/credit" | sed -n '1,/Requests\/sec/p'
wait "$attack" || true
attack=
echo "server peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$server/status)"
