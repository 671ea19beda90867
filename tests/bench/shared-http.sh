#!/usr/bin/env bash
# Benchmark (not a test) of issue 13: credit lookups and record reads per second, with p50
# and p99, from one `byline serve` over the same COUNT records, first in the embedded store,
# then in PostgreSQL (blobs in SeaweedFS; both engines on loopback, tests/bench/engines.sh).
# Goal: PostgreSQL at least half the embedded figure. Records are made as tests/bench/http.sh
# makes them (one real photo's export line cloned with fresh ids and varied credits, then
# imported). Needs: wrk (Debian), python3, postgresql-15, weed.
#   tests/bench/shared-http.sh [COUNT] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-20000}
secs=${2:-10}
work=$(mktemp -d)
source tests/bench/engines.sh
server=
cleanup() {
  [[ -n $server ]] && kill -TERM "$server" 2>/dev/null && wait "$server" || true
  stop_engines
  rm -rf "$work"
}
trap cleanup EXIT
bin=${BYLINE_BIN:-}
if [[ -z $bin ]]; then
  cargo build --release --quiet
  bin=${CARGO_TARGET_DIR:-target}/release/byline
fi
start_engines
store=$work/store
"$bin" --store "$store" add --json samples/photos/afp-nato-brussels.jpg > /dev/null
"$bin" --store "$store" export --out "$work/one.jsonl"
python3 - "$work/one.jsonl" "$work/many.jsonl" "$work/ids.txt" "$count" <<'PY'
import json, os, sys
src, dst, ids_out, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
line = open(src).readline()
old = json.loads(line)["photo"]["id"]
agencies = ["AFP", "Reuters", "AP", "EPA", "Getty Images", "Sputnik", None]
names = ["John Thys", "Anna Smith", "Li Wei", "Olga Ivanova", "Pedro Alves", "Kim Lee"]
with open(dst, "w") as out, open(ids_out, "w") as ids:
    for i in range(n):
        new = os.urandom(32).hex()
        text = line.replace(old, new)
        text = text.replace('"John Thys"', json.dumps(names[i % len(names)]))
        text = text.replace('"agency":"AFP"', '"agency":' + json.dumps(agencies[i % len(agencies)]))
        out.write(text if text.endswith("\n") else text + "\n")
        ids.write(new + "\n")
PY
"$bin" --store "$store" import "$work/many.jsonl" > /dev/null
sed -i 's/^rate_limit_per_sec = .*/rate_limit_per_sec = 1000000/; s/^rate_limit_burst = .*/rate_limit_burst = 1000000/' \
  "$store/config.toml"
pg=$(new_database bench)
export BYLINE_BLOBS=s3://bench/http BYLINE_WORK=$work/work
BYLINE_STORE=$pg "$bin" add samples/photos/afp-nato-brussels.jpg > /dev/null
BYLINE_STORE=$pg "$bin" import "$work/many.jsonl" > /dev/null
"$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U byline -d bench -c \
  "UPDATE settings SET value = regexp_replace(regexp_replace(value,
     'rate_limit_per_sec = \d+', 'rate_limit_per_sec = 1000000'),
     'rate_limit_burst = \d+', 'rate_limit_burst = 1000000')"

cat > "$work/pick.lua" <<LUA
local ids = {}
for l in io.lines("$work/ids.txt") do ids[#ids + 1] = l end
local suffix = os.getenv("SUFFIX") or ""
local n = math.min(tonumber(os.getenv("HOT") or "0") or 0, #ids)
if n == 0 then n = #ids end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/photos/" .. ids[math.random(n)] .. suffix)
end
LUA
run() { # NAME SUFFIX
  echo "== $1 (wrk -t1 -c16 -d${secs}s)"
  SUFFIX=$2 wrk -t1 -c16 -d"${secs}s" --latency -s "$work/pick.lua" "$base" |
    grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors"
}
for kind in embedded postgresql; do
  if [[ $kind == embedded ]]; then
    BYLINE_STORE=$store "$bin" serve --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
  else
    BYLINE_STORE=$pg "$bin" serve --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
  fi
  server=$!
  for _ in $(seq 100); do grep -q listening "$work/serve.out" && break; sleep 0.1; done
  base=$(sed -n 's/^listening on //p' "$work/serve.out")
  echo "### $kind store, $count records (load: $(uptime | sed 's/.*load average: //'))"
  run "credit lookups, any of the photos (mostly uncached)" "/credit?style=afp"
  HOT=1000 run "credit lookups, 1,000 photos asked for again and again" "/credit?style=afp"
  run "record reads" ""
  kill -TERM "$server" && wait "$server" || true
  server=
  : > "$work/serve.out"
done
