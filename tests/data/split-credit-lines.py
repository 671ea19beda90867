#!/usr/bin/env python3
"""Split tests/data/credit-lines-web.tsv at random into a tuning set and a held-out set.

Run once, BEFORE any parser rule was tuned on the new lines (issue 11):
    python3 tests/data/split-credit-lines.py
The seed is fixed so the split can be checked; 70 lines are held out.
"""
import random

SEED = 20261128
HELD_OUT = 70

with open("tests/data/credit-lines-web.tsv", encoding="utf-8") as f:
    header, *rows = f.read().splitlines()
random.Random(SEED).shuffle(rows)
held, tuning = rows[:HELD_OUT], rows[HELD_OUT:]
for name, part in [("credit-lines-tuning.tsv", tuning), ("credit-lines-heldout.tsv", held)]:
    with open(f"tests/data/{name}", "w", encoding="utf-8") as f:
        f.write("\n".join([header, *part]) + "\n")
print(f"{len(tuning)} tuning, {len(held)} held out (seed {SEED})")
