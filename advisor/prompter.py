"""Ask one line at a time, the same way in a terminal and with answers piped on stdin.

Prompts and notes go to stderr so that stdout carries only the report (`advisor ask --format
json > rec.json` stays valid JSON). Lines are read with readline(), never prompt_toolkit: a pipe
gives one answer per line, and a terminal's own line editing (canonical mode) does the rest.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

from advisor.errors import UserError


@dataclass
class Prompter:
    """Where questions go and answers come from (a terminal or a pipe)."""

    stdin: TextIO
    out: TextIO
    interactive: bool  # a person at a terminal (it echoes what they type, and may be offered more)

    @classmethod
    def from_stdio(cls) -> Prompter:
        return cls(stdin=sys.stdin, out=sys.stderr, interactive=_isatty(sys.stdin))

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def line(self, prompt: str) -> str | None:
        """One answer without its line ending, or None when the input has ended (EOF, Ctrl-D)."""
        self.out.write(prompt)
        self.out.flush()
        try:
            raw = self.stdin.readline()
        except KeyboardInterrupt:
            # The terminal echoed ^C on the prompt line; end it so the exit message stands alone.
            self.say()
            raise
        except UnicodeDecodeError:
            self.say()
            raise UserError("stdin is not UTF-8 text", hint="answer in UTF-8") from None
        if raw == "":
            self.say()
            return None
        if not self.interactive:
            # No terminal echoed a piped answer: echo it so the transcript reads as a dialogue.
            self.say(raw.removesuffix("\n"))
        return raw.rstrip("\r\n")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
