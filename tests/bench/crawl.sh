#!/usr/bin/env bash
# Benchmark (not a test): `byline crawl` of a 10,000-page site served from loopback, each page
# with 5 images: its own lead photo (a resized, re-encoded copy of one of our photos, with no
# hash or metadata, so it is fetched and matched by fingerprint) and 4 thumbnails from a pool
# of 1,000 shared by the site (copies of photos we do not have). Prints pages/s, uses found and
# the crawler's peak RSS and CPU time. The goal (issue 12): at least 50 pages/s on a 2-core machine.
# Needs: python3, GNU time (/usr/bin/time). Note `uptime` with the figure.
#   tests/bench/crawl.sh [PAGES]
set -euo pipefail
cd "$(dirname "$0")/../.."
pages=${1:-10000}
work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# BYLINE_BIN=path runs another build (e.g. a debug one, to try the script) without building.
if [[ -z ${BYLINE_BIN:-} ]]; then cargo build --release --quiet; fi
bin=${BYLINE_BIN:-${CARGO_TARGET_DIR:-target}/release/byline}
corpus=tests/data/corpus/images
ours=(bep-sunrise.jpg canon-7d-latin1-iim.jpg freefoto-wheat.jpg hubble-jupiter-progressive.jpg
  iceland-display-p3.jpg navy-reagan.jpg orient-landscape-1.jpg seibert-iim-xmp-exif-disagree.jpg)
others=(afp-getty-xmp.jpg cmyk-multi-icc.jpg corbis-utf8-no-charset.jpg iptc-ref-2019.1.jpg
  exiftool-utf16-xmp.jpg swedish-mixed-latin1-utf8.jpg us-army-long-caption.jpg)

# The images the site serves: resized copies made in a scratch store, so the bench store
# knows them by fingerprint only.
mkdir -p "$work/site"
for f in "${ours[@]}" "${others[@]}"; do
  id=$("$bin" --store "$work/scratch" add "$corpus/$f" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  "$bin" --store "$work/scratch" render "$id" --width 640 --out "$work/site/${f%.*}.jpg" > /dev/null
done
rm -rf "$work/scratch"
for f in "${ours[@]}"; do "$bin" --store "$work/store" add "$corpus/$f" > /dev/null; done
sed -i -e 's/allow_private = false/allow_private = true/' -e 's/^rate = .*/rate = 100000.0/' \
  "$work/store/config.toml"

cat > "$work/serve.py" <<'EOF'
# The benchmark site: pages, images, a sitemap and robots.txt, made on request (HTTP/1.1).
import http.server, os, sys
site, pages, ours, others = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()
images = {n: open(os.path.join(site, n + ".jpg"), "rb").read() for n in ours + others}
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm on, the body waits for
    # the client's delayed ACK of the headers (40 ms a response), and the bench would time that.
    disable_nagle_algorithm = True
    def log_message(self, *a): pass
    def send(self, ctype, body, etag=None):
        if etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304); self.send_header("ETag", etag)
            self.send_header("Content-Length", "0"); self.end_headers(); return
        self.send_response(200); self.send_header("Content-Type", ctype)
        if etag: self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        p = self.path
        if p == "/robots.txt":
            return self.send("text/plain", b"User-agent: *\nDisallow: /private/\n")
        if p == "/sitemap.xml":
            base = "http://%s:%d" % self.server.server_address
            urls = "".join("<url><loc>%s/p/%d.html</loc></url>" % (base, i) for i in range(pages))
            return self.send("application/xml", ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">%s</urlset>' % urls).encode())
        if p.startswith("/p/") and p.endswith(".html"):
            i = int(p[3:-5])
            lead = ours[i % len(ours)]
            pool = "".join('<img src="/pool/%d.jpg" alt="">' % ((i * 4 + j) % 1000) for j in range(4))
            body = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Story %d</title>'
                    '<meta property="article:published_time" content="2025-01-01T00:00:00Z"></head><body>'
                    '<article><h1>Story %d</h1><figure><img src="/img/%d.jpg" alt="">'
                    '<figcaption>A photo of the day. Photo: Jane Roe / Example Agency</figcaption></figure>'
                    '<p>Text of the story.</p><aside>%s</aside></article></body></html>') % (i, i, i, pool)
            return self.send("text/html; charset=utf-8", body.encode(), '"p%d"' % i)
        if p.startswith("/img/"):
            i = int(p[5:-4])
            return self.send("image/jpeg", images[ours[i % len(ours)]], '"i%d"' % i)
        if p.startswith("/pool/"):
            k = int(p[6:-4])
            return self.send("image/jpeg", images[others[k % len(others)]], '"k%d"' % k)
        self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(srv.server_address[1], flush=True)
srv.serve_forever()
EOF
mkfifo "$work/port"
python3 "$work/serve.py" "$work/site" "$pages" "${ours[*]%.jpg}" "${others[*]%.jpg}" > "$work/port" &
server_pid=$!
read -r port < "$work/port"
base="http://127.0.0.1:$port"

echo "crawl of $pages pages, 5 images each ($(nproc) cores; $(uptime | sed 's/.*load/load/'))"
start=$(date +%s.%N)
/usr/bin/time -f "%M %U %S" -o "$work/rss" "$bin" --store "$work/store" crawl --sitemap "$base/sitemap.xml" \
  --outlet bench --max-pages "$pages" --json > "$work/pages.jsonl"
end=$(date +%s.%N)
python3 - "$work/pages.jsonl" "$start" "$end" $(cat "$work/rss") <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
secs = float(sys.argv[3]) - float(sys.argv[2])
found = sum(len(l.get("found", [])) for l in lines)
by = {}
for l in lines:
    for f in l.get("found", []):
        by[f["by"]] = by.get(f["by"], 0) + 1
print(f"{len(lines)} pages in {secs:.1f} s: {len(lines) / secs:.1f} pages/s; "
      f"{found} photos found {by}; peak RSS {int(sys.argv[4]) // 1024} MB; "
      f"CPU {float(sys.argv[5]) + float(sys.argv[6]):.1f} s (user + system)")
EOF
echo "recrawl (conditional GETs):"
start=$(date +%s.%N)
"$bin" --store "$work/store" crawl --sitemap "$base/sitemap.xml" --outlet bench --max-pages "$pages" \
  | tail -1
end=$(date +%s.%N)
python3 -c "print(f'{$pages / ($end - $start):.1f} pages/s')"
