#!/usr/bin/env python3
"""Split a set of fresh credit lines at random into a tuning part and a held-out set.

Each split is run once, after its lines were labelled by hand and BEFORE any parser rule was
tuned on them (issue 11). The seeds are fixed so each split can be checked:
    python3 tests/data/split-credit-lines.py web     # 70 held out
    python3 tests/data/split-credit-lines.py fresh   # 62 held out (held-out set 3)
    python3 tests/data/split-credit-lines.py fourth  # 63 held out (held-out set 4)
    python3 tests/data/split-credit-lines.py fifth   # 63 held out (held-out set 5)
    python3 tests/data/split-credit-lines.py sixth   # 62 held out (held-out set 6)
    python3 tests/data/split-credit-lines.py seventh # 66 held out (held-out set 7)
    python3 tests/data/split-credit-lines.py eighth  # 66 held out (held-out set 8)
    python3 tests/data/split-credit-lines.py ninth   # 66 held out (held-out set 9)
    python3 tests/data/split-credit-lines.py tenth   # 66 held out (held-out set 10)
"""
import random
import sys

# name: (source, tuning part, held-out set, seed, lines held out)
SPLITS = {
    "web": ("credit-lines-web.tsv", "credit-lines-tuning.tsv", "credit-lines-heldout.tsv",
            20261128, 70),
    "fresh": ("credit-lines-fresh.tsv", "credit-lines-tuning2.tsv",
              "credit-lines-heldout3.tsv", 202611283, 62),
    "fourth": ("credit-lines-fourth.tsv", "credit-lines-tuning4.tsv",
               "credit-lines-heldout4.tsv", 202611284, 63),
    "fifth": ("credit-lines-fifth.tsv", "credit-lines-tuning5.tsv",
              "credit-lines-heldout5.tsv", 202611285, 63),
    "sixth": ("credit-lines-sixth.tsv", "credit-lines-tuning6.tsv",
              "credit-lines-heldout6.tsv", 202611286, 62),
    "seventh": ("credit-lines-seventh.tsv", "credit-lines-tuning7.tsv",
                "credit-lines-heldout7.tsv", 202611287, 66),
    "eighth": ("credit-lines-eighth.tsv", "credit-lines-tuning8.tsv",
               "credit-lines-heldout8.tsv", 202611288, 66),
    "ninth": ("credit-lines-ninth.tsv", "credit-lines-tuning9.tsv",
              "credit-lines-heldout9.tsv", 202611289, 66),
    "tenth": ("credit-lines-tenth.tsv", "credit-lines-tuning10.tsv",
              "credit-lines-heldout10.tsv", 2026112810, 66),
}

if len(sys.argv) != 2 or sys.argv[1] not in SPLITS:
    sys.exit(f"usage: split-credit-lines.py {'|'.join(SPLITS)}")
source, tuning_name, held_name, seed, held_out = SPLITS[sys.argv[1]]
with open(f"tests/data/{source}", encoding="utf-8") as f:
    header, *rows = f.read().splitlines()
random.Random(seed).shuffle(rows)
held, tuning = rows[:held_out], rows[held_out:]
for name, part in [(tuning_name, tuning), (held_name, held)]:
    with open(f"tests/data/{name}", "w", encoding="utf-8") as f:
        f.write("\n".join([header, *part]) + "\n")
print(f"{len(tuning)} tuning, {len(held)} held out (seed {seed})")
