#!/usr/bin/env bash
# Benchmark (not a test) of issue 13: `byline add` of COUNT photos into a store in PostgreSQL
# with its blobs in SeaweedFS's S3 gateway, against the embedded store (journal, sled, blobs
# folder), on the same files, RUNS times each, each run into an empty store. Both engines run
# on loopback on this machine (tests/bench/engines.sh), PostgreSQL with fsync on.
#   tests/bench/shared-add.sh [COUNT] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-1000}
runs=${2:-3}
work=$(mktemp -d)
source tests/bench/engines.sh
trap 'stop_engines; rm -rf "$work"' EXIT
bin=${BYLINE_BIN:-}
if [[ -z $bin ]]; then
  cargo build --release --quiet
  bin=${CARGO_TARGET_DIR:-target}/release/byline
fi
mkdir -p "$work/photos"
mapfile -t src < <(ls tests/data/corpus/images/*.{jpg,png,tif,webp} | grep -v broken-truncated)
for ((i = 0; i < count; i++)); do
  f=${src[$((i % ${#src[@]}))]}
  out="$work/photos/p$(printf %04d "$i").${f##*.}"
  cp "$f" "$out"
  printf '%04d' "$i" >> "$out"
done
du -sh "$work/photos"
start_engines
echo "load: $(uptime | sed 's/.*load average: //')"
for ((r = 1; r <= runs; r++)); do
  rm -rf "$work/store"
  /usr/bin/time -f "embedded store:         %e s (%M KB max RSS)" \
    "$bin" --store "$work/store" add "$work/photos" > /dev/null || true
  url=$(new_database "bench$r")
  BYLINE_STORE=$url BYLINE_BLOBS=s3://bench/run$r BYLINE_WORK=$work/work$r \
    /usr/bin/time -f "PostgreSQL + S3 store:  %e s (%M KB max RSS)" \
    "$bin" add "$work/photos" > /dev/null || true
done
rm -rf "$work/store"
echo "load: $(uptime | sed 's/.*load average: //')"
