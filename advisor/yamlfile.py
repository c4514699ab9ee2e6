"""Safe YAML reading that remembers where each value stood, for one-line errors with a line.

Aliases are refused outright: they are the billion-laughs bomb's fuse, and no spec or rule needs
them. Only the safe tag set is constructed (no !!python/object).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from advisor.errors import UserError
from advisor.safefile import FileRefused, read_capped

MAX_YAML_BYTES = 2 * 1024 * 1024  # a spec or a rule is a few KB; refuse anything absurd
# A spec or rule nests a handful of levels. Our own limit sits far below the parsers' (libyaml
# stops at 1000 with its own wording, pure-Python PyYAML hits RecursionError near 500), so the
# user gets the same line whichever PyYAML build is installed.
MAX_YAML_DEPTH = 100

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LocatedYaml:
    """Parsed YAML plus a map from field path (tuple of keys/indexes) to 1-based line."""

    def __init__(self, data: Any, lines: dict[tuple, int], origin: str):
        self.data = data
        self.lines = lines
        self.origin = origin

    def line_of(self, path: tuple) -> int | None:
        # Walk up until a located ancestor is found: a missing key points at its parent.
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def where(self, path: tuple) -> str:
        line = self.line_of(path)
        dotted = dotted_path(path)
        loc = f"{self.origin}:{line}" if line else self.origin
        return f"{loc}: {dotted}" if dotted else loc


def dotted_path(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def read_text(path: str | Path, *, what: str = "file") -> str:
    """Read a UTF-8 text file, or raise a one-line UserError saying what is wrong with it.

    Only a regular file is read (a FIFO would hang, /dev/zero never ends), and the size cap
    counts the bytes actually read, not what stat says.
    """
    p = Path(path)
    try:
        if p.is_dir():
            raise UserError(f"{p} is a directory, not a {what}", hint="give the path of a file")
        raw = read_capped(p, MAX_YAML_BYTES)
    except FileRefused as refused:
        hint = f"a {what} is expected to be a few KB" if "larger" in refused.reason else None
        raise UserError(
            f"{p}: {refused.reason}", hint=hint or f"give a {what} that is a regular file"
        ) from None
    except FileNotFoundError:
        raise UserError(f"{p}: no such file", hint="check the path") from None
    except PermissionError:
        raise UserError(f"{p}: permission denied", hint="check the file's permissions") from None
    except OSError as exc:
        raise UserError(f"{p}: cannot read ({exc.strerror})") from None
    return decode_text(raw, str(p), what=what)


def _is_utf16_yaml(raw: bytes) -> bool:
    """A UTF-16 file (Windows editors save one) that decodes to YAML-looking text."""
    if not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    try:
        return ":" in raw.decode("utf-16")
    except UnicodeDecodeError:
        return False


def decode_text(raw: bytes, origin: str, *, what: str = "file") -> str:
    if _is_utf16_yaml(raw):  # text, but not in the encoding we read: say which, not "binary"
        raise UserError(f"{origin}: UTF-16 text, not UTF-8", hint="save the file as UTF-8")
    if b"\x00" in raw[:8192]:
        raise UserError(f"{origin}: binary data, not a YAML {what}", hint="give a text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(
            f"{origin}:{line}: not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            hint="save the file as UTF-8",
        ) from None


def load_yaml(text: str, origin: str) -> LocatedYaml:
    """Parse one YAML document; every error becomes one line with the origin and line."""
    if len(text) > MAX_YAML_BYTES:
        raise UserError(f"{origin}: too large ({len(text)} characters)")
    lines: dict[tuple, int] = {}
    try:
        _refuse_aliases_and_deep_nesting(text, origin)
        loader = _SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = None if node is None else _construct(loader, node, (), lines, origin)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:  # (a UserError is none of these: it goes through)
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor" in str(exc):
            tag = problem.split("tag", 1)[-1].strip().strip("'")
            tag = tag.replace("tag:yaml.org,2002:", "!!")
            problem = f"tag '{tag}' is not allowed (only plain YAML values)"
        raise UserError(
            f"{origin}{line}: invalid YAML: {problem}", hint="fix the YAML syntax"
        ) from None
    except yaml.YAMLError as exc:
        raise UserError(f"{origin}: invalid YAML: {exc}".splitlines()[0]) from None
    except RecursionError:
        raise UserError(f"{origin}: YAML nested too deeply") from None
    return LocatedYaml(data, lines, origin)


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:omap"}


def _refuse_aliases_and_deep_nesting(text: str, origin: str) -> None:
    """One lazy pass over the parser's events, stopped at the first alias or too deep a level.

    The events are pulled one at a time, so a 100k-deep document is refused after ~100 of them,
    before either the composer recurses or libyaml reaches its own limit.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise UserError(
                    f"{origin}:{event.start_mark.line + 1}: "
                    "YAML anchors and aliases are not allowed",
                    hint="write the value out in full",
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    _too_deep(origin, event.start_mark.line + 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # libyaml reads a flow collection ahead of the events it yields, so "[" x 100k meets its
        # own 1000-level stop before our counter sees level 101: the same limit, our wording.
        if "maximum nesting depth" in str(exc):
            mark = exc.problem_mark or exc.context_mark
            _too_deep(origin, mark.line + 1 if mark else 1)
        raise


def _too_deep(origin: str, line: int) -> None:
    raise UserError(
        f"{origin}:{line}: YAML nested too deeply (more than {MAX_YAML_DEPTH} levels)",
        hint="a spec or rule needs only a few levels",
    )


def _construct(
    loader: Any, node: yaml.Node, path: tuple, lines: dict[tuple, int], origin: str
) -> Any:
    lines[path] = line = node.start_mark.line + 1
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise UserError(
            f"{origin}:{line}: invalid YAML: tag '{tag}' is not allowed (only plain YAML values)"
        )
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(loader, key_node, path + ("<key>",), {}, origin)
            at = f"{origin}:{key_node.start_mark.line + 1}"
            if isinstance(key, (dict, list)):
                raise UserError(f"{at}: a mapping key must be a plain value")
            if key in out:
                raise UserError(f"{at}: duplicate key '{key}'", hint="keep one of the two")
            out[key] = _construct(loader, value_node, path + (key,), lines, origin)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(loader, item, path + (index,), lines, origin)
            for index, item in enumerate(node.value)
        ]
    if node.tag == _TIMESTAMP:
        # A date is text to us (no field wants a datetime): 2001-13-45 would raise ValueError.
        return node.value
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as exc:  # e.g. Python's 4300-digit int limit
        at = f"{origin}:{line}"
        field = dotted_path(path)
        reason = f"value {node.value[:40]!r} cannot be read"
        if "digits" in str(exc):
            reason = "a number with more than 4300 digits"
        raise UserError(
            f"{at}: {field + ': ' if field else ''}{reason}", hint="write a smaller value"
        ) from None
