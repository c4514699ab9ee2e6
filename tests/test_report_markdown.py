"""The Markdown report: golden files, sections a reader needs, and metadata that cannot inject."""

from __future__ import annotations

import re

import pytest
from report_cases import IMG, SCRIPT, SPECS, check_golden, hostile_recommendation, report_json

from advisor.report import markdown


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_markdown_report_matches_golden(spec):
    check_golden(f"{spec.stem}.md", report_json(spec, "markdown"))


def test_markdown_report_has_every_section_a_reviewer_needs():
    text = report_json(SPECS[0], "markdown")
    for heading in (
        "## Decision",
        "## The three exceptions",
        "## Alignment tax",
        "## Candidates",
        "## Fit checks",
        "## Memory",
        "## Pitfalls and next steps",
        "## Facts: missing, and where each came from",
    ):
        assert heading in text
    for exception in ("`completion-task`", "`continued-pretraining`", "`own-alignment`"):
        assert exception in text
    assert "per GPU = weights + gradients + optimizer states + activations" in text
    assert "arXiv:2205.05198" in text  # the activation formula's reference


def _table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ")]


def test_hostile_metadata_neither_breaks_tables_nor_injects_html():
    text = markdown.render(hostile_recommendation().to_json())
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;" in text and "&lt;img src=x" in text
    # Every row of a table has as many unescaped cell separators as its header.
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("| ") and i + 1 < len(lines) and lines[i + 1].startswith("| ---"):
            width = len(re.findall(r"(?<!\\)\|", line))
            j = i + 1
            while j < len(lines) and lines[j].startswith("| "):
                assert len(re.findall(r"(?<!\\)\|", lines[j])) == width, lines[j]
                j += 1
    # A backtick from metadata cannot open a code span.
    assert "Model\\`\\|x" in text
    assert SCRIPT not in text and IMG not in text


def test_report_command_writes_the_same_report_as_recommend(cli, tmp_path):
    out = tmp_path / "report.md"
    spec = str(SPECS[0])
    written = cli("report", spec, "--source", "catalog", "-o", str(out))
    assert written.returncode == 0, written.stderr
    assert f"wrote {out}" in written.stderr
    same = cli("recommend", spec, "--source", "catalog", "--format", "markdown")
    assert out.read_text(encoding="utf-8") == same.stdout


def test_report_of_a_missing_spec_is_one_line_and_exit_2(cli, tmp_path):
    result = cli("report", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "nope.yaml" in result.stderr
