"""What the catalog holds, `report --task`, and the `hf advisor` entry point."""

from __future__ import annotations

import configparser
import json

from conftest import ROOT


def test_catalog_list_shows_every_repo_and_filters_by_family(cli):
    listing = cli("catalog", "list")
    assert listing.returncode == 0, listing.stderr
    assert "Qwen/Qwen2.5-7B-Instruct" in listing.stdout
    rows = json.loads(cli("catalog", "list", "--family", "qwen2.5", "--format", "json").stdout)
    assert rows and {r["family"] for r in rows} == {"Qwen2.5"}
    assert {"repo_id", "variant", "params_b", "context_length", "license"} <= set(rows[0])
    typo = cli("catalog", "list", "--family", "Qwen25")
    assert typo.returncode == 2 and "did you mean 'Qwen2.5'" in typo.stderr


def test_report_takes_a_task_sentence_like_recommend(cli):
    result = cli("report", "--task", "Continued pretraining on raw legal text", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["decision"]["variant"] == "base"
    both = cli("report", "x.yaml", "--task", "y")
    assert both.returncode == 2 and "not both" in both.stderr


def test_hf_advisor_console_script_is_declared():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    scripts = config["options.entry_points"]["console_scripts"]
    assert "hf-advisor = advisor.__main__:hf_main" in scripts


def test_hf_advisor_runs_the_same_commands():
    from click.testing import CliRunner

    from advisor.cli import cli as group

    result = CliRunner().invoke(group, ["--help"], prog_name="hf advisor")
    assert result.exit_code == 0 and "Usage: hf advisor" in result.output
