#!/usr/bin/env python3
"""Write newspapers.txt, the generated part of the agency table (issue 11).

Source: Wikidata (CC0 1.0, public domain dedication), every item that is an instance of
newspaper (Q11032) and has an official website, with its English label, as this query on
https://query.wikidata.org/ returns it (download the result as JSON, "SPARQL JSON"):

    SELECT ?item ?itemLabel WHERE {
      ?item wdt:P31 wd:Q11032 .
      ?item wdt:P856 ?offurl
      SERVICE wikibase:label { bd:serviceParam wikibase:language "[AUTO_LANGUAGE],en" }
    }

The copy used was the query's result stored as `full_list_of_newspapers.json` in the
public repository patrickswickard/international_newspapers (commit 0d8b4a3), which ran
the same query with more OPTIONAL columns; only `itemLabel` is read.

    python3 src/credit/agency/newspapers.py full_list_of_newspapers.json \
        > src/credit/agency/newspapers.txt

Kept: labels a credit could print as an outlet's name. Left out: unlabelled items (a bare
Q-number), descriptions rather than names (more than five words, or brackets, commas,
colons, quotes, slashes), one-word names under nine letters (`Sabah`, `Blick`, `Panorama`,
`Privat`: surnames, common words and labels in credits' languages), and one-word names in lower
case. One name a line, sorted, each once.
"""
import json
import re
import sys

if len(sys.argv) != 2:
    sys.exit("usage: newspapers.py RESULT.json > newspapers.txt")
with open(sys.argv[1], encoding="utf-8") as f:
    rows = json.load(f)["results"]["bindings"]
names = set()
for row in rows:
    label = " ".join(row.get("itemLabel", {}).get("value", "").split())
    if not label or re.fullmatch(r"Q\d+", label):
        continue
    words = label.split(" ")
    if len(words) > 5 or re.search(r"[()\[\],:;\"/“”«»|]", label):
        continue
    if len(words) == 1 and (len(label) < 9 or label == label.lower()):
        continue
    names.add(label)
for name in sorted(names, key=str.casefold):
    print(name)
