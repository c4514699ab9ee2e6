"""Reading a catalog file: the embedded one, or the file ADVISOR_CATALOG names.

A file named by ADVISOR_CATALOG is the user's input: every entry is checked against the shape
the readers rely on (repo_id, aliases, facts with a value of the type MODEL_FIELDS declares, a
variant with its detail), and anything else is one line naming the file and the entry, never
a traceback at first use. The embedded catalog is checked by the same function in the tests.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from advisor.errors import UserError
from advisor.facts import MODEL_FIELDS
from advisor.safefile import FileRefused, read_capped

# The embedded catalog is 0.75 MB for 97 repos; a refreshed one of thousands stays far below.
MAX_CATALOG_BYTES = 64 << 20
_HINT = "fix or unset ADVISOR_CATALOG, or regenerate it with `advisor catalog refresh -o FILE`"


def read_catalog(path: Path) -> dict[str, Any]:
    """The catalog document at path, checked; UserError (one line) for anything else."""
    try:
        # Read like every other file we did not write: /dev/zero or a FIFO named here would
        # otherwise be read (or waited on) without end.
        data = json.loads(read_capped(path, MAX_CATALOG_BYTES).decode("utf-8"))
    except FileRefused as exc:
        raise _bad(path, exc.reason) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(path, f"not readable ({exc.__class__.__name__})") from None
    except RecursionError:
        raise _bad(path, "JSON nested too deeply") from None
    except ValueError as exc:
        raise _bad(path, f"not valid JSON ({str(exc)[:80]})") from None
    models = data.get("models") if isinstance(data, dict) else None
    if not isinstance(models, list):
        raise _bad(path, "'models' must be a list of entries")
    for index, entry in enumerate(models):
        if problem := entry_problem(entry):
            raise _bad(path, f"models[{index}]: {problem}")
    return data


def entry_problem(entry: Any) -> str | None:
    """What is wrong with one catalog entry, or None."""
    if not isinstance(entry, dict):
        return f"an entry must be an object with repo_id and facts, not {_kind(entry)}"
    if not isinstance(entry.get("repo_id"), str) or not entry["repo_id"]:
        return "repo_id must be a non-empty string"
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        return "aliases must be a list of strings"
    if not isinstance(entry.get("sources", []), list):
        return "sources must be a list"
    facts = entry.get("facts")
    if not isinstance(facts, dict):
        return "facts must be an object of {name: {value, detail}}"
    for name, fact in facts.items():
        if name not in MODEL_FIELDS:
            return f"facts.{str(name)[:40]}: not a model fact advisor knows"
        if not isinstance(fact, dict) or "value" not in fact:
            return f"facts.{name}: must be an object with a value"
        if not isinstance(fact.get("detail", ""), str):
            return f"facts.{name}.detail must be a string"
        kind = MODEL_FIELDS[name][0]
        if not _fits(fact["value"], kind):
            named = "one of " + ", ".join(kind) if isinstance(kind, tuple) else kind
            return f"facts.{name}.value {_kind(fact['value'])} is not a {named}"
    variant = facts.get("variant")
    if not isinstance(variant, dict) or not isinstance(variant.get("detail"), str):
        return "facts.variant with a value and a detail is required"
    return None


def _fits(value: Any, kind: Any) -> bool:
    if isinstance(kind, tuple):
        return isinstance(value, str) and value in kind
    if kind == "list":
        return isinstance(value, list) and all(isinstance(v, str) or _is_int(v) for v in value)
    if kind in ("int", "float"):  # a float field takes an int too; neither a bool
        number = _is_int(value) or (kind == "float" and isinstance(value, float))
        return number and abs(value) < 2**63 and math.isfinite(value)
    return isinstance(value, {"str": str, "bool": bool}.get(kind, object))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, (int, float, bool, str)) else type(value).__name__
    return text if len(text) <= 30 else text[:27] + "..."


def _bad(path: Path, problem: str) -> UserError:
    return UserError(f"{path}: not a usable advisor catalog: {problem}", hint=_HINT)
