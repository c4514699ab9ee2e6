"""Shared helpers: run the real CLI in a subprocess (exit codes, stderr, files)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def run_cli(*args: str, stdin: str | None = None, cwd: Path | None = None, env: dict | None = None):
    """`python -m advisor ARGS` as a user runs it; never touches the network."""
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=full_env,
        timeout=120,
    )


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A loopback fake Hub that the real huggingface_hub client talks to (HF_ENDPOINT), with
    an isolated HF_HOME (the answer cache lives under it), no token and short time budgets."""
    from fakehub import FakeHub

    with FakeHub(hang_seconds=3.0) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
        for name in ("HF_HUB_CACHE", "HF_HUB_OFFLINE", "HF_TOKEN", "ADVISOR_CACHE_DIR"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("ADVISOR_HUB_TIMEOUT", "1")
        monkeypatch.setenv("ADVISOR_HUB_BUDGET", "6")
        yield fake


@pytest.fixture
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """ADVISOR_CACHE_DIR in tmp_path, and advisor's kept caches (parsed YAML, regex programs)
    forgotten before and after, as in a new run."""
    from advisor import regexcache, yamlcache

    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    for cache in (regexcache, yamlcache):
        cache.reset()
    yield tmp_path / "cache"
    for cache in (regexcache, yamlcache):
        cache.reset()
