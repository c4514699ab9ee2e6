"""Running totals while a reader streams a file, and the verdict drawn from them at the end."""

from __future__ import annotations

from collections import Counter
from typing import Any

from advisor.dataset.conventions import LOOKALIKE_FAMILY, classify_row
from advisor.dataset.lengths import TokenCounter

MALFORMED_SHOWN = 5
UNKNOWN = "unknown"  # formats_seen key for rows that match no convention
# A file is one format when that format covers this share of the parsed rows.
MAJORITY = 0.9
# Text rows are FIM (completion) data when at least this share of them carries FIM markers:
# FIM training mixes plain and FIM-transformed documents (StarCoder used a 50% FIM rate).
FIM_SHARE = 0.1


class Tally:
    def __init__(self, counter: TokenCounter) -> None:
        self.rows = 0
        self.parsed = 0
        self.blank_lines = 0
        self.formats: Counter[str] = Counter()
        self.fim_families: Counter[str] = Counter()
        self.malformed: list[tuple[int, str]] = []
        self.malformed_count = 0
        self.unknown_fields: tuple[str, ...] | None = None
        self.counter = counter
        self.notes: list[str] = []

    def row(self, line: int, value: Any, *, in_sample: bool = True) -> None:
        """A parsed row; `in_sample=False` rows (picked for being long) give the maximum only."""
        kind = classify_row(value)
        if kind.malformed is not None:
            self.bad(line, kind.malformed)
            return
        self.rows += 1
        if kind.format is not None:  # no known field, no text to measure
            self.counter.add(kind.text, in_percentile=in_sample)
        if not in_sample:
            return
        self.parsed += 1
        self.formats[kind.format or UNKNOWN] += 1
        if kind.fim_family:
            self.fim_families[kind.fim_family] += 1
        if kind.format is None and self.unknown_fields is None:
            self.unknown_fields = tuple(str(key) for key in value)

    def unparsed(self, count: int) -> None:
        """Rows that passed the cheap structural check and were not sampled."""
        self.rows += count

    def bad(self, line: int, reason: str) -> None:
        # Keep the first few by line number: readers may report a block's lines out of order.
        self.malformed_count += 1
        if len(self.malformed) < MALFORMED_SHOWN or line < self.malformed[-1][0]:
            self.malformed.append((line, reason))
            self.malformed.sort()
            del self.malformed[MALFORMED_SHOWN:]


def decide_format(formats: Counter[str]) -> tuple[str | None, str | None]:
    """The file's format from per-row counts, and a warning when the rows disagree.

    Mixed files: the majority format when it covers >= 90% of parsed rows (with a warning that
    lists the counts), otherwise None (undecided) with the counts. Raw text and FIM completion
    rows count as one group for this test, resolved to completion when >= 10% carry FIM markers.
    """
    total = sum(formats.values())
    if total == 0:
        return None, None
    groups = Counter()
    for name, count in formats.items():
        groups["text" if name in ("raw-text", "completion") else name] += count
    leader, leader_count = max(groups.items(), key=lambda item: (item[1], item[0] != UNKNOWN))
    listing = ", ".join(f"{name} {count}" for name, count in formats.most_common())
    if leader == "text":
        fim = formats.get("completion", 0)
        leader = "completion" if fim >= FIM_SHARE * leader_count else "raw-text"
    if leader == UNKNOWN:
        leader = None
    if leader_count == total:
        return leader, None  # all unknown: (None, None), reported separately with the fields seen
    if leader is not None and leader_count >= MAJORITY * total:
        return leader, f"mixed formats ({listing}): treated as {leader}"
    return None, (
        f"mixed formats ({listing}): no format covers {MAJORITY:.0%} of rows; "
        "split the file by format or state data.format"
    )


def fim_warnings(tally: Tally, fmt: str | None) -> list[str]:
    warnings = []
    text_rows = tally.formats.get("raw-text", 0) + tally.formats.get("completion", 0)
    fim_rows = tally.formats.get("completion", 0)
    if fmt == "completion" and fim_rows < text_rows:
        warnings.append(
            f"FIM markers in {fim_rows} of {text_rows} text rows: treated as completion"
        )
    if fmt == "raw-text" and fim_rows:
        warnings.append(
            f"FIM markers in only {fim_rows} of {text_rows} text rows: treated as raw-text"
        )
    if tally.fim_families.get(LOOKALIKE_FAMILY):
        warnings.append(
            "FIM markers spelled '<|fim_begin|>' / '<|fim_hole|>' / '<|fim_end|>' are not tokens "
            "of any known tokenizer (DeepSeek-Coder uses '<\uff5cfim\u2581begin\uff5c>' with "
            "full-width bars): the tokenizer will split them into pieces"
        )
    families = [name for name in tally.fim_families if name != LOOKALIKE_FAMILY]
    if len(families) > 1:
        warnings.append("FIM markers of several tokenizer families: " + ", ".join(families))
    return warnings
