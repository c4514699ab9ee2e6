"""The terminal page: one screen, the same numbers as every other format, no raw control codes."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys

import pytest
from conftest import EXAMPLES, ROOT
from report_cases import check_golden, fixed_recommendation

from advisor.facts import SOURCE_HUB_API
from advisor.report import RenderOptions, render


def test_text_page_matches_golden():
    check_golden("fixed.txt", render(fixed_recommendation(), "text"))


def test_explain_page_matches_golden():
    check_golden("fixed-explain.txt", render(fixed_recommendation(), "text", RenderOptions(True)))


def test_html_page_matches_golden():
    check_golden("fixed.html", render(fixed_recommendation(), "html"))


def test_default_page_fits_one_screen_and_explain_has_the_full_trace(cli):
    page = cli("recommend", str(EXAMPLES / "support-tickets.yaml"))
    assert page.returncode == 0, page.stderr
    lines = page.stdout.splitlines()
    assert len(lines) <= 40 and max(len(line) for line in lines) <= 100
    # Each warning once, however many candidates it applies to.
    assert page.stdout.count("[gated-repo]") == 1
    assert "Trace: every rule" not in page.stdout
    full = cli("recommend", str(EXAMPLES / "support-tickets.yaml"), "--explain")
    assert "Trace: every rule" in full.stdout and full.stdout.count("gated-repo") > 6
    assert cli("recommend", str(EXAMPLES / "support-tickets.yaml"), "-v").stdout == full.stdout


def _text_counts(page: str) -> dict[int, tuple[int, ...]]:
    """Candidate number -> (pass, warn, fail, unknown, not asked) from the page's table."""
    found = {}
    for m in re.finditer(r"^  (\d+)\*? .* (\d+)/(\d+)/(\d+)(?: \?(\d+))?(?: -(\d+))?$", page, re.M):
        found[int(m.group(1))] = tuple(int(g or 0) for g in m.groups()[1:])
    return found


def _doc_counts(text: str) -> list[tuple[int, ...]]:
    """Every 'N pass, N warn, N fail[, N unknown][, N not asked]' of a Markdown / HTML report."""
    pattern = r"(\d+) pass, (\d+) warn, (\d+) fail(?:, (\d+) unknown)?(?:, (\d+) not asked)?"
    return [tuple(int(g or 0) for g in m.groups()) for m in re.finditer(pattern, text)]


@pytest.mark.parametrize("example", ["support-tickets", "licence-conflict", "security-high-tax"])
def test_text_markdown_and_html_show_the_counts_of_the_json(cli, example):
    spec = str(EXAMPLES / f"{example}.yaml")
    report = json.loads(cli("recommend", spec, "--format", "json").stdout)
    expected = [
        tuple(c["counts"][s] for s in ("pass", "warn", "fail", "unknown", "not-asked"))
        for c in report["candidates"]
    ]
    # What the JSON says is what the checks say.
    for cand, counts in zip(report["candidates"], expected, strict=True):
        states = [ch["state"] for ch in cand["checks"]]
        assert counts == tuple(
            states.count(s) for s in ("pass", "warn", "fail", "unknown", "not-asked")
        )
    text = cli("recommend", spec).stdout
    assert _text_counts(text) == {i: n for i, n in enumerate(expected, 1)}
    for fmt in ("markdown", "html"):
        shown = _doc_counts(cli("recommend", spec, "--format", fmt).stdout)
        assert shown == expected, fmt
    explain = cli("recommend", spec, "--explain").stdout
    assert _doc_counts(explain) == expected


ATTACKS = [
    "\x1b]0;pwned\x07",  # OSC title
    "\x1b]52;c;cHduZWQ=\x07",  # OSC 52 clipboard
    "\x1b]8;;https://evil.invalid\x1b\\link\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x1b[2J\x1b[31m",  # CSI clear screen, colour
    "\x9b31m",  # C1 CSI
    "\u202eevil",  # right-to-left override
]


def _hostile():
    rec = fixed_recommendation()
    for i, cand in enumerate(rec.candidates):
        attack = ATTACKS[i % len(ATTACKS)]
        for name in ("license", "model_type", "tokenizer_class", "eos_token"):
            cand.facts.set(name, f"x{attack}y", SOURCE_HUB_API)
        cand.facts.set("architectures", [f"Arch{attack}"], SOURCE_HUB_API)
    return rec


@pytest.mark.parametrize("explain", [False, True])
def test_no_control_character_of_metadata_reaches_the_terminal(explain):
    text = render(_hostile(), "text", RenderOptions(explain=explain))
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)
    assert "\\x1b]0;pwned\\x07" in render(_hostile(), "text", RenderOptions(explain=True))


def test_documents_escape_control_characters_too():
    for fmt in ("markdown", "html"):
        text = render(_hostile(), fmt)
        assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text, fmt


def _on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """Run the CLI with stdout on a pseudo-terminal; bounded in time and output."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "advisor", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "NO_COLOR"},
            "HF_HUB_OFFLINE": "1",
            **env,
        },
    )
    os.close(follower)
    chunks = []
    try:
        while len(chunks) < 10_000:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        proc.wait(timeout=120)
    return b"".join(chunks).decode("utf-8", "replace")


def test_colour_only_on_a_terminal_and_never_with_no_color(cli):
    spec = str(EXAMPLES / "support-tickets.yaml")
    coloured = _on_a_terminal("recommend", spec, env={})
    assert "\x1b[" in coloured
    plain = _on_a_terminal("recommend", spec, env={"NO_COLOR": "1"})
    assert "Verdict:" in plain and "\x1b[" not in plain
    assert "\x1b[" not in cli("recommend", spec).stdout
