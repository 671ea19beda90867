#!/usr/bin/env bash
# Run the fuzz targets (all, or those named) one after another, each for SECS seconds (600 by
# default) under -rss_limit_mb=512, at nice 10. Seeds come from tests/data and tests/fuzz/seeds
# (seed.py); what a run adds goes to tests/fuzz/work/TARGET, its log to work/TARGET.log, crashes
# to artifacts/TARGET. Prints libFuzzer's final stats per target.
#   tests/fuzz/run.sh [TARGET...]        SECS=60 for a short run; needs cargo-fuzz and nightly.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${SECS:-600}
targets=${*:-iptc xmp segments png http}
python3 tests/fuzz/seed.py
nice -n 10 cargo +nightly fuzz build --fuzz-dir tests/fuzz
bin=${CARGO_TARGET_DIR:-tests/fuzz/target}/x86_64-unknown-linux-gnu/release
for t in $targets; do
  mkdir -p "tests/fuzz/work/$t" "tests/fuzz/artifacts/$t"
  echo "== $t: $secs s, started $(date -u +%H:%M:%S), load: $(cut -d' ' -f1-3 /proc/loadavg)"
  status=0
  nice -n 10 "$bin/$t" "tests/fuzz/work/$t" "tests/fuzz/corpus/$t" \
    -max_total_time="$secs" -rss_limit_mb=512 -timeout=30 -print_final_stats=1 \
    -artifact_prefix="tests/fuzz/artifacts/$t/" > "tests/fuzz/work/$t.log" 2>&1 || status=$?
  grep -E "Done [0-9]+ runs|^stat::number_of_executed_units|^stat::peak_rss_mb|^==[0-9]+==|^SUMMARY|Test unit written" \
    "tests/fuzz/work/$t.log" || true
  echo "== $t: exit $status, corpus $(ls "tests/fuzz/work/$t" | wc -l) files"
done
