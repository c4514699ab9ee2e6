"""Untrusted metadata: hostile chat templates cannot escape the sandbox or hang, and a run
writes nothing outside the chosen output and the cache."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, run_cli

HOSTILE_TEMPLATES = {
    "mro-escape": "{{ ''.__class__.__mro__[1].__subclasses__() }}<|im_start|>",
    "cycler-escape": "{{ cycler.__init__.__globals__.os.popen('id').read() }}<|im_start|>",
    "string-bomb": "{{ ('x'.ljust(100000) * 20000)|length }}<|im_start|>",
    "huge-range": "{% for i in range(10**9) %}x{% endfor %}<|im_start|>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_TEMPLATES))
def test_a_hostile_chat_template_is_read_by_its_markers_and_never_run(tmp_path, name) -> None:
    """advisor inspect on a folder whose chat_template.jinja is hostile Jinja: the family comes
    from its markers, nothing of the template runs (no jinja2 import, no 'uid=', no 1.9 GB)."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "qwen2"}', "utf-8")
    (folder / "chat_template.jinja").write_text(HOSTILE_TEMPLATES[name], "utf-8")
    probe = (
        "import sys\n"
        "from advisor.sources.local import lookup\n"
        f"facts = lookup({str(folder)!r})\n"
        # VmHWM: this process's own peak; ru_maxrss would include the pytest worker's
        # (tests/peak_rss.py says why).
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(facts.get('chat_template_family'), 'jinja2' in sys.modules,\n"
        "      int(hwm.split()[1]) // 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    family, imported, rss_mb = done.stdout.split()
    assert (family, imported) == ("chatml", "False")
    assert int(rss_mb) < 300
    assert "uid=" not in done.stdout


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
    # The advisor cache may hold the parse of advisor's own YAML and the compiled programs of
    # its regular expressions; nothing else is written.
    kept = ("cache/parsed-yaml-", "cache/regex-")
    written = [name for name in written if not name.startswith(kept)]
    assert written == [f"out/report.{fmt}" for fmt in ("html", "json", "markdown", "text")]
