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

# The longest answer read from one line: a task description is at most 10,000 characters.
# Without a cap, `advisor ask < /dev/zero` (or a pipe that never sends a newline) read without
# end: 4 GB in 20 s.
MAX_ANSWER_CHARS = 10_000


@dataclass
class Prompter:
    """Where questions go and answers come from (a terminal or a pipe)."""

    stdin: TextIO
    out: TextIO
    interactive: bool  # a person at a terminal (it echoes what they type, and may be offered more)

    @classmethod
    def from_stdio(cls) -> Prompter:
        try:
            interactive = sys.stdin.isatty()
        except (AttributeError, ValueError):  # no stdin at all (None), or a closed one
            interactive = False
        return cls(stdin=sys.stdin, out=sys.stderr, interactive=interactive)

    def say(self, text: str = "") -> None:
        self.out.write(_shown(text) + "\n")
        self.out.flush()

    def line(self, prompt: str) -> str | None:
        """One answer without its line ending, or None when the input has ended (EOF, Ctrl-D)."""
        self.out.write(_shown(prompt))
        self.out.flush()
        try:
            # "\r\n" after the longest answer still fits; anything longer is refused below.
            raw = self.stdin.readline(MAX_ANSWER_CHARS + 2)
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
        answer = raw.rstrip("\r\n")
        if len(answer) > MAX_ANSWER_CHARS:
            self.say()
            raise UserError(
                f"stdin: an answer longer than {MAX_ANSWER_CHARS:,} characters",
                hint="give each answer on one line of its own",
            )
        if not self.interactive:
            # No terminal echoed a piped answer: echo it so the transcript reads as a dialogue.
            self.say(answer)
        return answer


def _shown(text: str) -> str:
    """Prompts and notes quote answers, file names and data columns: a control character from
    them is shown escaped (\\x1b), never sent to the terminal; line breaks stay."""
    from advisor.report.labels import no_controls

    return no_controls(text)
