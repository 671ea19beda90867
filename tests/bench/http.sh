#!/usr/bin/env bash
# Benchmark (not a test) of `byline serve` on loopback (issue 6): credit lookups and record
# reads over a store of COUNT photos with wrk, then the same reads while a batch of uploads
# runs through the API. Goal on 2 cores: ≥ 20,000 credit lookups/s with p99 < 5 ms.
#
# The store is built fast: one real photo is added, exported, and its export line is cloned
# COUNT times with a fresh id and varied credits, then `byline import`ed (imported records
# need no original bytes). Needs: wrk (Debian), python3.
#   tests/bench/http.sh [COUNT] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-100000}
secs=${2:-20}
work=$(mktemp -d)
server=
cleanup() {
  [[ -n $server ]] && kill -TERM "$server" 2>/dev/null && wait "$server" || true
  rm -rf "$work"
}
trap cleanup EXIT
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/byline
store=$work/store

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
write_token=$("$bin" --store "$store" token create bench --write)

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
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/photos/" .. ids[math.random(#ids)] .. suffix)
end
LUA
run() { # NAME SUFFIX THREADS CONNECTIONS
  echo "== $1 (wrk -t$3 -c$4 -d${secs}s)"
  SUFFIX=$2 wrk -t"$3" -c"$4" -d"${secs}s" --latency -s "$work/pick.lua" "$base" |
    grep -E "Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors"
}
run "credit lookups" "/credit?style=afp" 1 16
run "credit lookups, outlet style" "/credit?outlet=sputnik-example" 1 16
run "record reads" "" 1 16

# Reads while a batch upload runs: distinct copies of the corpus, one POST each.
mkdir -p "$work/up"
mapfile -t src < <(ls ../shared/corpus/images/*.{jpg,png} | grep -v broken)
for ((i = 0; i < 300; i++)); do
  f=${src[$((i % ${#src[@]}))]}
  cp "$f" "$work/up/u$i.${f##*.}"
  printf '%04d' "$i" >> "$work/up/u$i.${f##*.}"
done
(
  start=$(date +%s.%N)
  "$bin" --server "$base" --token "$write_token" add "$work/up" | tail -1
  echo "batch upload: $(echo "$(date +%s.%N) - $start" | bc) s"
) > "$work/upload.log" 2>&1 &
uploader=$!
secs=10 run "credit lookups during the batch upload" "/credit?style=afp" 1 16
wait "$uploader"
cat "$work/upload.log"
