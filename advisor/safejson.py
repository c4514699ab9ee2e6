"""Parsing JSON we did not write, with every failure as one ValueError with a short reason.

`json.loads` has three ways out besides JSONDecodeError: RecursionError for deep nesting
(`[` x 1M), ValueError for an integer over Python's digit limit (a 5000-digit number), and
values nested deep enough to parse but to break whoever walks them later (repr, the JSON
writer). `loads` turns all three into JSONValueError; `check_depth` bounds the nesting of a
parsed value so what we keep is safe to walk.
"""

from __future__ import annotations

import json
from typing import Any

# Model configs, tokenizer configs, Hub answers and training rows nest a handful of levels.
MAX_DEPTH = 100
TOO_DEEP = f"JSON nested too deeply (more than {MAX_DEPTH} levels)"


class JSONValueError(ValueError):
    """JSON we cannot use; str() is a short reason without the file name."""


def loads(data: str | bytes) -> Any:
    """json.loads with one kind of error, and the nesting of what it returns bounded."""
    try:
        value = json.loads(data)
    except json.JSONDecodeError as err:
        raise JSONValueError(
            f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})"
        ) from None
    except UnicodeDecodeError:
        raise JSONValueError("not valid JSON: not UTF-8 text") from None
    except (RecursionError, ValueError) as err:  # too deep; Python's int digit limit
        raise JSONValueError(reason_of(err)) from None
    check_depth(value)
    return value


def reason_of(err: BaseException) -> str:
    """A short reason for an error json raised, for messages that name their own place."""
    if isinstance(err, json.JSONDecodeError):
        return f"invalid JSON: {err.msg}"
    if isinstance(err, RecursionError):
        return TOO_DEEP
    text = str(err)
    if "digits" in text:  # "Exceeds the limit (4300 digits) for integer string conversion"
        return "a number with more than 4300 digits"
    return f"invalid JSON: {text.splitlines()[0] if text else type(err).__name__}"


def check_depth(value: Any) -> None:
    """Raise JSONValueError when value nests lists/objects more than MAX_DEPTH levels deep.

    Iterative, so a value too deep for recursion is measured without recursing.
    """
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:  # only lists and objects are ever pushed
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise JSONValueError(TOO_DEEP)
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
