#!/usr/bin/env python3
"""Write an export file of N synthetic photo records (default 100,000) for load and index
benchmarks: `byline import` it into an empty store. The records are made up (agencies,
creators, years and caption words drawn from small lists, ids are blake3-shaped random hex);
their originals are not in the store, which `verify` would report. Not a test.

    tests/bench/big-store.py 100000 > /tmp/big.jsonl && byline --store /tmp/big import /tmp/big.jsonl
"""
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
rng = random.Random(42)
agencies = ["AFP", "AP", "Reuters", "Getty Images", "EPA", "PA", "Sputnik", "dpa"]
first = ["John", "Marie", "Ana", "Bo", "Yuki", "Omar", "Lena", "Ivan", "Chloe", "Raj"]
last = ["Thys", "Lenoir", "Ruiz", "Li", "Sato", "Haddad", "Berg", "Petrov", "Martin", "Singh"]
words = ("nato summit flood rescue election protest football marathon storm harbour "
         "minister parliament festival wildfire earthquake market").split()
for i in range(n):
    pid = "%064x" % rng.getrandbits(256)
    year = rng.randint(1990, 2025)
    agency = rng.choice(agencies)
    creator = f"{rng.choice(first)} {rng.choice(last)}"
    caption = " ".join(rng.choice(words) for _ in range(8)).capitalize() + "."
    at = "2026-01-01T00:00:00Z"
    photo = {
        "id": pid,
        "original": {"bytes": 1000 + i, "format": "jpeg", "width": 4000, "height": 3000,
                     "orientation": 1, "fingerprint": "%016x" % rng.getrandbits(64)},
        "caption": caption, "headline": None, "creators": [creator], "creator_title": None,
        "agency": agency, "credit_line": agency, "copyright": f"© {agency} {year}",
        "source": agency, "year": year, "date_created": f"{year}-06-01",
        "city": None, "state": None, "country": None, "country_code": None,
        "keywords": [rng.choice(words)], "instructions": None, "usage_terms": None,
        "web_statement": None, "licensor": None, "credit_line_required": None,
        "digital_source_type": None,
        "rights": {"editorial_only": False, "embargo_until": None, "expires": None,
                   "restricted_territories": []},
        "status": "complete", "missing": [], "added_at": at, "revision": 1,
    }
    event = {"seq": i + 1, "at": at, "by": "bench", "change": {"type": "photo_added", "photo": photo}}
    print(json.dumps({"photo": photo, "history": [event]}, ensure_ascii=False))
