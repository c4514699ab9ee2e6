"""Which chat format a chat template speaks, read from its text by markers.

Templates are untrusted Jinja. Family detection only looks for marker strings; the one place
that evaluates a template (`render_sample`) does so in jinja2's immutable sandbox, with bounds
on size, time and arguments, and imports jinja2 lazily so `advisor inspect` does not pay for it.
"""

from __future__ import annotations

import functools
import re
import sys
import time
from typing import Any

# Longer than any real template (the largest seen is ~10 kB); beyond this we refuse to look.
MAX_TEMPLATE_CHARS = 256 * 1024

# The {{ ... }} expression that emits a user turn: Zephyr closes it with eos_token, Tulu does not.
_USER_TURN_EXPR = re.compile(r"\{\{[^}]*<\|user\|>[^}]*\}\}", re.S)


def detect_family(template: str | None) -> tuple[str | None, str]:
    """(family, the marker that decided it); (None, reason) when no known format matches.

    Family names are those of derive.TEMPLATE_END_OF_TURN. Order matters: the more specific
    formats (DeepSeek-R1 and Phi-4 reuse ChatML-like tokens) are tested first.
    """
    if not template:
        return None, "no template"
    if len(template) > MAX_TEMPLATE_CHARS:
        return None, f"template larger than {MAX_TEMPLATE_CHARS} characters, not inspected"
    if "<｜Assistant｜>" in template or "<｜User｜>" in template:
        return "deepseek-r1", "<｜User｜>/<｜Assistant｜> markers"
    if "<|start_header_id|>" in template and "<|eot_id|>" in template:
        return "llama3", "<|start_header_id|> ... <|eot_id|> markers"
    if "<start_of_turn>" in template:
        return "gemma", "<start_of_turn> ... <end_of_turn> markers"
    if "<|im_start|>" in template and "<|im_sep|>" in template:
        return "phi4", "<|im_start|> ... <|im_sep|> markers"
    if "<|im_start|>" in template:
        return "chatml", "<|im_start|> ... <|im_end|> markers"
    if "<|end|>" in template and ("<|user|>" in template or "<|assistant|>" in template):
        if "<|tool|>" in template or "<|tool_call|>" in template:
            return "phi4-mini", "<|user|> ... <|end|> with <|tool|> markers"
        return "phi3", "<|user|> ... <|end|> markers"
    if "[INST]" in template:
        return "mistral", "[INST] ... [/INST] markers"
    if "<|user|>" in template and "<|assistant|>" in template:
        user_exprs = _USER_TURN_EXPR.findall(template)
        if any("eos_token" in expr for expr in user_exprs):
            return "zephyr", "<|user|> turns closed by eos_token"
        return "tulu", "<|user|>/<|assistant|> turns, eos_token after assistant only"
    return None, "no known chat-format markers"


# A sample render of a real template takes milliseconds; beyond these it is hostile or broken.
MAX_RENDER_SECONDS = 1.0
MAX_INT_ARGUMENT = 100_000  # no real template needs a bigger width, count or exponent


class TemplateLimit(Exception):
    """A template went over the time, size or argument bound while rendering."""


def _sandbox(deadline: float):
    """jinja2's immutable sandbox, plus bounds the sandbox lacks: arithmetic and calls that
    would build a huge value in one C-level step ('x' * 10**9, '%0999999999d' % 1,
    'x'|center(10**9)) are refused before they run."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def check(*values: object) -> None:
        for value in values:
            big = (
                isinstance(value, int)
                and not isinstance(value, bool)
                and abs(value) > MAX_INT_ARGUMENT
            )
            if big:
                raise TemplateLimit(f"number {value} over the bound")
        if time.monotonic() > deadline:
            raise TemplateLimit("time")

    class BoundedSandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset(["*", "**", "%", "+"])

        def call_binop(self, context, operator, left, right):  # type: ignore[override]
            check(left, right)
            if operator == "%" and isinstance(left, str) and re.search(r"\d{5,}", left):
                raise TemplateLimit("format width over the bound")
            result = super().call_binop(context, operator, left, right)
            if isinstance(result, (str, list, tuple)) and len(result) > MAX_TEMPLATE_CHARS:
                raise TemplateLimit("value over the size bound")
            return result

        def call(__self, __context, __obj, *args, **kwargs):  # type: ignore[override]  # noqa: N805
            check(*args, *kwargs.values())
            return super().call(__context, __obj, *args, **kwargs)

    env = BoundedSandbox(trim_blocks=True, lstrip_blocks=True)
    for name, func in list(env.filters.items()):
        env.filters[name] = _guarded(func, check)
    return env


def _guarded(func: Any, check: Any) -> Any:
    @functools.wraps(func)  # keeps jinja's pass_context / pass_environment marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        check(*args[1:], *kwargs.values())
        return func(*args, **kwargs)

    return guarded


def render_sample(template: str, *, eos_token: str = "", bos_token: str = "") -> str | None:
    """Render a two-turn conversation in the sandbox, or None if the template cannot render.

    Used to check that a template is well-formed. Untrusted: never over the size bound, never
    longer than MAX_RENDER_SECONDS (a trace hook checks the clock on every line the compiled
    template runs, so loops end too), output cut at MAX_TEMPLATE_CHARS.
    """
    if not template or len(template) > MAX_TEMPLATE_CHARS:
        return None
    from jinja2 import TemplateError

    deadline = time.monotonic() + MAX_RENDER_SECONDS

    def raise_exception(message: str) -> None:
        raise TemplateError(message)

    def clock(frame: Any, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise TemplateLimit("time")
        return clock

    messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    previous = sys.gettrace()
    sys.settrace(clock)
    try:
        env = _sandbox(deadline)
        env.globals["raise_exception"] = raise_exception
        parts: list[str] = []
        size = 0
        for chunk in env.from_string(template).generate(
            messages=messages, eos_token=eos_token, bos_token=bos_token, add_generation_prompt=False
        ):
            parts.append(chunk)
            size += len(chunk)
            if size > MAX_TEMPLATE_CHARS:
                raise TemplateLimit("output over the size bound")
    except Exception:  # any failure of untrusted template code means "does not render"
        return None
    finally:
        sys.settrace(previous)
    return "".join(parts)
