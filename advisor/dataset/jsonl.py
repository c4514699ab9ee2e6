"""JSON Lines, streamed in binary blocks with flat memory.

Checked on every line (C-level work over whole blocks: a UTF-8 decode in large pieces, a NUL
search, the first and last byte of every line; per-line Python only in blocks that fail):
UTF-8, no NUL bytes, and the line's shape — starts with `{`, ends with `}`.
That catches the usual breakage (truncated rows, a raw newline splitting a row in two, stray
text). Parsed as JSON and classified: every row of a file up to FULL_PARSE_BYTES; beyond that an
evenly spread, seeded random sample of about SAMPLE_ROWS rows plus the longest line of every
block (so the longest example is measured, not estimated). A row whose braces are in place but
whose inside is invalid JSON is found only if it is parsed.
"""

from __future__ import annotations

import json
import random
from operator import itemgetter, sub
from typing import BinaryIO

from advisor.dataset.conventions import json_type
from advisor.dataset.tally import Tally
from advisor.safejson import reason_of

BLOCK_BYTES = 4 << 20
FULL_PARSE_BYTES = 64 << 20
# 5,000 rows estimate the 95th percentile within a few percent (1,220 vs 1,202 tokens on the
# bench file with 20,000), and 20,000 cost 0.25 s more CPU on a 200 MB file.
SAMPLE_ROWS = 5_000
MAX_LINE_BYTES = 64 << 20  # a longer line is reported, not buffered
UTF8_PIECE_BYTES = 256 << 10
# Lines at least this long on average are found with find() (~0.3 us a line, no copy); shorter
# ones with one split() of the block (~0.5 ns a byte and a copy of every line).
LONG_LINE_BYTES = 600


def scan_jsonl(stream: BinaryIO, size: int, tally: Tally) -> int:
    """Stream JSON Lines from `stream` into `tally`; returns the bytes read."""
    scanner = _Scanner(size, tally)
    carry = b""  # the start of a line that goes on in the next block
    while block := stream.read(BLOCK_BYTES):
        scanner.bytes_read += len(block)
        if scanner.skipping:
            cut = block.find(b"\n")
            if cut < 0:
                scanner.skipped_bytes += len(block)
                continue
            scanner.end_skip(cut)
            block = block[cut + 1 :]
        head = block.find(b"\n")
        if head < 0:
            carry += block
            if len(carry) > MAX_LINE_BYTES:  # too long to buffer: skipped to its newline
                scanner.skipping, scanner.skipped_bytes = True, len(carry)
                carry = b""
            continue
        last = block.rfind(b"\n")
        lines = _FoundLines if scanner.long_lines else _SplitLines
        scanner.block(lines(carry + block[:head], block, head + 1, last))
        carry = block[last + 1 :]
    if scanner.skipping:
        scanner.end_skip(0)
    elif carry:  # the last line has no newline
        scanner.block(_SplitLines(carry, b"", 0, -1))
    return scanner.bytes_read


class _Lines:
    """The whole lines of one block: `first` (it began in the previous block, so it is bytes of
    its own), then the lines of block[start:end] (block[end] is the block's last newline).
    UTF-8 and NUL bytes are checked over the block at once; the lines themselves are found by
    the subclass that suits their length, which also gives len(), lines[i], all() (every line,
    for the slow paths), longest() (the first longest line's index) and braced(crlf): whether
    every line starts with `{` and ends with `}` (`}\\r` in CRLF files), found without a
    Python-level loop over the lines."""

    def __init__(self, first: bytes, block: bytes, start: int, end: int) -> None:
        self.first, self.block, self.start, self.end = first, block, start, end

    def utf8(self) -> bool:
        return _is_utf8(self.first, 0, len(self.first)) and (
            self.block.isascii() or _is_utf8(self.block, self.start, self.end)
        )

    def nul(self) -> bool:
        return b"\0" in self.first or self.block.find(b"\0", self.start, self.end) >= 0


