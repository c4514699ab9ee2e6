"""CSV / TSV with a header row, streamed record by record with the csv module.

Every record is parsed (quoted fields may span lines, so newlines cannot be counted instead).
A record is malformed when its field count differs from the header's or a line of it is not
UTF-8; it is reported by the line it starts on and the read goes on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from advisor.dataset.tally import Tally
from advisor.errors import UserError

# The csv default (128 KiB) is shorter than many training examples; 16 MB is longer than any.
MAX_FIELD_CHARS = 16 << 20
MAX_LINE_BYTES = 16 << 20  # a longer physical line is reported, not buffered


def scan_csv(stream: BinaryIO, tally: Tally, where: str, delimiter: str = ",") -> int:
    """Stream CSV records from `stream` into `tally`; returns the bytes read."""
    lines = _Lines(stream)
    previous = csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        reader = csv.reader(lines, delimiter=delimiter)
        header = _header(reader, where, lines)
        last_line = reader.line_num
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                tally.bad(last_line + 1, f"unreadable CSV: {err}")
                last_line = reader.line_num
                continue
            start, last_line = last_line + 1, reader.line_num
            bad = lines.bad_line_between(start, last_line)
            if bad is not None:  # an empty record is the stand-in for an overlong line
                tally.bad(*bad)
            elif not record:
                tally.blank_lines += 1
            elif len(record) != len(header):
                tally.bad(start, f"{len(record)} fields, the header has {len(header)}")
            else:
                tally.row(start, dict(zip(header, record, strict=True)))
    finally:
        csv.field_size_limit(previous)
    return lines.bytes_read


def _header(reader: Iterator[list[str]], where: str, lines: _Lines) -> list[str]:
    for record in reader:
        if record:
            return [name.strip() for name in record]
        if lines.bad_lines:  # the header line itself was too long to read
            line, reason = lines.bad_lines[0]
            raise UserError(f"header row: {reason}", where=f"{where}:{line}")
    raise UserError(
        "no header row", where=where, hint="a CSV file needs a header naming its columns"
    )


class _Lines:
    """Decoded lines for csv.reader, remembering which ones were not UTF-8."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.bytes_read = 0
        self.number = 0
        self.bad_lines: list[tuple[int, str]] = []  # (line, reason), not yet claimed

    def __iter__(self) -> Iterator[str]:
        while raw := self.stream.readline(MAX_LINE_BYTES + 1):
            self.number += 1
            self.bytes_read += len(raw)
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                # Never buffer a line without end: skip to its newline, report it, and give
                # the csv reader an empty line in its place (an empty record it reports here).
                length = len(raw) + self._skip_rest_of_line()
                self.bad_lines.append((self.number, f"line is {length:,} bytes long; not parsed"))
                yield "\n"
                continue
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as err:
                reason = f"not UTF-8 (byte 0x{raw[err.start]:02x} at column {err.start + 1})"
                self.bad_lines.append((self.number, reason))
                yield raw.decode("utf-8", errors="replace")

    def _skip_rest_of_line(self) -> int:
        skipped = 0
        while chunk := self.stream.readline(1 << 20):
            skipped += len(chunk)
            if chunk.endswith(b"\n"):
                break
        self.bytes_read += skipped
        return skipped

    def bad_line_between(self, first: int, last: int) -> tuple[int, str] | None:
        """The first non-UTF-8 line of the record on lines first..last, if any."""
        found = None
        while self.bad_lines and self.bad_lines[0][0] <= last:
            line = self.bad_lines.pop(0)
            if found is None and line[0] >= first:
                found = line
        return found
