#!/usr/bin/env bash
# Benchmark (not a test) of `byline serve` on loopback (issue 6): credit lookups and record
# reads over a store of COUNT photos with wrk, then the same reads while a batch of uploads
# runs through the API. Goal on 2 cores: ≥ 20,000 credit lookups/s with p99 < 5 ms.
#
# The store is built fast: one real photo is added, exported, and its export line is cloned
# COUNT times with a fresh id and varied credits, then `byline import`ed (imported records
# need no original bytes). Needs: wrk (Debian), python3.
#   tests/bench/http.sh [COUNT] [SECONDS]
# With BENCH_DIR set, the store is kept there and reused by later runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-100000}
secs=${2:-20}
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
server=
cleanup() {
  [[ -n $server ]] && kill -TERM "$server" 2>/dev/null && wait "$server" || true
  [[ -n ${BENCH_DIR:-} ]] || rm -rf "$work"
}
trap cleanup EXIT
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/byline
store=$work/store

if [[ ! -f $work/ids.txt ]]; then
"$bin" --store "$store" add --json samples/photos/afp-nato-brussels.jpg > /dev/null
"$bin" --store "$store" export --out "$work/one.jsonl"
python3 - "$work/one.jsonl" "$work/many.jsonl" "$work/ids.txt" "$count" <<'PY'
import json, os, random, sys
src, dst, ids_out, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
line = open(src).readline()
rec = json.loads(line)
old = rec["photo"]["id"]
agencies = ["AFP", "Reuters", "AP", "EPA", "Getty Images", "Sputnik", None]
names = ["John Thys", "Anna Smith", "Li Wei", "Olga Ivanova", "Pedro Alves", "Kim Lee"]
random.seed(7)
with open(dst, "w") as out, open(ids_out, "w") as ids:
    for i in range(n):
        new = os.urandom(32).hex()
        agency = agencies[i % len(agencies)]
        creator = names[i % len(names)]
        year = 1990 + i % 35
        caption = f"Photo {i} of the bench store"
        text = line.replace(old, new)
        text = text.replace('"John Thys"', json.dumps(creator))
        text = text.replace('"agency":"AFP"', '"agency":' + json.dumps(agency))
        text = text.replace('"year":2013', f'"year":{year}')
        out.write(text if text.endswith("\n") else text + "\n")
        ids.write(new + "\n")
PY
rm -rf "$store"
"$bin" --store "$store" add samples/photos/afp-nato-brussels.jpg > /dev/null
echo "importing $count records…"
/usr/bin/time -f "import: %e s, %M KB max RSS" "$bin" --store "$store" import "$work/many.jsonl"
fi
"$bin" --store "$store" token revoke bench > /dev/null 2>&1 || true
write_token=$("$bin" --store "$store" token create bench --write)

# wrk makes thousands of requests a second from one address: raise the rate limit (issue 15;
# default 1000 a second per token or address) out of its way; each request still pays for it.
sed -i 's/^rate_limit_per_sec = .*/rate_limit_per_sec = 1000000/; s/^rate_limit_burst = .*/rate_limit_burst = 1000000/' \
  "$store/config.toml"
"$bin" --store "$store" serve --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
server=$!
for _ in $(seq 50); do grep -q listening "$work/serve.out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/serve.out")
echo "server at $base (pid $server)"

# wrk picks a random stored id per request.
cat > "$work/pick.lua" <<LUA
local ids = {}
for l in io.lines("$work/ids.txt") do ids[#ids + 1] = l end
local suffix = os.getenv("SUFFIX") or ""
-- HOT=N asks only for the first N photos (a CMS laying out pages); else any of them.
local n = math.min(tonumber(os.getenv("HOT") or "0") or 0, #ids)
if n == 0 then n = #ids end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/photos/" .. ids[math.random(n)] .. suffix)
end
LUA
run() { # NAME SUFFIX THREADS CONNECTIONS
  echo "== $1 (wrk -t$3 -c$4 -d${secs}s)"
  SUFFIX=$2 wrk -t"$3" -c"$4" -d"${secs}s" --latency -s "$work/pick.lua" "$base" |
    grep -E "Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors"
}
run "credit lookups, any of the photos (mostly uncached)" "/credit?style=afp" 1 16
HOT=1000 run "credit lookups, 1,000 photos asked for again and again" "/credit?style=afp" 1 16
run "credit lookups, outlet style" "/credit?outlet=sputnik-example" 1 16
run "record reads" "" 1 16

# Reads while a batch upload runs: distinct copies of the corpus, one POST each. The read
# test starts once the upload is under way and is short enough to end before it does; the
# script says whether it did.
rm -rf "$work/up" && mkdir -p "$work/up"
stamp=$(date +%s%N) # fresh bytes each run, so a reused store stores them anew
mapfile -t src < <(ls tests/data/corpus/images/*.{jpg,png} | grep -v broken)
for ((i = 0; i < 600; i++)); do
  f=${src[$((i % ${#src[@]}))]}
  cp "$f" "$work/up/u$i.${f##*.}"
  printf '%04d-%s' "$i" "$stamp" >> "$work/up/u$i.${f##*.}"
done
(
  start=$(date +%s.%N)
  "$bin" --server "$base" --token "$write_token" add "$work/up" | tail -1
  echo "batch upload: $(echo "$(date +%s.%N) - $start" | bc) s"
) > "$work/upload.log" 2>&1 &
uploader=$!
sleep 0.5
secs=3 run "credit lookups during the batch upload" "/credit?style=afp" 1 16
if kill -0 "$uploader" 2>/dev/null; then
  echo "(the upload was still running when the read test ended)"
else
  echo "WARNING: the upload ended before the read test did; the figure above is partly idle"
fi
wait "$uploader"
cat "$work/upload.log"