class _SplitLines(_Lines):
    """Short lines: one bytes.split() of the block, in C, beats a find() per line."""

    def __init__(self, first: bytes, block: bytes, start: int, end: int) -> None:
        super().__init__(first, block, start, end)
        self.lines = block.split(b"\n")  # changed in place, not copied: 60,000 lines a block
        self.lines[0] = first
        if len(self.lines) > 1:
            self.lines.pop()  # the start of the next block's first line

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index: int) -> bytes:
        return self.lines[index]

    def all(self) -> list[bytes]:
        return self.lines

    def longest(self) -> int:
        return self.lines.index(max(self.lines, key=len))

    def braced(self, crlf: bool) -> bool:
        # The first and last bytes of every line, joined in C; an empty line adds nothing to
        # the joins, so it fails the comparison too.
        end = b"}\r" if crlf else b"}"
        firsts = b"".join(map(itemgetter(slice(None, 1)), self.lines))
        lasts = b"".join(map(itemgetter(slice(-len(end), None)), self.lines))
        return firsts == b"{" * len(self.lines) and lasts == end * len(self.lines)


class _FoundLines(_Lines):
    """Long lines: found with find() and kept as offsets into the block, each sliced out only
    when it is parsed. Splitting copied every line out of the block: 0.08 s of 0.41 s CPU on
    the 200 MB bench file (2.3 KB lines), where the finds take 0.03 s."""

    def __init__(self, first: bytes, block: bytes, start: int, end: int) -> None:
        super().__init__(first, block, start, end)
        # starts[i] is where line i + 1 starts; the last entry is end + 1, past the newline.
        self.starts = starts = [start]
        if start <= end:
            find, append = block.find, starts.append
            cut = find(b"\n", start, end)
            while cut >= 0:
                append(cut + 1)
                cut = find(b"\n", cut + 1, end)
            append(end + 1)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, index: int) -> bytes:
        if index == 0:
            return self.first
        return self.block[self.starts[index - 1] : self.starts[index] - 1]

    def all(self) -> list[bytes]:  # once per block at most (only a block that fails a check)
        return _SplitLines(self.first, self.block, self.start, self.end).lines

    def longest(self) -> int:
        starts = self.starts
        lengths = [len(self.first), *map((-1).__add__, map(sub, starts[1:], starts[:-1]))]
        return lengths.index(max(lengths))

    def braced(self, crlf: bool) -> bool:
        # The first and last bytes of every line, gathered in C; an empty line's first byte
        # is the next newline, so it fails too.
        end = b"}\r" if crlf else b"}"
        if not (self.first.startswith(b"{") and self.first.endswith(end)):
            return False
        count, byte_at, nexts = len(self.starts) - 1, self.block.__getitem__, self.starts[1:]
        if bytes(map(byte_at, self.starts[:-1])) != b"{" * count:
            return False
        for back, byte in enumerate(reversed(end), 2):  # the bytes before each newline
            if bytes(map(byte_at, map((-back).__add__, nexts))) != bytes([byte]) * count:
                return False
        return True


