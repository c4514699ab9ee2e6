"""stdout and stderr that cannot turn the end of a run into a traceback.

Two ways a finished report still failed: text with a lone surrogate (JSON "\\ud800" in
untrusted metadata) that UTF-8 cannot encode, and a stdout that refuses the bytes
(`> /dev/full`, a full disk). The first is replaced at the stream (U+FFFD is written by the
renderers' own path; anything else becomes '?'), the second is one line and exit 1.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from collections.abc import Callable

from advisor.errors import EXIT_IO_FAILURE, IO_FAILURE_ERRNOS


def run_with_safe_stdout(run: Callable[[], object]) -> None:
    """Run the CLI, then flush stdout ourselves so a failure is ours to report; exits."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
    code: object = 0
    try:
        run()
    except SystemExit as done:
        code = done.code
    except OSError as exc:
        if exc.errno not in IO_FAILURE_ERRNOS:
            raise
        code = _stdout_failed(exc)
    try:
        sys.stdout.flush()
    except OSError as exc:
        code = _stdout_failed(exc)
    _exit(code)


def _exit(code: object) -> None:
    """End the process. A finished run skips the interpreter's teardown (freeing every object
    of every module one by one: 20-35 ms here, more than all of advisor's own work on a warm
    cache) when nothing else is running: exit handlers (the parse caches, logging) run first and
    every stream is flushed, so nothing is lost. With another thread still alive (a Hub fetch
    past its budget) or an unusual exit code, the ordinary exit."""
    if (type(code) is int or code is None) and threading.active_count() == 1:
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                stream.flush()
        os._exit(code or 0)
    sys.exit(code)


def _stdout_failed(exc: OSError) -> int:
    # Point fd 1 at /dev/null: the interpreter flushes stdout again at exit, and a second
    # failure there would print "Exception ignored ..." after our line.
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    with contextlib.suppress(OSError):
        sys.stderr.write(
            f"advisor: error: cannot write the output to stdout ({exc.strerror}) — "
            "free some space or write elsewhere (-o FILE)\n"
        )
        sys.stderr.flush()
    return EXIT_IO_FAILURE


def say(line: str) -> None:
    """One line on stderr. It quotes what the user typed or a file held (paths, values, task
    words): a control character there would reach the terminal raw (click strips only colour
    codes, and only when stderr is not a terminal), so every one is shown escaped (\\x07)."""
    import click

    from advisor.report.labels import terminal

    click.echo(terminal(line), err=True)
