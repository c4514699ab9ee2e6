"""Which training format one row follows, judged by the field names people train with.

A row is classified on its own; deciding the format of the whole file from the counts is
`decide.py`'s job. The conventions, in the order they are tried (first match wins, because a
preference row usually carries a `prompt` too):

| fields (case-insensitive)                                   | format      |
|-------------------------------------------------------------|-------------|
| `messages` / `conversations` / `conversation`: a list of    | chat        |
|   `{role, content}` (OpenAI) or `{from, value}` (ShareGPT); |             |
|   an assistant turn may hold `tool_calls` instead, and a    |             |
|   row `tools` (their schemas count in its length)           |             |
| `prompt` and `completion` both lists of such messages (TRL) | chat        |
| `chosen` and `rejected`                                     | preference  |
| `prompt`, `completion` and a boolean `label` (TRL/KTO)      | preference  |
| `instruction` + `output`/`response` (Alpaca, Dolly),        | instruction |
|   `prompt` + `completion`/`response`, `question` + `answer`,|             |
|   `input` + `output`, `query` + `response`                  |             |
| `text` or `content`                                         | raw-text    |

A raw-text or instruction row whose strings carry fill-in-the-middle markers is `completion`
instead: a prompt/completion pair of bare code prefixes stays `instruction` — without FIM
markers nothing in the data says "continuation", and guessing would be worse than asking.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# FIM markers as they exist in real tokenizers (tokenizer.json `added_tokens`), by family.
FIM_MARKERS: dict[str, tuple[str, ...]] = {
    "Qwen2.5-Coder / CodeGemma": ("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"),
    "StarCoder / StarCoder2": ("<fim_prefix>", "<fim_suffix>", "<fim_middle>"),
    "SantaCoder": ("<fim-prefix>", "<fim-suffix>", "<fim-middle>"),
    # Full-width bars (U+FF5C) and the sentencepiece space (U+2581), exactly as in the vocab.
    "DeepSeek-Coder": tuple(f"<\uff5cfim\u2581{part}\uff5c>" for part in ("begin", "hole", "end")),
}
# `<PRE>` is also an HTML tag and `[PREFIX]` plain prose, so these count only in pairs.
FIM_PAIRED_MARKERS: dict[str, tuple[str, str]] = {
    "CodeLlama": ("<PRE>", "<SUF>"),
    "Codestral": ("[PREFIX]", "[SUFFIX]"),
}
# An ASCII look-alike of DeepSeek-Coder's markers that people often write by hand: no tokenizer
# has it as one token, so it trains on the pieces. Still FIM data, but worth a warning.
FIM_LOOKALIKES = ("<|fim_begin|>", "<|fim_hole|>", "<|fim_end|>")
LOOKALIKE_FAMILY = "look-alike <|fim_begin|>"

_FIM_STARTS = [marker for markers in FIM_MARKERS.values() for marker in markers]
_FIM_STARTS += [first for first, _ in FIM_PAIRED_MARKERS.values()] + list(FIM_LOOKALIKES)
_FIM_ANY = re.compile("|".join(map(re.escape, _FIM_STARTS)))

CHAT_KEYS = ("messages", "conversations", "conversation")
INSTRUCTION_PAIRS = (
    ("instruction", ("output", "response")),
    ("prompt", ("completion", "response")),
    ("question", ("answer",)),
    ("input", ("output",)),
    ("query", ("response",)),
)
# Extra fields whose text is part of an instruction example (Alpaca `input`, Dolly `context`).
INSTRUCTION_EXTRAS = ("input", "context", "system")
TEXT_KEYS = ("text", "content")


@dataclass(frozen=True)
class RowKind:
    """One row's verdict: a format and the text a trainer would tokenize, or why it is broken."""

    format: str | None = None  # a DATA_FORMATS name, or None when no convention matched
    text: str = ""
    malformed: str | None = None
    fim_family: str | None = None


class _Malformed(Exception):
    pass


def fim_family(text: str) -> str | None:
    """The tokenizer family whose FIM markers appear in text, or None."""
    if _FIM_ANY.search(text) is None:
        return None
    for family, markers in FIM_MARKERS.items():
        if any(marker in text for marker in markers):
            return family
    for family, (first, second) in FIM_PAIRED_MARKERS.items():
        if first in text and second in text:
            return family
    return LOOKALIKE_FAMILY if any(marker in text for marker in FIM_LOOKALIKES) else None


