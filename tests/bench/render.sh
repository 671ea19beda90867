#!/usr/bin/env bash
# Rendition benchmark (issue 4). Not a test: it prints numbers and asserts nothing.
#
# The four presets (320, 640, 1280, 2048, JPEG q85) from each of 10 real photos of about
# 8-20 megapixels, made in one run on the same files by:
#   byline         one render_set per photo (cargo bench --bench render), 1 and 2 jobs
#   vipsthumbnail  one process per rendition, as a newsroom script would
#   vips cascade   libvips in one process (pyvips), 2048 first, each size from the one above
#   convert        ImageMagick, one process per rendition
# then SSIM of byline's renditions against libvips's Lanczos3 output (tests/bench/ssim.py)
# and byline's peak RSS on the largest photo (/usr/bin/time -v).
#
# Needs (Debian): libvips-tools imagemagick python3-venv time, plus cmake and nasm to build
# byline. The photos are Debian's lomiri-wallpapers packages, fetched with apt-get download
# into the work directory; never commit them.
#
# Usage: tests/bench/render.sh [WORK_DIR]     (RUNS=N for best-of-N timing, default 3)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-${TMPDIR:-/tmp}/byline-bench}
runs=${RUNS:-3}
presets="320 640 1280 2048"
mkdir -p "$work"
cd "$work"

# --- the photos -------------------------------------------------------------------------
if [ ! -d photos ]; then
    mkdir -p debs photos
    (cd debs && apt-get download lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 >/dev/null)
    for deb in debs/*.deb; do dpkg -x "$deb" unpacked; done
    for f in unpacked/usr/share/backgrounds/*.jpg; do
        px=$(( $(vipsheader -f width "$f") * $(vipsheader -f height "$f") ))
        # 7.9-20.5 MP: picosdeeuropa is 7.99 MP and Kleiber 20.4 MP.
        if [ "$px" -ge 7900000 ] && [ "$px" -le 20500000 ]; then cp "$f" photos/; fi
    done
fi
mapfile -t photos < <(ls photos/*.jpg | head -n 10)
echo "photos: ${#photos[@]}"
for f in "${photos[@]}"; do
    printf '  %-45s %sx%s\n' "$(basename "$f")" "$(vipsheader -f width "$f")" "$(vipsheader -f height "$f")"
done

# --- tools ------------------------------------------------------------------------------
bin=$(cd "$root" && cargo bench --bench render --no-run 2>&1 |
    sed -n 's/.*Executable .*(\(.*\))$/\1/p' | tail -n 1)
[ -x "$bin" ] || { echo "could not build the bench driver" >&2; exit 2; }
if [ ! -x venv/bin/python ]; then
    python3 -m venv venv
    venv/bin/pip install -q pyvips scikit-image
fi
py=venv/bin/python
cat "${photos[@]}" >/dev/null # warm the page cache for every tool alike

# --- timing -----------------------------------------------------------------------------
# "wall user sys" seconds of the best-of-$runs run (by wall time) of "$@". CPU seconds
# (user + sys, children included) are printed too: on a shared machine they move much less
# than wall time, and libvips spreads its work over threads.
best() {
    local best_line="" line
    for _ in $(seq "$runs"); do
        line=$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>"$work/last-error.log"; } 2>&1 ) ||
            { echo "failed: $*" >&2; cat "$work/last-error.log" >&2; exit 2; }
        if [ -z "$best_line" ] || [ "$(echo "${line%% *} < ${best_line%% *}" | bc -l)" = 1 ]; then
            best_line=$line
        fi
    done
    echo "$best_line"
}
vips_each() {
    for f in "${photos[@]}"; do
        # -o is relative to the input's folder unless absolute
        for s in $presets; do vipsthumbnail "$f" -s "${s}x${s}" -o "$work/out/vips/%s-$s.jpg[Q=85]"; done
    done
}
convert_each() {
    local stem
    for f in "${photos[@]}"; do
        stem=$(basename "$f" .jpg)
        for s in $presets; do convert "$f" -resize "${s}x${s}" -quality 85 "out/convert/$stem-$s.jpg"; done
    done
}
mkdir -p out/byline out/vips out/cascade out/convert
n=$(( ${#photos[@]} * 4 ))
declare -A t
t[byline]=$(best "$bin" out/byline "${photos[@]}")
t[byline2]=$(best "$bin" --jobs 2 out/byline "${photos[@]}")
t[vips]=$(best vips_each)
t[cascade]=$(best "$py" "$root/tests/bench/vips_cascade.py" out/cascade "${photos[@]}")
# Python's start-up and `import pyvips` are not libvips's work: measured alone, subtracted.
t[python]=$(best "$py" -c "import pyvips")
t[convert]=$(runs=1 best convert_each) # ~30 s a run: once is enough

read -r pw pu ps <<<"${t[python]}"
read -r cw cu cs <<<"${t[cascade]}"
t[cascade]="$(echo "$cw - $pw" | bc -l) $(echo "$cu - $pu" | bc -l) $(echo "$cs - $ps" | bc -l)"

echo
echo "$n renditions (4 presets x ${#photos[@]} photos), best of $runs, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
printf '%-46s %7s %13s %7s %10s %10s\n' tool wall_s renditions/s cpu_s "wall vs 1" "cpu vs 1"
read -r bw bu bs <<<"${t[byline]}"
row() {
    local w u s
    read -r w u s <<<"${t[$1]}"
    printf '%-46s %7.2f %13.1f %7.2f %9.2fx %9.2fx\n' "$2" "$w" "$(echo "$n / $w" | bc -l)" \
        "$(echo "$u + $s" | bc -l)" "$(echo "$w / $bw" | bc -l)" \
        "$(echo "($u + $s) / ($bu + $bs)" | bc -l)"
}
row byline "byline render_set, 1 job"
row byline2 "byline render_set, 2 jobs (one photo per core)"
row vips "vipsthumbnail, one process per rendition"
row cascade "libvips one process, cascading (pyvips)"
row convert "ImageMagick convert, one process per rendition"

# --- quality ----------------------------------------------------------------------------
echo
"$py" "$root/tests/bench/ssim.py" out/byline out/vips "${photos[@]}" | tail -n 2

# --- memory -----------------------------------------------------------------------------
# One process per photo; progressive JPEGs need libjpeg's whole coefficient buffer, so the
# largest photo is not always the hungriest.
for f in "${photos[@]}"; do
    rss=$(/usr/bin/time -v "$bin" out/rss "$f" 2>&1 >/dev/null |
        sed -n 's/.*Maximum resident set size (kbytes): //p')
    echo "$rss $(basename "$f") $(vipsheader -f width "$f")x$(vipsheader -f height "$f")"
done | sort -n | tail -n 2 | while read -r kb name size; do
    echo "peak RSS for the 4 presets of $name ($size): $(( kb / 1024 )) MB"
done
