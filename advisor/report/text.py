"""Terminal rendering of the JSON form (render only: every number comes from the dict)."""

from __future__ import annotations

from typing import Any

STATUS_MARK = {"pass": "ok", "warn": "WARN", "fail": "FAIL", "unknown": "?"}


def _fmt(value: Any, suffix: str = "") -> str:
    if value is None:
        return "?"
    if isinstance(value, float):
        return f"{value:.1f}{suffix}" if value >= 10 else f"{value:.2g}{suffix}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}{suffix}"
    return f"{value}{suffix}"


def render(report: dict[str, Any], *, verbose: bool = False) -> str:
    d = report["decision"]
    u = report["task"]["understanding"]
    spec = report["task"]["spec"]
    votes = d["votes"]
    lines = [
        f"Verdict: {d['variant'].upper()} - {d['summary']}",
        f"  confidence {d['confidence']} (votes: base {votes['base']['total']:g}, "
        f"instruct {votes['instruct']['total']:g})"
        + ("  CLOSE CALL: fine-tune both and compare" if d["close_call"] else ""),
        f"  recommended repo: {d['repo'] or 'none passes every fit check'}",
        "",
        f"Task: {spec['task']['description']}",
        f"  kind {u['kind'] or 'unknown'} ({u['kind_source']})"
        + (f"; signals {', '.join(u['signals'])}" if u["signals"] else "")
        + (f"; domains {', '.join(u['domains'])}" if u["domains"] else "")
        + (f"; style {', '.join(u['style'])}" if u["style"] else ""),
    ]
    if report.get("dataset"):
        ds = report["dataset"]
        lines.append(
            f"  data {ds['path']}: {ds['rows']:,} rows, format {ds['format'] or 'mixed/unknown'}, "
            f"longest ~{_fmt(ds['max_tokens'])} tokens ({ds['token_method']})"
        )
        for note in ds.get("disagreements", []) + ds.get("warnings", []):
            lines.append(f"  note: {note}")
        if ds.get("malformed_count"):
            first = ", ".join(f"line {m['line']}: {m['reason']}" for m in ds["malformed"])
            lines.append(f"  {ds['malformed_count']} malformed rows skipped ({first})")
    lines += ["", "Why:"]
    for side in ("base", "instruct"):
        for vote in votes[side]["rules"]:
            lines.append(f"  +{vote['weight']:g} {side:<8} [{vote['id']}] {vote['message']}")
    if d["undecided"]:
        lines.append(f"  undecided (missing facts): {', '.join(d['undecided'])}")
    lines += ["", "Exceptions considered:"]
    for exc in d["exceptions_considered"]:
        known = ", ".join(f"{k}={_fmt(v)}" for k, v in exc["facts"].items() if v is not None)
        lines.append(f"  {exc['id']:<22} {exc['status']:<8} {known or 'no facts known'}")
    tax = d["alignment_tax"]
    lines += ["", f"Alignment tax: {tax['level']}"]
    for reason in tax["reasons"]:
        lines.append(f"  [{reason['rule']}] {reason['message']}")
    lines += ["", "Candidates:"]
    method = spec["training"]["method"]
    for cand in report["candidates"]:
        facts = {k: v["value"] for k, v in cand["facts"].items()}
        mark = "*" if cand["recommended"] else " "
        memory = (cand["memory_gb"] or {}).get(method)
        lines.append(
            f" {mark} {cand['repo_id']}  {cand['variant'] or '?'} | licence "
            f"{_fmt(facts.get('license'))} | {_fmt(facts.get('params_b'), 'B')} params | "
            f"context {_fmt(facts.get('context_length'))} | {method} ~{_fmt(memory, ' GB')}"
        )
        if cand["error"]:
            lines.append(f"      error: {cand['error']['message']}")
        counts = {s: sum(1 for c in cand["checks"] if c["status"] == s) for s in STATUS_MARK}
        lines.append(
            "      checks: "
            + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
            + (f"; not chosen: {cand['why_not']}" if cand["why_not"] else "")
        )
        for check in cand["checks"]:
            shown = check["status"] in ("warn", "fail") or (verbose and check["message"])
            if shown:
                lines.append(
                    f"      {STATUS_MARK[check['status']]:<4} [{check['rule']}] {check['message']}"
                )
    if report["next_steps"]:
        lines += ["", "Next steps:"]
        lines += [f"  - {step}" for step in report["next_steps"]]
    missing = report["missing_facts"]
    if missing:
        facts = sorted({m["fact"] for m in missing})
        lines += ["", f"Missing facts ({len(missing)}): {', '.join(facts)}"]
        lines.append(
            "  (unknown stays unknown: `--format json` lists which rule and candidate each affects)"
        )
    return "\n".join(lines) + "\n"
