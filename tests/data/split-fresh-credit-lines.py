#!/usr/bin/env python3
"""Split tests/data/credit-lines-fresh.tsv at random into a tuning part and held-out set 3.

Run once, after every line was labelled by hand and BEFORE the parser was run on any of them
(issue 11):
    python3 tests/data/split-fresh-credit-lines.py
The seed is fixed so the split can be checked; 62 lines are held out.
"""
import random

SEED = 20261128_3
HELD_OUT = 62

with open("tests/data/credit-lines-fresh.tsv", encoding="utf-8") as f:
    header, *rows = f.read().splitlines()
random.Random(SEED).shuffle(rows)
held, tuning = rows[:HELD_OUT], rows[HELD_OUT:]
for name, part in [("credit-lines-tuning2.tsv", tuning), ("credit-lines-heldout3.tsv", held)]:
    with open(f"tests/data/{name}", "w", encoding="utf-8") as f:
        f.write("\n".join([header, *part]) + "\n")
print(f"{len(tuning)} tuning, {len(held)} held out (seed {SEED})")
