"""Errors a user can fix. They print as one line and exit with code 2; never a traceback."""

from __future__ import annotations

import errno
from collections.abc import Iterable

EXIT_BAD_INPUT = 2
EXIT_IO_FAILURE = 1  # the input was fine, the disk or stdout failed (full, I/O error)
# errnos that say the storage failed, not the path chosen: exit EXIT_IO_FAILURE.
IO_FAILURE_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


class UserError(Exception):
    """Bad input: says what is wrong, where, and what to do."""

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        hint: str | None = None,
        exit_code: int = EXIT_BAD_INPUT,
    ):
        self.what = message
        self.where = where
        self.hint = hint
        self.exit_code = exit_code
        super().__init__(self.one_line())

    def one_line(self) -> str:
        parts = [f"{self.where}: {self.what}" if self.where else self.what]
        if self.hint:
            parts.append(self.hint)
        # One line, always: newlines from user data must not split the message.
        return " — ".join(parts).replace("\r", " ").replace("\n", " ")


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelt name, or None when nothing is close."""
    import difflib  # only when something is misspelt: `advisor --help` should not pay for it

    by_lower = {choice.lower(): choice for choice in sorted(set(choices))}
    matches = difflib.get_close_matches(str(word).lower(), list(by_lower), n=1, cutoff=0.6)
    return f"did you mean '{by_lower[matches[0]]}'?" if matches else None
