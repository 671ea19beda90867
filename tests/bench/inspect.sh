#!/usr/bin/env bash
# Benchmark (not a timed test): `byline inspect --json` over the shared corpus against
# ExifTool and exiv2 on the same files, side by side in one hyperfine run.
#
# Needs: apt-get install hyperfine libimage-exiftool-perl exiv2; cargo build --release.
# Run from the crate root: bash tests/bench/inspect.sh [extra hyperfine args]
# BYLINE overrides the byline command (e.g. a build from another target dir).
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=tests/data/corpus/images
byline=${BYLINE:-${CARGO_TARGET_DIR:-target}/release/byline inspect --json}
for tool in hyperfine exiftool exiv2; do
    command -v "$tool" >/dev/null || { echo "missing: $tool (see the header)" >&2; exit 2; }
done
files=$(printf '%q ' "$corpus"/*)
echo "$(ls "$corpus" | wc -l) files, $(du -sh "$corpus" | cut -f1)"
# exiv2 exits non-zero on files it cannot read (HEIC), so its status is ignored.
hyperfine --warmup 3 --min-runs 10 -N --ignore-failure "$@" \
    -n byline "$byline $files" \
    -n 'exiftool -j' "exiftool -j $files" \
    -n 'exiv2 -pa' "exiv2 -pa $files"
