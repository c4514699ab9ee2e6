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

from advisor.decide import Recommendation, recommend
from advisor.engine.loader import load_rules
from advisor.facts import SOURCE_HUB_API, ModelFacts
from advisor.facts.derive import complete
from advisor.pipeline import run
from advisor.report import RenderOptions, render
from advisor.spec import TaskSpec, from_inputs


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


TASKS = [
    "Customer support chat bot for our online shop",
    "Code autocomplete in VS Code for TypeScript, fill-in-the-middle",
    "Continued pretraining on 5 GB of raw legal text (court filings and contracts)",
    "Classify support emails into 20 categories, 50k labelled examples",
    "Answer questions about 100-page contracts pasted into the prompt, 64k tokens of context",
    "Ein Kundensupport-Chatbot, der unseren Kunden in Österreich auf Deutsch antwortet",
    "Continued pretraining on our corpus of Japanese patent filings (特許文書)",
    "QLoRA on a single 8 GB GPU for SQL generation, commercial use, apache or mit licences only",
    "Our own SFT + DPO post-training with our own chat format and persona, 200k examples",
]


def _long_names() -> Recommendation:
    """Long repo ids and licence names, gated repos, FAILs and memory over a small GPU."""
    models = []
    for i in range(12):
        for variant in ("base", "instruct"):
            repo = f"an-organisation-with-a-long-name-{i}/Model-{i}-Extended-Context-{variant}"
            facts = ModelFacts(repo)
            facts.set("repo_id", repo, SOURCE_HUB_API)
            facts.set("variant", variant, SOURCE_HUB_API)
            facts.set("family", f"Model-{i}", SOURCE_HUB_API)
            facts.set("license", f"a-custom-licence-with-a-long-name-{i}", SOURCE_HUB_API)
            facts.set("params_b", 7.0 + i, SOURCE_HUB_API)
            facts.set("context_length", 4096 * (i + 1), SOURCE_HUB_API)
            facts.set("gated", i % 2 == 0, SOURCE_HUB_API)
            models.append(complete(facts))
    spec = TaskSpec.model_validate(
        {
            "task": {"description": "Reply to customers " * 12, "kind": "chat"},
            "data": {"format": "chat", "examples": 3000, "max_tokens": 16384},
            "training": {"method": "lora", "gpu_memory_gb": 24},
            "constraints": {"commercial_use": True, "licenses": ["apache-2.0"]},
        }
    )
    return recommend(spec, load_rules(), models)


def test_shortened_page_matches_golden():
    """The page with every part giving way: rows, warnings and long cells cut, saying so."""
    check_golden("long-names.txt", render(_long_names(), "text"))


def _runs():
    for example in sorted(EXAMPLES.glob("*.yaml")):
        yield example.stem, lambda e=example: run(from_inputs(str(e), None), offline=True)
    for task in TASKS:
        yield task[:30], lambda t=task: run(from_inputs(None, t), offline=True)
    yield "long names", _long_names


@pytest.mark.parametrize("make", [m for _, m in _runs()], ids=[name for name, _ in _runs()])
def test_every_page_fits_one_screen_and_says_what_it_leaves_out(make):
    rec = make()
    report = rec.to_json()
    page = render(rec, "text")
    lines = page.splitlines()
    assert len(lines) <= 40, page
    # UTF-8 bytes: what a byte-counting `awk length` sees, never fewer than the columns shown.
    assert max(len(line.encode()) for line in lines) <= 100, page
    # Every row agrees with the JSON; the rows left out are counted.
    shown = _text_counts(page)
    total = len(report["candidates"])
    assert len(shown) >= min(3, total)
    for number, counts in shown.items():
        c = report["candidates"][number - 1]["counts"]
        assert counts == tuple(c[s] for s in ("pass", "warn", "fail", "unknown", "not-asked"))
    hidden = re.search(r"… and (\d+) more candidates?: --explain", page)
    assert len(shown) + (int(hidden.group(1)) if hidden else 0) == total
    # Each warning at most once; a FAIL or a licence's terms always; the rest counted.
    section = page.split("Warnings (each once", 1)[-1]
    assert all(section.count(f" [{w['rule']}] (") <= 1 for w in report["warnings"])
    listed = [w for w in report["warnings"] if f" [{w['rule']}] (" in section]
    for w in report["warnings"]:
        if w["state"] == "fail" or w["licence_terms"]:
            assert w in listed, w["rule"]
    more = re.search(r"… and (\d+) more warnings?: --explain", section)
    assert len(listed) + (int(more.group(1)) if more else 0) == len(report["warnings"])


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


@pytest.mark.parametrize(
    ("text", "controls"),
    [
        ("plain words, ü 日本", False),
        ("a backslash \\ then n: \\n", False),
        ("\\\\n", False),
        ("line\nbreak", True),
        ("tab\there", True),
        ("\\\n", True),
        ("esc \x1b]52;c;aGk=\x07", True),
        ("del \x7f", True),
        ("c1 \x9b", True),
        ("bidi \u202e", True),
        ("nul \x00", True),
    ],
)
def test_the_quick_control_check_agrees_with_escaping_every_value(text, controls) -> None:
    """The page skips copying a report that has nothing to escape; the check must see every
    control character terminal() would escape, in a key or in a value, at any depth."""
    from advisor.report import labels

    for report in ({"a": [{"b": text}]}, {text: 1}, {"a": [1, 2.5, None, text]}):
        assert labels.has_controls(report) == controls
        assert (labels.terminal(text) != text) == controls


def test_the_training_file_line_reads_the_same_in_every_format(tmp_path, cli):
    # One phrase for the measured file: "1 row" (not "1 rows"), and the way lengths were
    # measured after a comma rather than in parentheses inside parentheses.
    data = tmp_path / "one.csv"
    data.write_text("prompt,completion\nhi,there\n")
    lines = []
    for fmt in ("text", "markdown"):
        # A short relative path: the one-screen page cuts long lines.
        result = cli(
            "recommend", "--task", "support bot", "--data", "one.csv", "--format", fmt, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        lines += [ln for ln in result.stdout.splitlines() if "one.csv" in ln and "row" in ln]
    assert len(lines) == 2, lines
    for line in lines:
        assert "1 row, format instruction, longest ~" in line.replace("\\~", "~")
        assert "tokens, approximate (characters / 4)" in line
