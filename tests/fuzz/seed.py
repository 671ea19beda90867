#!/usr/bin/env python3
"""Seed the fuzz corpora from the shared test corpus (tests/data/corpus).

segments: every image under 300 kB whole; iptc: each file's Photoshop APP13 payload;
xmp: each XMP packet; png: every PNG under 300 kB; http: nothing from the corpus. Each target
also gets tests/fuzz/seeds/TARGET/* (kept in the repository: hand-made seeds such as an iCCP
bomb or the http requests, and the minimised corpus of the last long run; see README.md).
Run from anywhere: python3 tests/fuzz/seed.py
"""
import os, pathlib, re

here = pathlib.Path(__file__).resolve().parent
images = here.parent / "data" / "corpus" / "images"
out = {t: here / "corpus" / t for t in ("segments", "iptc", "xmp", "png", "http")}
for d in out.values():
    d.mkdir(parents=True, exist_ok=True)

def app13(b):
    pos, parts = 2, []
    while pos + 4 <= len(b) and b[pos] == 0xFF:
        m = b[pos + 1]
        if m == 0xFF:
            pos += 1
            continue
        if 0xD0 <= m <= 0xD9:
            pos += 2
            continue
        n = int.from_bytes(b[pos + 2:pos + 4], "big")
        seg = b[pos + 4:pos + 2 + n]
        if m == 0xED and seg.startswith(b"Photoshop 3.0\0"):
            parts.append(seg[14:])
        if m == 0xDA:
            break
        pos += 2 + n
    return b"".join(parts)

for f in sorted(images.iterdir()):
    b = f.read_bytes()
    if len(b) < 300_000:
        (out["segments"] / f.name).write_bytes(b)
        if b.startswith(b"\x89PNG"):
            (out["png"] / f.name).write_bytes(b)
    ps = app13(b) if b.startswith(b"\xff\xd8") else b""
    if ps:
        (out["iptc"] / f.name).write_bytes(ps)
        i = ps.find(b"\x1c\x02")
        if i >= 0:
            (out["iptc"] / (f.name + ".iim")).write_bytes(ps[i:])
    for k, m in enumerate(re.finditer(rb"<x:xmpmeta.*?</x:xmpmeta>", b, re.S)):
        (out["xmp"] / f"{f.name}.{k}.xml").write_bytes(m.group(0))
for t, d in out.items():
    kept = here / "seeds" / t
    for f in sorted(kept.iterdir()) if kept.is_dir() else []:
        (d / f.name).write_bytes(f.read_bytes())
print({t: len(os.listdir(d)) for t, d in out.items()})
