"""Hostile input at entry points the other corpora did not reach: the ADVISOR_CATALOG file, a
NaN flag value, numbers too large for a float in --task, control characters from the task or
a model folder in training configs and on stderr, and a --rules folder of thousands of files.
Each test failed (hang, traceback, raw control bytes or 500+ MB) before its fix.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from test_hostile_local import run_bounded

CORPUS = Path(__file__).parent / "bad_inputs"
# What a terminal would act on: C0 (but tab and newline), DEL, C1, the bidi overrides and
# isolates, and the line breaks YAML knows beyond \n (NEL is C1; U+2028 / U+2029).
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
FRAMEWORKS = ("trl", "trl-cli", "axolotl", "llamafactory", "unsloth")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and devices are POSIX")


HOSTILE_TASK = "Classify tickets \x1b]0;pwned\x07 \x1b[2J \u202e \x9b2J \u2028 learning_rate: 9"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_control_characters_in_the_task_never_reach_a_config_raw(tmp_path, framework) -> None:
    """The task is quoted in every config's header comment: a YAML config with ESC in it was
    a traceback (YAML refuses it: the field check parses the config), a script carried it raw."""
    run = run_bounded("config", "--task", HOSTILE_TASK, "--framework", framework, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert not RAW_CONTROL.search(run.stdout)
    assert "\\x1b]0;pwned\\x07" in run.stdout
    if framework in ("trl-cli", "axolotl", "llamafactory"):
        assert isinstance(yaml.safe_load(run.stdout), dict)  # YAML reads the file


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_pad_token_with_yaml_line_breaks_is_written_exactly_and_inert(tmp_path, framework):
    """A local tokenizer_config's pad token with NEL / U+2028 and C1: JSON leaves them raw in
    a YAML value (YAML refuses C1: traceback) and in comments (a line break to an editor)."""
    folder = CORPUS / "model-hostile-tokens"
    pad = json.loads((folder / "tokenizer_config.json").read_text("utf-8"))["pad_token"]
    run = run_bounded(
        "config", "--task", "Classify tickets", "--repo", str(folder), "--framework", framework,
        cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert not RAW_CONTROL.search(run.stdout)
    if framework == "trl-cli":
        assert yaml.safe_load(run.stdout)["pad_token"] == pad  # the exact token, escaped


def test_the_corpus_model_with_hostile_tokens_is_what_the_test_above_reads() -> None:
    pad = json.loads((CORPUS / "model-hostile-tokens" / "tokenizer_config.json").read_text())
    assert "\u2028" in pad["pad_token"] and "\x85" in pad["pad_token"]
