"""Which chat format a chat template speaks, read from its text by markers.

Templates are untrusted Jinja and are never evaluated: family detection only looks for marker
strings. (A sandboxed sample render once lived here with no caller; a bounded one would still
let `'x'.ljust(100000) * 20000` allocate gigabytes before any size check, so it was removed.)
"""

from __future__ import annotations

import re

# Longer than any real template (the largest seen is ~10 kB); beyond this we refuse to look.
MAX_TEMPLATE_CHARS = 256 * 1024

# A Jinja statement or expression that reads the `tools` variable: the template renders the tool
# list a caller passes (apply_chat_template(..., tools=[...])).
_TOOLS_VARIABLE = re.compile(r"\{[%{][^%}]*?\btools\b", re.S)

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
        if any("eos_token" in expr for expr in _USER_TURN_EXPR.findall(template)):
            return "zephyr", "<|user|> turns closed by eos_token"
        return "tulu", "<|user|>/<|assistant|> turns, eos_token after assistant only"
    return None, "no known chat-format markers"


def renders_tools(template: str | None) -> tuple[bool | None, str]:
    """(whether the template renders a tools list, the evidence); None when not inspected."""
    if not template:
        return None, "no template"
    if len(template) > MAX_TEMPLATE_CHARS:
        return None, f"template larger than {MAX_TEMPLATE_CHARS} characters, not inspected"
    if found := _TOOLS_VARIABLE.search(template):
        return True, f"reads the tools variable ({' '.join(found.group(0).split())[:40]})"
    return False, "no tools variable in the template"
