#!/usr/bin/env bash
# Benchmark (not a test): `byline add` of 1,000 photos against `exiftool -j` merely reading
# them and `b3sum` merely hashing them, side by side in one hyperfine run on the same files.
# The photos are the shared corpus's JPEG/PNG/TIFF/WebP files, copied with one extra byte each
# so every copy is a distinct blob. Needs: hyperfine, libimage-exiftool-perl, b3sum (Debian).
#   tests/bench/add.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/byline
mkdir -p "$work/photos"
mapfile -t src < <(ls tests/data/corpus/images/*.{jpg,png,tif,webp} | grep -v broken-truncated)
for ((i = 0; i < count; i++)); do
  f=${src[$((i % ${#src[@]}))]}
  out="$work/photos/p$(printf %04d "$i").${f##*.}"
  cp "$f" "$out"
  printf '%04d' "$i" >> "$out"
done
du -sh "$work/photos"
hyperfine --warmup 1 --runs 5 --export-markdown "$work/result.md" \
  --prepare "rm -rf $work/store" \
  -n "byline add ($count photos)" "$bin --store $work/store add $work/photos" \
  -n "exiftool -j (read only)" "exiftool -q -j $work/photos > /dev/null" \
  -n "b3sum (hash only)" "b3sum $work/photos/* > /dev/null"
cat "$work/result.md"
