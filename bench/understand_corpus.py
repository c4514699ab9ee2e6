"""Per-category scores of the free-text reader on tests/corpus/descriptions.yaml.

Run: python bench/understand_corpus.py [-v]   (-v lists the wrong cases)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from understand_corpus import score, table  # noqa: E402


def main() -> None:
    started = time.perf_counter()
    per, wrong = score()
    elapsed = time.perf_counter() - started
    print(table(per))
    total = sum(t for _, t in per.values())
    print(f"({total} descriptions in {elapsed:.2f} s)")
    if "-v" in sys.argv:
        for case, problems in wrong:
            print(f"  [{case['cat']}] {case['text']}: {'; '.join(problems)}")


if __name__ == "__main__":
    main()