class _Scanner:
    def __init__(self, size: int, tally: Tally) -> None:
        self.size = size
        self.tally = tally
        self.line_base = 0  # lines before the current block
        self.rate: float | None = 1.0 if size <= FULL_PARSE_BYTES else None
        self.rng = random.Random(0)  # seeded: the same file always gives the same report
        self.bytes_read = 0
        self.crlf = False
        self.skipping = False
        self.skipped_bytes = 0
        self.long_lines = False  # lines found by find() rather than split(), from the last block

    def end_skip(self, tail: int) -> None:
        self.line_base += 1
        length = self.skipped_bytes + tail  # skipped_bytes is set again when the next skip starts
        self.tally.bad(self.line_base, f"line is {length:,} bytes long; not parsed")
        self.skipping = False

    def block(self, lines: _SplitLines | _FoundLines) -> None:
        """Check and sample one block's whole lines."""
        count = len(lines)
        data_bytes = len(lines.first) + (lines.end + 1 - lines.start if count > 1 else 0)
        # The next block's lines are found the cheaper way for this block's average length.
        self.long_lines = data_bytes >= LONG_LINE_BYTES * count
        if self.rate is None:
            # Sample rate from the first block's average line length, so that about
            # SAMPLE_ROWS rows of the whole file get parsed.
            estimated_rows = self.size / (data_bytes / count + 1)
            self.rate = min(1.0, SAMPLE_ROWS / estimated_rows)
            self.crlf = lines.first.endswith(b"\r")
        bad = self._bad_lines(lines)
        if self.rate >= 1.0:
            picked = range(count)
        else:
            expected = count * self.rate
            whole = int(expected)
            extra = 1 if self.rng.random() < expected - whole else 0
            picked = sorted(self.rng.sample(range(count), min(count, whole + extra)))
        parsed = 0
        for index in picked:
            if index not in bad:
                self._parse(index, lines[index], in_sample=True)
                parsed += 1
        if self.rate < 1.0:
            longest = lines.longest()
            if longest not in bad and longest not in picked:
                self._parse(longest, lines[longest], in_sample=False)
                parsed += 1
        self.tally.unparsed(count - len(bad) - parsed)
        self.line_base += count

    def _parse(self, index: int, line: bytes, *, in_sample: bool) -> None:
        """Parse one line into the tally, a row good or bad. It passed the every-line checks, so
        it is braced, never blank (_bad_lines counts the blank ones)."""
        number = self.line_base + index + 1
        try:
            value = json.loads(line)
        except (ValueError, RecursionError) as err:  # RecursionError: `[` x 1M in one line
            self.tally.bad(number, _json_error(err))
        else:
            self.tally.row(number, value, in_sample=in_sample)

    def _bad_lines(self, lines: _SplitLines | _FoundLines) -> set[int]:
        """Indexes of lines that fail the every-line checks; reported to the tally here."""
        utf8, nul, braced = lines.utf8(), lines.nul(), lines.braced(self.crlf)
        if utf8 and not nul and braced:
            return set()
        # Slow path, only for blocks that failed a check: the line's first problem, in this order
        # (not UTF-8, NUL bytes, then its shape: blank, stray text, truncated rows, whitespace
        # around an otherwise fine row).
        problems: dict[int, str] = {}
        for index, line in enumerate(lines.all()):
            if not utf8:
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError as err:
                    at = f"byte 0x{line[err.start]:02x} at column {err.start + 1}"
                    problems[index] = f"not UTF-8 ({at})"
                    continue
            if nul and b"\0" in line:
                problems[index] = "contains NUL bytes"
            elif not braced:
                stripped = line.strip()
                if not stripped:
                    problems[index] = ""
                elif not (stripped.startswith(b"{") and stripped.endswith(b"}")):
                    problems[index] = _shape_error(stripped)
        for index, reason in problems.items():  # in line order: one pass, ascending
            if reason:
                self.tally.bad(self.line_base + index + 1, reason)
            else:
                self.tally.blank_lines += 1
        return set(problems)


def _is_utf8(data: bytes, start: int, end: int) -> bool:
    """Whether data[start:end] is UTF-8, decoded in pieces of UTF8_PIECE_BYTES cut after a
    newline (never inside a character). Cheaper than a decode per line (0.14 s vs 0.16 s on the
    bench file: fewer, larger strings) and than one of the whole block (0.21 s: one CJK
    character widens megabytes of text to UCS-2 in fresh memory)."""
    view = memoryview(data)
    while start < end:
        cut = data.find(b"\n", start + UTF8_PIECE_BYTES, end)
        cut = end if cut < 0 else cut
        try:
            str(view[start:cut], "utf-8")
        except UnicodeDecodeError:
            return False
        start = cut + 1
    return True


def _shape_error(line: bytes) -> str:
    if line.startswith(b"\xef\xbb\xbf"):  # json.loads would skip it and find an object
        return "starts with a UTF-8 byte-order mark (files joined together?); remove it"
    try:
        value = json.loads(line)
    except (ValueError, RecursionError) as err:
        return _json_error(err)
    return f"a JSON {json_type(value)}, not an object"


def _json_error(err: Exception) -> str:
    if isinstance(err, json.JSONDecodeError):
        return f"invalid JSON: {err.msg} (column {err.colno})"
    return reason_of(err)  # nested too deeply, a number over Python's digit limit
