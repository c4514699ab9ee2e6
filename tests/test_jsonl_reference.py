"""The streaming JSON Lines reader against a slow, obvious reference on tricky rows.

The reader finds the lines of a block (split() for short lines, find() for long ones), carries
partial lines across block boundaries and checks UTF-8, NUL bytes and the `{...}` shape of whole
blocks at once, with a per-line slow path only for blocks that fail. The reference reads the
whole file, splits it once and checks each line on its own. Both must say the same thing about
every line, for any block size, LF or CRLF, with or without a BOM and a final newline.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from advisor.dataset import jsonl, profile, profile_dataset, tally
from advisor.dataset.conventions import classify_row
from advisor.safejson import reason_of

BOM = b"\xef\xbb\xbf"
GOOD = json.dumps({"messages": [{"role": "user", "content": "hi"}]}).encode()
TRICKY = [
    GOOD,
    json.dumps({"text": "caf\u00e9 \u65e5\u672c \U0001f600"}).encode(),  # escaped unicode
    json.dumps({"text": "caf\u00e9 \u65e5\u672c \U0001f600"}, ensure_ascii=False).encode(),
    b'{"text": "\\ud83d\\ude00 a surrogate pair, \\ud800 a lone one"}',
    b'{"text": "\xed\xa0\x80 a surrogate written as UTF-8 bytes"}',
    b'{"text": "\xef\xbb\xbf a BOM inside a row"}',
    b'{"text": "x", "n": ' + b"9" * 5000 + b"}",  # over Python's digit limit
    b'{"text": "x", "n": 1e400, "m": -0, "f": 1.5e-320}',
    b'{"text": NaN}',
    b'{"text": "deep", "d": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    b'{"text": "nested but fine", "d": ' + b"[" * 90 + b"]" * 90 + b"}",
    b"",
    b"   ",
    b'  {"text": "padded"}\t',
    b'{"text": "bad \xff byte"}',
    b'{"text": "cut \xe6\x97 short"}',
    b'{"text": "nul \x00 byte"}',
    b"[1, 2]",
    b'"a string"',
    b'{"text": "cut off',
    b'{"text": "two"}{"text": "rows"}',
    b"not json",
    b'{"text": 5}',
    b'{"prompt": "a", "completion": "b"}',
    b'{"instruction": "a", "output": 12.5, "input": 3}',
    b'{"chosen": "a", "rejected": "bb", "prompt": "p"}',
    b'{"messages": []}',
    b'{"foo": 1}',
    b'{"text": "dup", "text": "the last duplicate key wins"}',
    b'{"text": "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>"}',
    b"}{",
    b"{",
    b"}",
]


def _file(tmp_path: Path, *, crlf: bool, bom: bool, final_newline: bool) -> Path:
    newline = b"\r\n" if crlf else b"\n"
    body = newline.join(TRICKY * 3 + [GOOD]) + (newline if final_newline else b"")
    path = tmp_path / "tricky.jsonl"
    path.write_bytes((BOM if bom else b"") + body)
    return path


def _reference(path: Path) -> dict:
    """The profile, worked out line by line from the whole file."""
    data = path.read_bytes().removeprefix(BOM)
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    rows = blank = 0
    malformed: list[tuple[int, str]] = []
    formats: dict[str, int] = {}
    tokens: list[int] = []
    for number, line in enumerate(lines, 1):
        line = line.removesuffix(b"\r")  # a CRLF line ends where an LF line does
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as err:
            byte, column = line[err.start], err.start + 1
            malformed.append((number, f"not UTF-8 (byte 0x{byte:02x} at column {column})"))
            continue
        if b"\0" in line:
            malformed.append((number, "contains NUL bytes"))
            continue
        if not line.strip():
            blank += 1
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            malformed.append((number, f"invalid JSON: {err.msg} (column {err.colno})"))
            continue
        except (ValueError, RecursionError) as err:
            malformed.append((number, reason_of(err)))
            continue
        kind = classify_row(value)
        if kind.malformed is not None:
            malformed.append((number, kind.malformed))
            continue
        rows += 1
        name = kind.format or "unknown"
        formats[name] = formats.get(name, 0) + 1
        if kind.format is not None:
            tokens.append(math.ceil(len(kind.text) / 4))
    tokens.sort()
    return {
        "rows": rows,
        "blank": blank,
        "malformed": malformed,
        "formats": formats,
        "max": tokens[-1] if tokens else None,
        "p95": tokens[math.ceil(0.95 * len(tokens)) - 1] if tokens else None,
    }


def _observed(path: Path) -> dict:
    p = profile_dataset(path)
    blank = [w for w in p.warnings if "blank line" in w]
    return {
        "rows": p.rows,
        "blank": int(blank[0].split()[0]) if blank else 0,
        "malformed": p.malformed,
        "formats": p.formats_seen,
        "max": p.max_tokens,
        "p95": p.p95_tokens,
    }


@pytest.fixture
def every_line_listed(monkeypatch):
    monkeypatch.setattr(tally, "MALFORMED_SHOWN", 10_000)
    # The sniffer refuses a file with a NUL byte in its head; here NUL bytes are in rows.
    monkeypatch.setattr(profile, "HEAD_BYTES", 16)


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("bom", [False, True], ids=["", "bom"])
@pytest.mark.parametrize("final_newline", [True, False], ids=["", "no-final-newline"])
def test_every_row_is_judged_as_the_line_by_line_reference_judges_it(
    tmp_path, monkeypatch, every_line_listed, crlf, bom, final_newline
):
    path = _file(tmp_path, crlf=crlf, bom=bom, final_newline=final_newline)
    expected = _reference(path)
    assert expected["malformed"] and expected["blank"]  # the file does hold broken lines
    for block, piece in ((1, 1), (2, 1), (3, 2), (7, 5), (64, 16), (1000, 1), (4 << 20, 100)):
        monkeypatch.setattr(jsonl, "BLOCK_BYTES", block)
        monkeypatch.setattr(jsonl, "UTF8_PIECE_BYTES", piece)  # UTF-8 is checked in pieces
        for long_line in (0, 10**9):  # lines found by find() / by split()
            monkeypatch.setattr(jsonl, "LONG_LINE_BYTES", long_line)
            assert _observed(path) == expected, f"block {block}, piece {piece}, {long_line}"


def test_a_blank_line_just_before_a_block_boundary_is_counted(tmp_path, monkeypatch):
    # Each block of 19 bytes ends with "...}\n\n": the last line the block holds is blank.
    monkeypatch.setattr(jsonl, "BLOCK_BYTES", 19)
    path = tmp_path / "blanks.jsonl"
    path.write_bytes(b'{"text": "abcdef"}\n\n' * 20)
    p = profile_dataset(path)
    assert (p.rows, p.malformed_count) == (20, 0)
    assert p.warnings == ["20 blank lines ignored"]


@pytest.mark.parametrize("long_line", [0, 10**9], ids=["find", "split"])
def test_a_sampled_file_still_checks_every_line(
    tmp_path, monkeypatch, every_line_listed, long_line
):
    """Past FULL_PARSE_BYTES only a sample is parsed: lines that fail the every-line checks
    (UTF-8, NUL, blank, not braced) are still all found, with the reference's reasons."""
    monkeypatch.setattr(jsonl, "LONG_LINE_BYTES", long_line)
    monkeypatch.setattr(jsonl, "FULL_PARSE_BYTES", 100)
    monkeypatch.setattr(jsonl, "SAMPLE_ROWS", 10)
    monkeypatch.setattr(jsonl, "BLOCK_BYTES", 512)
    path = _file(tmp_path, crlf=False, bom=False, final_newline=True)
    expected = _reference(path)
    observed = _observed(path)
    assert observed["blank"] == expected["blank"]
    structural = [
        (line, reason)
        for line, reason in expected["malformed"]
        if not TRICKY[(line - 1) % len(TRICKY)].strip().startswith(b"{")
        or not TRICKY[(line - 1) % len(TRICKY)].strip().endswith(b"}")
        or reason.startswith(("not UTF-8", "contains NUL"))
    ]
    assert structural and set(structural) <= set(observed["malformed"])
    lines = len(TRICKY) * 3 + 1
    assert observed["rows"] + len(observed["malformed"]) + observed["blank"] == lines
