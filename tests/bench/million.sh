#!/usr/bin/env bash
# Benchmark (not a test) of a store of COUNT photos and COUNT recorded uses (issue 14; default
# 1,000,000). It builds the store, prints every figure the issue asks for, and deletes it.
#
# How the store is built: COUNT small distinct JPEGs are generated (one tiny picture with a
# comment segment naming its number, about 1 KB each) and hashed with b3sum. An export
# file of COUNT generated records (agency, creator, year, caption words drawn from small
# lists, as tests/bench/big-store.py does), each with one recorded use, names them by those
# hashes and is `byline import`ed; then `byline add` of the image folder stores the originals
# (each file is a known photo, so add hashes it, checks it and puts its blob in place).
#
# "Cold" means a fresh process after `sync; echo 3 > /proc/sys/vm/drop_caches` (the kernel's
# page cache emptied, as after a reboot) when this runs as root; otherwise a fresh process
# with a warm page cache, and the script says which. Each command is timed by hyperfine
# (--runs 5, the cache dropped before each run), and the mean is printed.
#
# Needs: b3sum, hyperfine, wrk (Debian), python3, GNU time. Disk: about 7.5 KB a photo while it
# runs (blobs 4 KB, journal 1.5 KB, index, the import file for a moment).
#   tests/bench/million.sh [COUNT]
# With BENCH_DIR set, the store is built there and kept (a later run with the same BENCH_DIR
# reuses it and skips the build).
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-1000000}
work=${BENCH_DIR:-$(mktemp -d -p "${TMPDIR:-/var/tmp}")}
mkdir -p "$work"
server=
cleanup() {
  [[ -n $server ]] && kill -TERM "$server" 2>/dev/null && wait "$server" || true
  [[ -n ${BENCH_DIR:-} ]] || rm -rf "$work"
}
trap cleanup EXIT
# BYLINE_BIN: a byline binary to measure instead of building one (a copy, when the target
# folder is shared and another build may replace its binary during the run).
if [[ -n ${BYLINE_BIN:-} ]]; then
  bin=$(realpath "$BYLINE_BIN")
else
  cargo build --release --quiet
  bin=$(realpath "${CARGO_TARGET_DIR:-target}/release/byline")
fi
store=$work/store
by() { "$bin" --store "$store" "$@"; }
load() { echo "(load: $(uptime | sed 's/.*load average: //'))"; }
timed() { # LABEL CMD...: wall time and peak RSS of one run (exit 1, findings, is fine)
  local label=$1
  shift
  /usr/bin/time -f "$label: %e s (%U s user, %S s system), %M KB max RSS" "$@" > /dev/null || [[ $? == 1 ]]
  load
}

if [[ ! -f $work/built ]]; then
  echo "== generating $count images and records in $work"
  python3 - "$work" "$count" <<'PY'
import os, sys
work, n = sys.argv[1], int(sys.argv[2])
# A tiny real JPEG with its metadata segments (APP1..APP15, COM) left out; each photo is
# made distinct by a comment segment naming its number.
src = open("tests/data/corpus/images/iim-iso8859-1-escape.jpg", "rb").read()
assert src[:2] == b"\xff\xd8"
body, at = bytearray(b"\xff\xd8"), 2
while at < len(src):
    marker = src[at + 1]
    if marker == 0xDA:  # start of scan: the rest is image data
        body += src[at:]
        break
    size = int.from_bytes(src[at + 2:at + 4], "big")
    if not (0xE1 <= marker <= 0xEF or marker == 0xFE):
        body += src[at:at + 2 + size]
    at += 2 + size
