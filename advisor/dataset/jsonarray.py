"""A JSON file holding one top-level array of examples, read element by element.

Never loads the whole array: text is decoded block by block and each element is parsed with
`JSONDecoder.raw_decode` from the current position, so memory holds one block plus the element
being read. Every element is parsed (there are no line boundaries to count cheaply). A syntax
error cannot be skipped — the rest of the array has no reliable restart point — so it stops the
read with a UserError naming the line; an element that is valid JSON but not a usable example is
reported as malformed and the read goes on.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import BinaryIO

from advisor.dataset.tally import Tally
from advisor.errors import UserError
from advisor.safejson import TOO_DEEP, reason_of

BLOCK_BYTES = 4 << 20
MAX_ELEMENT_CHARS = 16 << 20  # stop buffering an element that will not end
_SPACE = re.compile(r"[ \t\r\n]*")


def scan_json_array(stream: BinaryIO, tally: Tally, where: str) -> int:
    """Stream the elements of a top-level JSON array into `tally`; returns the bytes read."""
    return _ArrayReader(stream, tally, where).run()


class _ArrayReader:
    def __init__(self, stream: BinaryIO, tally: Tally, where: str) -> None:
        self.stream = stream
        self.tally = tally
        self.where = where
        self.decoder = json.JSONDecoder()
        self.utf8 = codecs.getincrementaldecoder("utf-8")()
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.bytes_read = 0
        self.raw_lines = 0  # newlines in the bytes read so far (to place decoding errors)
        # Line of self.buf[line_pos], kept incrementally so that counting stays linear.
        self.line_pos = 0
        self.line = 1

    def run(self) -> int:
        if not self._take("["):
            self._fail("expected a JSON array '[' of examples")
        closed = self._take("]")
        while not closed:
            self._skip_space()
            start = self._line_at(self.pos)
            self.tally.row(start, self._element())
            closed = self._take("]")
            if not closed and not self._take(","):
                self._fail("expected ',' or ']' after an element of the array")
        self._skip_space()
        if self.pos < len(self.buf):
            self._fail("extra data after the array (is this JSON Lines? name it .jsonl)")
        return self.bytes_read

    def _element(self) -> object:
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as err:
                # Most often the element just runs past the buffer: read on and retry, up to a
                # bound, then report the parser's own message at its own place.
                if not self.eof and len(self.buf) - self.pos < MAX_ELEMENT_CHARS:
                    self._fill()
                    continue
                if not self.eof:  # still unfinished after MAX_ELEMENT_CHARS: too big, not broken
                    self._fail(
                        f"an element of the array is over the {MAX_ELEMENT_CHARS >> 20} MB "
                        "size limit (one example should be far smaller)"
                    )
                self._fail(f"invalid JSON: {err.msg}", at=err.pos)
            except RecursionError:  # `[` x 1M: the C parser's recursion stop
                self._fail(f"an element is {TOO_DEEP}")
            except ValueError as err:  # a number over Python's digit limit
                self._fail(f"an element holds {reason_of(err)}")
            if end == len(self.buf) and not self.eof:
                # A number cut by the end of the buffer parses as a shorter number: read on.
                self._fill()
                continue
            self.pos = end
            return value

    def _take(self, char: str) -> bool:
        """Skip whitespace, then step over `char` if it comes next."""
        self._skip_space()
        found = self.buf.startswith(char, self.pos)
        self.pos += found
        return found

    def _skip_space(self) -> None:
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or self.eof:
                return
            self._fill()

    def _fill(self) -> None:
        if self.pos > BLOCK_BYTES:  # drop what is parsed, keeping the line count right
            self._line_at(self.pos)
            self.buf = self.buf[self.pos :]
            self.line_pos -= self.pos
            self.pos = 0
        block = self.stream.read(BLOCK_BYTES)
        self.bytes_read += len(block)
        try:
            self.buf += self.utf8.decode(block, final=not block)
        except UnicodeDecodeError as err:
            line = self.raw_lines + block[: err.start].count(b"\n") + 1
            raise UserError(
                f"not UTF-8 (byte 0x{block[err.start]:02x})",
                where=f"{self.where}:{line}",
                hint="save the file as UTF-8",
            ) from None
        self.raw_lines += block.count(b"\n")
        if not block:
            self.eof = True

    def _line_at(self, pos: int) -> int:
        self.line += self.buf.count("\n", self.line_pos, pos)
        self.line_pos = pos
        return self.line

    def _fail(self, message: str, at: int | None = None) -> None:
        position = self.pos if at is None else at
        line = self._line_at(position) if position >= self.line_pos else self.line
        column = position - (self.buf.rfind("\n", 0, position) + 1) + 1
        raise UserError(
            f"{message} (column {column})",
            where=f"{self.where}:{line}",
            hint="a .json file must hold one array of examples; fix it or convert it to JSON Lines",
        )
