"""Parquet, when pyarrow is installed (the optional `parquet` extra).

The row count comes exact from the file's metadata; only the columns that name a known
convention are read, batch by batch, and a seeded sample of about SAMPLE_ROWS rows is
classified and measured (so the longest example is the longest in the sample).
"""

from __future__ import annotations

import random
from pathlib import Path

from advisor.dataset.conventions import KNOWN_FIELDS
from advisor.dataset.jsonl import SAMPLE_ROWS
from advisor.dataset.tally import Tally
from advisor.errors import UserError

BATCH_ROWS = 8192


def scan_parquet(path: Path, tally: Tally) -> int:
    """Read a Parquet file into `tally`; returns its size in bytes."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UserError(
            "reading Parquet needs pyarrow",
            where=str(path),
            hint="pip install 'advisor[parquet]', or convert the file to JSON Lines",
        ) from None
    try:
        parquet = pq.ParquetFile(path)
    except Exception as err:  # pyarrow raises several types for a damaged file
        raise UserError(f"not a readable Parquet file: {err}", where=str(path)) from None
    total = parquet.metadata.num_rows
    names = parquet.schema_arrow.names
    known = [name for name in names if name.strip().lower() in KNOWN_FIELDS]
    rate = 1.0 if total <= SAMPLE_ROWS else SAMPLE_ROWS / total
    rng = random.Random(0)
    first_row = 0
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=known or None):
        count = batch.num_rows
        if rate >= 1.0:
            picked = list(range(count))
        else:
            picked = sorted(rng.sample(range(count), min(count, round(count * rate) or 1)))
        for index, row in zip(picked, batch.take(pa.array(picked)).to_pylist(), strict=True):
            tally.row(first_row + index + 1, row)  # numbered by row, 1-based
        tally.unparsed(count - len(picked))
        first_row += count
    if rate < 1.0:
        tally.notes.append(f"Parquet: lengths measured on a sample of {tally.parsed} rows")
    return path.stat().st_size
