"""Untrusted metadata: hostile chat templates cannot escape the sandbox or hang, and a run
writes nothing outside the chosen output and the cache."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import EXAMPLES, run_cli

from advisor.sources.chat_template import MAX_RENDER_SECONDS, render_sample

HOSTILE = {
    "mro-escape": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "globals-escape": "{{ raise_exception.__globals__['os'].system('id') }}",
    "cycler-escape": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "huge-range": "{% for i in range(10**9) %}x{% endfor %}",
    "nested-ranges": "{% for i in range(99999) %}{% for j in range(99999) %}"
    "{% endfor %}{% endfor %}",
    "nested-lists": "{% set r = range(3000)|list %}{% for i in r %}{% for j in r %}"
    "{% for k in r %}{% endfor %}{% endfor %}{% endfor %}",
    "string-bomb": "{{ 'x' * 10**9 }}",
    "format-bomb": "{{ '%0999999999d' % 1 }}",
    "center-bomb": "{{ 'x'|center(1000000000) }}",
    "recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "output-flood": "{% for i in range(99999) %}{{ 'y' * 99999 }}{% endfor %}",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_template_cannot_escape_or_hang(name: str) -> None:
    started = time.monotonic()
    out = render_sample(HOSTILE[name])
    elapsed = time.monotonic() - started
    assert out is None or (len(out) <= 256 * 1024 and "uid=" not in out)
    assert elapsed < MAX_RENDER_SECONDS + 2  # bounded, whatever the template does


def test_a_real_template_still_renders() -> None:
    template = (
        "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
        "{% endfor %}{% for i in range(3) %}{{ i }}{% endfor %}{{ 'ab' * 2 }}"
    )
    out = render_sample(template)
    assert out is not None and "<|im_start|>assistant\nHello<|im_end|>" in out
    assert out.endswith("012abab")


def test_no_file_written_outside_the_output_and_the_cache(tmp_path: Path) -> None:
    """HOME, HF_HOME, the advisor cache and TMPDIR all point into tmp_path: after a report to
    -o, the only new files are the report (and nothing at all outside tmp_path's folders)."""
    dirs = {n: tmp_path / n for n in ("cwd", "home", "hf", "cache", "tmp", "out")}
    for folder in dirs.values():
        folder.mkdir()
    env = {
        "HOME": str(dirs["home"]),
        "HF_HOME": str(dirs["hf"]),
        "ADVISOR_CACHE_DIR": str(dirs["cache"]),
        "TMPDIR": str(dirs["tmp"]),
        "XDG_CACHE_HOME": str(dirs["home"] / ".cache"),
    }
    for fmt in ("text", "json", "markdown", "html"):
        target = dirs["out"] / f"report.{fmt}"
        result = run_cli(
            "recommend", str(EXAMPLES / "support-tickets.yaml"), "--format", fmt,
            "-o", str(target), cwd=dirs["cwd"], env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    run_cli("inspect", "Qwen/Qwen2.5-7B", cwd=dirs["cwd"], env=env)
    run_cli("validate", str(EXAMPLES / "support-tickets.yaml"), cwd=dirs["cwd"], env=env)
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == [f"out/report.{fmt}" for fmt in ("html", "json", "markdown", "text")]
