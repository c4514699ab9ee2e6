"""`--data` profiled on another core while the rest of the run starts.

Profiling a large training file is CPU-bound (UTF-8 checks, line splitting, parsing a sample)
and independent of everything else a run does until the rules need its facts; the run's own
start-up (importing pydantic, reading the task, loading the rules and the catalog) is about as
long. With fork and a second core the two overlap: a child profiles the file and hands the
profile back through a pipe while the parent goes on.

Only a finished profile comes back. Anything else (the file is refused, the child is killed or
runs out of memory) makes the parent profile the file itself, so every error is the ordinary
one: the same line, the same exit code, raised where it always was. Without fork (Windows), on
one core, or with threads already running (fork would copy them half-done), the file is simply
profiled in-process when the profile is asked for.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path
from typing import Any


class PendingProfile:
    """A profile being made: result() waits for it; cancel() stops the work when the run ends
    before it needs the profile (a bad spec)."""

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self._pid = 0
        self._read_end = -1
        if hasattr(os, "fork") and (os.cpu_count() or 1) >= 2 and threading.active_count() == 1:
            self._start()

    def _start(self) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: profile, send, and leave without the parent's exit work
            status = 1
            try:
                import pickle

                os.close(read_end)
                body = pickle.dumps(_profile(self.path), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(body)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self._pid, self._read_end = pid, read_end

    def result(self) -> Any:
        """The DatasetProfile, or the UserError profiling the file raises."""
        if self._pid:
            with os.fdopen(self._read_end, "rb") as pipe:
                body = pipe.read()
            _, status = os.waitpid(self._pid, 0)
            self._pid = 0
            if status == 0 and body:
                import pickle

                from advisor.facts import DatasetProfile

                with contextlib.suppress(Exception):  # a partial answer: profile it here
                    profile = pickle.loads(body)  # our own child's bytes, no one else's
                    if isinstance(profile, DatasetProfile):
                        return profile
        return _profile(self.path)

    def cancel(self) -> bool:
        """Stop the child; True when it was still at work (killed, not left to finish)."""
        stopped = False
        if self._pid:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
                os.close(self._read_end)
                _, status = os.waitpid(self._pid, 0)
                stopped = os.WIFSIGNALED(status)
            self._pid = 0
        return stopped


def _profile(path: str | Path) -> Any:
    from advisor.dataset import profile_dataset

    return profile_dataset(path)
