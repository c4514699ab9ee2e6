"""Token length per example: an approximate count, or a local tokenizer when one is at hand."""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Callable
from pathlib import Path

from advisor.errors import UserError

APPROXIMATE = "approximate (characters / 4)"
# How many lengths the p95 is computed from; beyond this a seeded reservoir keeps a fair sample.
RESERVOIR_SIZE = 100_000
_TOKENIZER_BATCH_CHARS = 4_000_000


class LengthStats:
    """Exact longest length, and the 95th percentile from a reservoir of at most RESERVOIR_SIZE."""

    def __init__(self) -> None:
        self.longest: int | None = None
        self.seen = 0
        self._reservoir = array("q")
        self._rng = random.Random(0)  # seeded: the same file always gives the same report

    def add(self, tokens: int, *, in_percentile: bool = True) -> None:
        self.longest = tokens if self.longest is None else max(self.longest, tokens)
        if not in_percentile:
            return
        self.seen += 1
        if len(self._reservoir) < RESERVOIR_SIZE:
            self._reservoir.append(tokens)
        else:
            slot = self._rng.randrange(self.seen)
            if slot < RESERVOIR_SIZE:
                self._reservoir[slot] = tokens

    def p95(self) -> int | None:
        if not self._reservoir:
            return self.longest
        ordered = sorted(self._reservoir)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest-rank percentile


class TokenCounter:
    """Feeds texts to LengthStats, counted approximately or by a tokenizer in batches."""

    def __init__(self, stats: LengthStats, encode_batch: Callable[[list[str]], list[int]] | None):
        self.stats = stats
        self._encode_batch = encode_batch
        self._pending: list[tuple[str, bool]] = []
        self._pending_chars = 0

    def add(self, text: str, *, in_percentile: bool = True) -> None:
        if self._encode_batch is None:
            # ~4 characters per token: the rule of thumb for English text with BPE vocabularies.
            self.stats.add(math.ceil(len(text) / 4), in_percentile=in_percentile)
            return
        self._pending.append((text, in_percentile))
        self._pending_chars += len(text)
        if self._pending_chars >= _TOKENIZER_BATCH_CHARS or len(self._pending) >= 1024:
            self.flush()

    def flush(self) -> None:
        if not self._pending or self._encode_batch is None:
            return
        counts = self._encode_batch([text for text, _ in self._pending])
        for (_, in_percentile), tokens in zip(self._pending, counts, strict=True):
            self.stats.add(tokens, in_percentile=in_percentile)
        self._pending.clear()
        self._pending_chars = 0


def load_tokenizer(
    tokenizer_dir: str | None, warnings: list[str]
) -> tuple[Callable[[list[str]], list[int]] | None, str]:
    """A batch token counter and its description; (None, APPROXIMATE) when none is usable.

    A folder that does not exist is a user mistake (UserError); a folder without tokenizer.json,
    or no `tokenizers` package, only downgrades to the approximate count with a warning.
    """
    if tokenizer_dir is None:
        return None, APPROXIMATE
    folder = Path(tokenizer_dir)
    if not folder.is_dir():
        raise UserError(
            "tokenizer folder not found",
            where=str(folder),
            hint="pass a local model folder that holds tokenizer.json",
        )
    tokenizer_file = folder / "tokenizer.json"
    if not tokenizer_file.is_file():
        warnings.append(f"no tokenizer.json in {folder}: token lengths are approximate")
        return None, APPROXIMATE
    try:
        from tokenizers import Tokenizer
    except ImportError:
        warnings.append(
            "the 'tokenizers' package is not installed: token lengths are approximate "
            "(pip install tokenizers to count with the model's own tokenizer)"
        )
        return None, APPROXIMATE
    try:
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
    except Exception as err:  # a broken or too-new tokenizer.json: still profile the data
        warnings.append(f"could not load {tokenizer_file}: {err}; token lengths are approximate")
        return None, APPROXIMATE

    def encode_batch(texts: list[str]) -> list[int]:
        # Without special tokens: the chat template adds its own, which we do not render here.
        encodings = tokenizer.encode_batch(texts, add_special_tokens=False)
        return [len(encoding.ids) for encoding in encodings]

    return encode_batch, f"tokenizer ({tokenizer_file}), content only"
