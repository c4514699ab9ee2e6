"""The JSON report: golden files, the documented schema, and the keys other tools rely on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from report_cases import SPECS, check_golden, hostile_recommendation, report_json

from advisor.report.schema import report_schema

TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def validate(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """The subset of JSON Schema report_schema() uses: type, enum, const, required, properties,
    additionalProperties, items. jsonschema is not a dependency, so this stays tiny."""
    errors: list[str] = []
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(
            (isinstance(value, (int, float)) and not isinstance(value, bool))
            if kind == "number"
            else isinstance(value, TYPES[kind])
            and not (kind != "boolean" and isinstance(value, bool))
            for kind in kinds
        )
        if not ok:
            return [f"{path}: expected {kinds}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: expected {schema['const']!r}")
    if isinstance(value, dict):
        errors += [
            f"{path}.{key}: required" for key in schema.get("required", []) if key not in value
        ]
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                errors += validate(item, props[key], f"{path}.{key}")
            elif isinstance(extra, dict):
                errors += validate(item, extra, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += validate(item, schema["items"], f"{path}[{i}]")
    return errors


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_json_report_matches_golden(spec):
    check_golden(f"{spec.stem}.json", report_json(spec))


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_real_reports_validate_against_the_published_schema(spec):
    report = json.loads(report_json(spec))
    assert validate(report, report_schema()) == []


def test_hostile_metadata_report_validates_too():
    report = json.loads(json.dumps(hostile_recommendation().to_json()))
    assert validate(report, report_schema()) == []


def test_the_validator_catches_a_broken_report():
    report = json.loads(report_json(SPECS[0]))
    report["decision"]["variant"] = "chat"
    del report["candidates"][0]["memory"]
    report["memory_model"]["terms"] = "1"
    errors = validate(report, report_schema())
    assert any("decision.variant" in e for e in errors)
    assert any("candidates[0].memory: required" in e for e in errors)
    assert any("memory_model.terms" in e for e in errors)


def test_schema_is_versioned_draft_2020_12_and_documented(cli):
    result = cli("schema", "--report")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema_version"] == {"const": 1}
    assert "v1" in schema["title"] and schema["description"]


def test_report_carries_what_renderers_need_without_computing():
    report = json.loads(report_json(SPECS[0]))
    model = report["memory_model"]
    assert model["formula"].startswith("per GPU = weights + gradients")
    assert model["assumptions"] and model["references"]
    assert set(model["terms"]) == {
        "weights", "gradients", "optimizer", "activations", "logits", "overhead"
    }  # fmt: skip
    cand = report["candidates"][0]
    assert set(cand["memory"]) == {"full", "lora", "qlora"}
    assert cand["memory_gb"] == {m: e["need_gb"] for m, e in cand["memory"].items()}
    assert cand["licence"]["allows"]
    assert all("checked" in c and "kind" in c for c in cand["checks"])
    assert report["decision"]["alignment_tax"]["cost"]
    assert all(e["summary"] for e in report["decision"]["exceptions_considered"])


@pytest.mark.parametrize(
    "value",
    ["plain", 'Grüße \u2028 "quoted" \\ \t', 1e-05, 2**70, "\ud800 lone surrogate", 12.25],
)
def test_the_json_renderer_writes_what_json_dumps_writes(value) -> None:
    """The fast encoder and the standard one give the same text; values the fast one cannot
    take (an integer beyond 64 bits, a lone surrogate from untrusted metadata) still render."""
    from advisor.report import json_report

    report = {"schema_version": 1, "nested": [{"value": value, "list": [1, 2.5, None]}], "e": {}}
    rendered = json_report.render(report)
    assert json.loads(rendered) == report
    if not (isinstance(value, float) and value < 1e-4):  # 1e-05 vs 0.00001: the same number
        assert rendered == json.dumps(report, indent=2, ensure_ascii=False) + "\n"