img = os.path.join(work, "img")
for d in range((n + 9999) // 10000):
    os.makedirs(os.path.join(img, "%03d" % d), exist_ok=True)
for i in range(n):
    note = ("byline bench photo %d" % i).encode()
    com = b"\xff\xfe" + (len(note) + 2).to_bytes(2, "big") + note
    with open(os.path.join(img, "%03d" % (i // 10000), "p%07d.jpg" % i), "wb") as f:
        f.write(body[:2] + com + body[2:])
PY
  (cd "$work/img" && find . -name '*.jpg' -print0 | sort -z | xargs -0 b3sum) > "$work/hashes.txt"
  python3 - "$work" "$count" <<'PY'
import datetime, json, os, random, sys
work, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(42)
agencies = ["AFP", "AP", "Reuters", "Getty Images", "EPA", "PA", "Sputnik", "dpa"]
first = ["John", "Marie", "Ana", "Bo", "Yuki", "Omar", "Lena", "Ivan", "Chloe", "Raj"]
last = ["Thys", "Lenoir", "Ruiz", "Li", "Sato", "Haddad", "Berg", "Petrov", "Martin", "Singh"]
words = ("nato summit flood rescue election protest football marathon storm harbour "
         "minister parliament festival wildfire earthquake market").split()
outlets = ["Le Soir", "De Standaard", "The Guardian", "El País", "Der Spiegel", "Sputnik",
           "NRC", "La Stampa", "Politiken", "Aftenposten"]
def ts(s):
    return datetime.datetime.fromtimestamp(s, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
files = [line.split(maxsplit=1) for line in open(f"{work}/hashes.txt")]
assert len(files) == n, (len(files), n)
with open(f"{work}/export.jsonl", "w") as out, open(f"{work}/ids.txt", "w") as ids:
    for i, (pid, path) in enumerate(files):
        year = 1990 + i % 35
        agency = agencies[i % len(agencies)]
        caption = " ".join(rng.choice(words) for _ in range(8)).capitalize()
        # And a word about fifty photos in a million share (a name, a place).
        caption += " w%05d." % (i % 20000)
        secs = 1_136_073_600 + i * 631  # twenty years of adds, one every ten minutes
        photo = {
            "id": pid,
            "original": {"bytes": os.path.getsize(os.path.join(work, "img", path.strip())),
                         "format": "jpeg", "width": 8, "height": 8, "orientation": None,
                         "fingerprint": "%016x" % rng.getrandbits(64)},
            "caption": caption, "headline": None,
            "creators": [f"{rng.choice(first)} {rng.choice(last)}"], "creator_title": None,
            "agency": agency, "credit_line": agency, "copyright": f"© {agency} {year}",
            "source": agency, "year": year, "date_created": f"{year}-06-01", "city": None,
            "state": None, "country": None, "country_code": None,
            "keywords": [rng.choice(words)], "instructions": None, "usage_terms": None,
            "web_statement": None, "licensor": None, "credit_line_required": None,
            "digital_source_type": None,
            "rights": {"editorial_only": False, "embargo_until": None, "expires": None,
                       "restricted_territories": []},
            "status": "complete", "missing": [], "added_at": ts(secs), "revision": 1,
        }
        # One use in ten prints a wrong credit, so the audit has findings to report.
        use = {"id": 0, "photo": pid, "outlet": outlets[i % len(outlets)],
               "url": f"https://news.example/{i}", "published": ts(secs + 3600),
               "printed_credit": agency if i % 10 else "Staff", "printed_caption": None,
               "territory": None, "commercial": False, "rendition": None}
        history = [
            {"seq": 1, "at": ts(secs), "by": "bench",
             "change": {"type": "photo_added", "photo": photo}},
            {"seq": 2, "at": ts(secs + 3600), "by": "bench",
             "change": {"type": "use_recorded", "use": use}},
        ]
        out.write(json.dumps({"photo": photo, "history": history}, ensure_ascii=False) + "\n")
        ids.write(pid + "\n")
PY
  echo "== building the store"
  timed "import of $count records and $count uses" "$bin" --store "$store" import "$work/export.jsonl"
  rm -f "$work/export.jsonl"
  timed "add of $count originals (known photos: hashed, checked, stored)" \
    "$bin" --store "$store" add --json "$work/img"
  rm -rf "$work/img"
  touch "$work/built"
fi

echo "== sizes"
du -sb "$store/index" "$store/journal.jsonl" "$store/blobs" | awk '{printf "%s: %.1f MB\n", $2, $1 / 1e6}'
index=$(du -sb "$store/index" | cut -f1)
echo "index bytes per photo: $((index / count))"
du -sh "$store"

echo "== reindex (the whole journal replayed into a new index)"
timed "reindex" "$bin" --store "$store" reindex
index=$(du -sb "$store/index" | cut -f1)
echo "index bytes per photo after reindex: $((index / count))"

if sync && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then
  drop='sync; echo 3 > /proc/sys/vm/drop_caches'
  echo "== cold commands: a fresh process after dropping the page cache"
else
  drop='true'
  echo "== cold commands: a fresh process (the page cache could not be dropped: not root)"
fi
id=$(sed -n "$((count / 2 + 1))p" "$work/ids.txt")
hyperfine --style basic --runs 5 --prepare "$drop" \
  -n "show" "$bin --store $store show $id" \
  -n "credit" "$bin --store $store credit $id --style afp" \
  -n "list --agency --year (first page)" "$bin --store $store list --agency Reuters --year 2011 --limit 50" \
  -n "list --text (first page)" "$bin --store $store list --text wildfire --limit 50" \
  -n "list --text, a rare word" "$bin --store $store list --text w01234" \
  -n "uses --outlet (first page)" "$bin --store $store uses --outlet 'Le Soir' --limit 50" \
  --export-markdown "$work/cold.md" > /dev/null
cat "$work/cold.md"
load

echo "== whole-store commands (warm page cache)"
timed "export" "$bin" --store "$store" export
timed "verify" "$bin" --store "$store" verify --json
timed "audit" "$bin" --store "$store" audit --format json

echo "== serve: random credit lookups (wrk -t1 -c16 -d20s)"
# wrk makes thousands of requests a second from one address: raise the rate limit (default
# 1000 a second per token or address) out of its way, as tests/bench/http.sh does.
sed -i 's/^rate_limit_per_sec = .*/rate_limit_per_sec = 1000000/; s/^rate_limit_burst = .*/rate_limit_burst = 1000000/' \
  "$store/config.toml"
"$bin" --store "$store" serve --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
server=$!
for _ in $(seq 100); do grep -q listening "$work/serve.out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/serve.out")
cat > "$work/pick.lua" <<LUA
local ids = {}
for l in io.lines("$work/ids.txt") do ids[#ids + 1] = l end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/photos/" .. ids[math.random(#ids)] .. "/credit?style=afp")
end
LUA
wrk -t1 -c16 -d20s --latency -s "$work/pick.lua" "$base" |
  grep -E "Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors"
load