def classify_row(row: Any) -> RowKind:
    """Classify one parsed row (a dict); never raises for bad data."""
    if not isinstance(row, dict):
        return RowKind(malformed=f"a JSON {json_type(row)}, not an object")
    fields = {str(key).strip().lower(): value for key, value in row.items()}
    try:
        return _classify(fields)
    except _Malformed as err:
        return RowKind(malformed=str(err))


def _classify(fields: dict[str, Any]) -> RowKind:
    for key in CHAT_KEYS:
        if key in fields:
            text = _messages_text(_maybe_json(fields[key]), key)
            tools = _maybe_json(fields.get("tools"))
            if isinstance(tools, list) and tools:  # schemas the template puts in the prompt
                text += "\n" + json.dumps(tools, ensure_ascii=False, default=str)
            return RowKind("chat", text)
    prompt = _maybe_json(fields.get("prompt"))
    completion = _maybe_json(fields.get("completion"))
    if isinstance(prompt, list) and isinstance(completion, list):
        text = _messages_text(prompt, "prompt") + _messages_text(completion, "completion")
        return RowKind("chat", text)
    if "chosen" in fields and "rejected" in fields:
        return RowKind("preference", _preference_text(fields))
    if "prompt" in fields and "completion" in fields and isinstance(fields.get("label"), bool):
        return RowKind("preference", _string(fields, "prompt") + _string(fields, "completion"))
    for first, seconds in INSTRUCTION_PAIRS:
        second = next((name for name in seconds if name in fields), None)
        if first in fields and second is not None:
            parts = [_string(fields, first)]
            parts += [_string(fields, extra) for extra in INSTRUCTION_EXTRAS if extra != first]
            parts.append(_string(fields, second))
            return _maybe_fim("instruction", "\n".join(part for part in parts if part))
    for key in TEXT_KEYS:
        if key in fields:
            value = fields[key]
            if not isinstance(value, str):
                raise _Malformed(f"'{key}' is a {json_type(value)}, not a string")
            return _maybe_fim("raw-text", value)
    return RowKind(None)


def _maybe_fim(fmt: str, text: str) -> RowKind:
    family = fim_family(text)
    return RowKind("completion" if family else fmt, text, fim_family=family)


def _maybe_json(value: Any) -> Any:
    # CSV and Parquet cells hold message lists as JSON strings.
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):  # not JSON, or `[` x 1M: the cell stays text
            return value
    return value


def _messages_text(messages: Any, key: str) -> str:
    if not isinstance(messages, list):
        raise _Malformed(f"'{key}' is a {json_type(messages)}, not a list of messages")
    if not messages:
        raise _Malformed(f"'{key}' is an empty list")
    parts = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise _Malformed(f"{key}[{index}] is a {json_type(message)}, not an object")
        calls = message.get("tool_calls") or message.get("function_call")
        if "role" in message and ("content" in message or calls):
            content = message.get("content")
            if calls:  # the template renders the call (name, JSON arguments) into the turn
                parts.append(json.dumps(calls, ensure_ascii=False, default=str))
        elif "value" in message and "from" in message:
            content = message["value"]
        else:
            raise _Malformed(f"{key}[{index}] has neither role/content nor from/value")
        parts.append(_content_text(content, f"{key}[{index}]"))
    return "\n".join(parts)


def _content_text(content: Any, where: str) -> str:
    if content is None:  # an assistant turn that only calls tools
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # multimodal parts: [{"type": "text", "text": ...}, ...]
        return "\n".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    raise _Malformed(f"{where} content is a {json_type(content)}, not text")


def _preference_text(fields: dict[str, Any]) -> str:
    # The longest sequence a preference trainer sees: the prompt with the longer answer.
    def side(key: str) -> str:
        value = _maybe_json(fields.get(key))
        return _messages_text(value, key) if isinstance(value, list) else _string(fields, key)

    return side("prompt") + max(side("chosen"), side("rejected"), key=len)


def _string(fields: dict[str, Any], key: str) -> str:
    value = fields.get(key)
    if value is None or isinstance(value, (str, int, float)):  # absent: empty; a number: its text
        return "" if value is None else str(value)
    raise _Malformed(f"'{key}' is a {json_type(value)}, not a string")


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object" if isinstance(value, dict) else type(value).__name__


# Every field name some convention reads (lowercase): columnar readers fetch only these.
KNOWN_FIELDS = frozenset(
    {*CHAT_KEYS, "tools", "chosen", "rejected", "label", *INSTRUCTION_EXTRAS, *TEXT_KEYS}
    | {name for first, seconds in INSTRUCTION_PAIRS for name in (first, *seconds)}
)
