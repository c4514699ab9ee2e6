"""The HTML report in a real headless browser (Debian's chromium): it loads, shows the table and
the chart, hostile metadata does not run, and a screenshot is kept in tests/artifacts/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from report_cases import ROOT, SPECS, hostile_recommendation, report_json

from advisor.report import html

ARTIFACTS = ROOT / "tests" / "artifacts"
CSP = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')


def _chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found:
        return found
    message = "chromium not found: apt-get install -y chromium (.ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _browse(page: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    result = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def _dom(page: Path, tmp_path: Path) -> str:
    return _browse(page, tmp_path, "--dump-dom").stdout


def _title(dom: str) -> str:
    match = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert match, "no <title> in the dumped DOM"
    return match.group(1)


def test_report_loads_with_table_and_chart_and_leaves_a_screenshot(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(report_json(SPECS[-1], "html"), encoding="utf-8")
    dom = _dom(page, tmp_path)
    assert _title(dom).startswith("Model-selection report: instruct")
    assert "<table>" in dom and "Qwen/Qwen2.5-7B-Instruct" in dom
    assert re.search(r"<svg [^>]*role=\"img\"", dom), "the memory chart is missing"
    assert "your GPU: 24 GB" in dom
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    _browse(page, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000")
    assert shot.exists() and shot.stat().st_size > 20_000


def test_page_is_self_contained():
    text = report_json(SPECS[0], "html")
    assert "<script" not in text
    assert not re.search(r"(src|href)=\"(https?:)?//", text), "external asset"
    assert "@media print" in text


def test_hostile_metadata_does_not_run(tmp_path):
    text = html.render(hostile_recommendation().to_json())
    # Drop the page's Content-Security-Policy so the browser *would* run an injected script:
    # this test checks the escaping, not the CSP safety net.
    page = tmp_path / "hostile.html"
    page.write_text(CSP.sub("", text), encoding="utf-8")
    dom = _dom(page, tmp_path)
    assert _title(dom).startswith("Model-selection report"), "an injected script ran"
    assert "pwned" not in _title(dom)
    assert "<script" not in dom and "<img" not in dom, "metadata became an element"
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom


def test_the_browser_check_would_catch_an_injection(tmp_path):
    # Control: the same page with one unescaped value does change the title, so the test above
    # can fail.
    text = CSP.sub("", html.render(hostile_recommendation().to_json()))
    page = tmp_path / "control.html"
    page.write_text(text.replace("</body>", "<script>document.title='pwned'</script></body>"))
    assert _title(_dom(page, tmp_path)) == "pwned"
