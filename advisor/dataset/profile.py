"""profile_dataset: open a training file, pick its reader, and turn the tally into a profile."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from advisor.dataset.csvfile import scan_csv
from advisor.dataset.jsonarray import scan_json_array
from advisor.dataset.jsonl import scan_jsonl
from advisor.dataset.lengths import LengthStats, TokenCounter, load_tokenizer
from advisor.dataset.parquetfile import scan_parquet
from advisor.dataset.tally import UNKNOWN, Tally, decide_format, fim_warnings
from advisor.errors import UserError
from advisor.facts import DatasetProfile
from advisor.safefile import FileRefused, open_regular

HEAD_BYTES = 64 << 10
UTF8_BOM = b"\xef\xbb\xbf"
SUPPORTED = ".jsonl, .json, .csv, .tsv or .parquet"
# Files that are not text at all, told apart by their first bytes, with the next step.
_MAGIC = (
    (b"\x1f\x8b", "gzip-compressed", "decompress it first (gunzip)"),
    (b"PK\x03\x04", "a zip archive", "unzip it and pass the training file inside"),
    (b"BZh", "bzip2-compressed", "decompress it first (bunzip2)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed", "decompress it first (unzstd)"),
    (b"\xfd7zXZ\x00", "xz-compressed", "decompress it first (unxz)"),
)
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def profile_dataset(path: str | Path, *, tokenizer_dir: str | None = None) -> DatasetProfile:
    """Stream a training file (JSONL, JSON array, CSV/TSV, Parquet) and describe it.

    Raises UserError (one line, exit 2) when the file cannot be profiled at all: missing, a
    directory, unreadable, empty, not text (binary, compressed, UTF-16), an unsupported type, a
    JSON array with a syntax error, Parquet without pyarrow, or no readable row. Everything
    else — malformed rows, mixed formats, unknown fields, blank lines, FIM look-alikes, no
    usable tokenizer — is reported in the profile (malformed / warnings) and the read goes on.
    """
    file = Path(path)
    where = str(file)
    _check_file(file, where)
    size = file.stat().st_size
    with _open(file, where) as stream:
        head = stream.read(HEAD_BYTES)
    kind = _sniff(file, head, where)

    profile = DatasetProfile(path=where)
    encode_batch, profile.token_method = load_tokenizer(tokenizer_dir, profile.warnings)
    stats = LengthStats()
    counter = TokenCounter(stats, encode_batch)
    tally = Tally(counter)
    skip = len(UTF8_BOM) if head.startswith(UTF8_BOM) else 0

    if kind == "parquet":
        profile.bytes_read = scan_parquet(file, tally)
    else:
        with _open(file, where) as stream:
            stream.seek(skip)
            if kind == "jsonl":
                profile.bytes_read = scan_jsonl(stream, size - skip, tally)
            elif kind == "json":
                profile.bytes_read = scan_json_array(stream, tally, where)
            else:
                profile.bytes_read = scan_csv(stream, tally, where, "\t" if kind == "tsv" else ",")
        profile.bytes_read += skip
    counter.flush()

    _fill(profile, tally, stats, where, json_suffix=kind == "jsonl" and file.suffix == ".json")
    return profile


def _check_file(file: Path, where: str) -> None:
    # One stat, its errors mapped: Path.exists() raises PermissionError when a folder on the
    # path cannot be searched (a traceback), and calls a symlink loop "no such file".
    try:
        mode = file.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise UserError(
            "no such file", where=where, hint="check the path to the training file"
        ) from None
    except PermissionError:
        raise UserError(
            "permission denied (on the file or a folder on its path)",
            where=where,
            hint="make it readable",
        ) from None
    except OSError as err:  # a symlink loop, a name too long
        raise UserError(f"cannot read: {err.strerror}", where=where) from None
    if stat.S_ISDIR(mode):
        raise UserError(
            "is a directory, not a file", where=where, hint="pass one training file inside it"
        )
    if not stat.S_ISREG(mode):
        raise UserError("not a regular file", where=where, hint="pass a training file on disk")
    if not os.access(file, os.R_OK):
        raise UserError("permission denied", where=where, hint="make the file readable")
    if file.stat().st_size == 0:
        raise UserError("the file is empty", where=where, hint="pass a file with training examples")


def _open(file: Path, where: str) -> BinaryIO:
    try:  # regular files only, opened without blocking (a FIFO swapped in after the check)
        return open_regular(file)
    except FileRefused as refused:
        raise UserError(refused.reason, where=where, hint="pass a training file on disk") from None
    except OSError as err:
        raise UserError(f"cannot read: {err.strerror}", where=where) from None


def _sniff(file: Path, head: bytes, where: str) -> str:
    """The reader for this file: jsonl | json | csv | tsv | parquet."""
    suffix = file.suffix.lower()
    if head.startswith(b"PAR1") or suffix == ".parquet":
        if not head.startswith(b"PAR1"):
            raise UserError("not a Parquet file (no PAR1 header)", where=where)
        return "parquet"
    for magic, what, hint in _MAGIC:
        if head.startswith(magic):
            raise UserError(f"not a text file: {what}", where=where, hint=hint)
    for bom, encoding in _WIDE_BOMS:
        if head.startswith(bom):
            raise UserError(f"the file is {encoding} encoded", where=where, hint="save it as UTF-8")
    nul = head.find(b"\0")
    if nul >= 0:
        raise UserError(
            f"not a text file (NUL byte at offset {nul})",
            where=where,
            hint=f"pass a {SUPPORTED} training file",
        )
    first = head.removeprefix(UTF8_BOM).lstrip()[:1]
    if not first:
        raise UserError("the file holds only whitespace", where=where)
    if suffix in (".csv", ".tsv"):
        return suffix[1:]
    if suffix in (".jsonl", ".ndjson", ".json", ".jsonlines") or first in (b"{", b"["):
        # Content decides: many JSON Lines files are named .json, and vice versa.
        return "json" if first == b"[" else "jsonl"
    raise UserError(
        f"unsupported file type '{suffix or file.name}'",
        where=where,
        hint=f"pass a {SUPPORTED} file (raw text: one JSON object per line with a 'text' field)",
    )


def _fill(
    profile: DatasetProfile, tally: Tally, stats: LengthStats, where: str, *, json_suffix: bool
) -> None:
    profile.rows = tally.rows
    profile.sampled_rows = tally.parsed
    profile.malformed = list(tally.malformed)
    profile.malformed_count = tally.malformed_count
    profile.formats_seen = dict(tally.formats.most_common())
    if tally.rows == 0:
        if tally.malformed_count:
            line, reason = tally.malformed[0]
            # Several malformed lines from line 1 on: one JSON value pretty-printed over them.
            if json_suffix and line == 1 and tally.malformed_count > 1:
                raise UserError(
                    "a JSON value spread over several lines, not an array or JSON Lines",
                    where=f"{where}:1",
                    hint="a .json file must hold one array of examples, or one object per line",
                )
            raise UserError(
                f"no readable row: all {tally.malformed_count} are malformed "
                f"(line {line}: {reason})",
                where=where,
            )
        raise UserError("no examples in the file", where=where)
    profile.max_tokens = stats.longest
    profile.p95_tokens = stats.p95()
    profile.format, mixed = decide_format(tally.formats)
    warnings = profile.warnings
    if mixed:
        warnings.append(mixed)
    if unknown := tally.formats.get(UNKNOWN, 0):
        fields = ", ".join(tally.unknown_fields or ())
        warnings.append(
            f"{unknown} of {tally.parsed} parsed rows match no known format (fields: {fields}); "
            "expected messages/conversations, prompt/completion, instruction/output, text, "
            "or chosen/rejected"
        )
    warnings.extend(fim_warnings(tally, profile.format))
    if tally.malformed_count:
        warnings.append(_plural(tally.malformed_count, "malformed row") + " skipped")
    if tally.blank_lines:
        warnings.append(_plural(tally.blank_lines, "blank line") + " ignored")
    warnings.extend(tally.notes)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
