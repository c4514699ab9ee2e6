"""A non-editable wheel install finds its rules, catalog and patterns (package data)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )  # fmt: skip
    (built,) = out.glob("advisor-*.whl")
    return built


def test_wheel_carries_every_rule_and_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    rules = sorted(p.name for p in (ROOT / "rules").glob("*.yaml"))
    assert rules and all(f"advisor/rules/{name}" in names for name in rules)
    assert "advisor/catalog/models.json" in names
    assert "advisor/catalog/licences.json" in names
    assert "advisor/knowledge/task_patterns.yaml" in names
    assert "advisor/report/report.css" in names


def test_installed_wheel_recommends_from_outside_the_source_tree(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    script = (
        "import sys, json; sys.path.insert(0, sys.argv[1]);"
        "import advisor, advisor.engine.loader as loader;"
        "assert advisor.__file__.startswith(sys.argv[1]), advisor.__file__;"
        "from advisor.cli import main;"
        "sys.argv = ['advisor', 'recommend', sys.argv[2], '--format', 'json']; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(target), str(EXAMPLES / "legal-cpt.yaml")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["decision"]["variant"] == "base"
    rule_ids = {t["id"] for t in report["trace"]}
    assert rule_ids == {p.stem for p in (ROOT / "rules").glob("*.yaml")}
