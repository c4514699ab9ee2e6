"""The model-selection report as one self-contained HTML page, rendered from the JSON form only.

No script, no external asset: inline CSS (with a print stylesheet) and one inline SVG chart of the
memory each method needs per candidate against the GPU budget. Every interpolated value goes
through `esc()` (html.escape with quotes), so metadata cannot add markup, in text or attributes.
"""

from __future__ import annotations

import html
from typing import Any

from advisor.report import labels as L
from advisor.report.chart import memory_chart

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --pass: #1a7f37; --warn: #9a6700;
  --fail: #cf222e; --bg-soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
  margin: 0 auto; max-width: 1200px; padding: 24px; }
h1 { font-size: 1.7em; margin: 0 0 .4em; }
h2 { font-size: 1.25em; border-bottom: 1px solid var(--line); padding-bottom: .2em;
  margin-top: 1.8em; }
.verdict { border: 2px solid var(--pass); border-radius: 8px; padding: 12px 16px;
  background: #f0fff4; }
.verdict.base { border-color: #8250df; background: #fbf7ff; }
.verdict strong.big { font-size: 1.35em; letter-spacing: .02em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0 1em; font-size: .88em; }
th, td { border: 1px solid var(--line); padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); }
td.num { text-align: right; white-space: nowrap; }
td.mark { text-align: center; white-space: nowrap; }
.pass { color: var(--pass); } .warn { color: var(--warn); font-weight: 600; }
.fail { color: var(--fail); font-weight: 700; }
.unknown, .not-asked, .muted { color: var(--muted); }
tr.pick td { background: #f0fff4; }
code { background: var(--bg-soft); padding: 0 3px; border-radius: 3px; font-size: .92em; }
.chart { overflow-x: auto; } .chart svg { max-width: 100%; height: auto; }
.wrap { overflow-x: auto; }
details { margin: .3em 0; } summary { cursor: pointer; }
footer { margin-top: 2em; color: var(--muted); font-size: .85em; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .wrap, .chart { overflow: visible; }
  h2 { break-after: avoid; } tr, .verdict, svg { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  tr.pick td, .verdict { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
@page { margin: 1.4cm; }
"""


def esc(value: Any) -> str:
    return html.escape(L.no_controls(value), quote=True)


def _code(value: Any) -> str:
    return f"<code>{esc(value)}</code>"


def _table(head: list[str], rows: list[list[str]], row_classes: list[str] | None = None) -> str:
    """head and cells are already-escaped HTML fragments (cells may carry a td class as a tuple)."""
    out = ['<div class="wrap"><table><thead><tr>']
    out += [f"<th>{h}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        cls = row_classes[i] if row_classes else ""
        out.append(f'<tr class="{esc(cls)}">' if cls else "<tr>")
        for cell in row:
            if isinstance(cell, tuple):
                out.append(f'<td class="{esc(cell[0])}">{cell[1]}</td>')
            else:
                out.append(f"<td>{cell}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def render(report: dict[str, Any], options: Any = None) -> str:
    d = report["decision"]
    title = f"Model-selection report: {d['variant']} - {d['repo'] or 'no repo passes'}"
    body = "\n".join(
        section(report)
        for section in (
            _header,
            _decision,
            _what_would_change,
            _understanding,
            _candidates,
            _chart,
            _exceptions,
            _tax,
            _licences,
            _memory,
            _checks,
            _advice,
            _facts,
        )
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No network, no script: the page must work offline and as an e-mail attachment.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _header(report: dict[str, Any]) -> str:
    d = report["decision"]
    spec = report["task"]["spec"]
    u = report["task"]["understanding"]
    repo = _code(d["repo"]) if d["repo"] else "none: no candidate passes every fit check"
    close = (
        "<p><strong>Close call:</strong> fine-tune both variants and compare them.</p>"
        if d["close_call"]
        else ""
    )
    facts = [f"kind {esc(L.value(u['kind']))} ({esc(u['kind_source'])})"]
    for name in ("signals", "domains", "style"):
        if u[name]:
            facts.append(f"{name} {esc(L.value(u[name]))}")
    data, training = spec["data"], spec["training"]
    facts.append(
        f"data: format {esc(L.value(data['format']))}, {esc(L.value(data['examples']))} examples, "
        f"longest {esc(L.value(data['max_tokens']))} tokens"
    )
    gpu = L.gb(training["gpu_memory_gb"]) if training["gpu_memory_gb"] else "GPU not given"
    facts.append(
        f"training: {esc(L.METHOD_TITLE.get(training['method'], training['method']))}, {esc(gpu)}"
    )
    ds = report.get("dataset")
    if ds:
        facts.append(
            f"training file {_code(ds['path'])}: {esc(L.value(ds['rows']))} rows, format "
            f"{esc(L.value(ds['format']))}, longest ~{esc(L.value(ds['max_tokens']))} tokens"
        )
    return (
        "<h1>Model-selection report</h1>"
        f'<div class="verdict {esc(d["variant"])}"><strong class="big">Verdict: '
        f"{esc(d['variant'].upper())}</strong> &mdash; {esc(d['summary'])}<br>"
        f"Start from {repo} (confidence {esc(d['confidence'])}).{close}</div>"
        f"<p><strong>Task:</strong> {esc(spec['task']['description'])}</p>"
        "<ul>" + "".join(f"<li>{f}</li>" for f in facts) + "</ul>"
    )


def _what_would_change(report: dict[str, Any]) -> str:
    changes = report["decision"].get("what_would_change") or []
    if not changes:
        return (
            "<h2>What would change the verdict</h2><p>No single or paired change of the facts "
            "you state flips it.</p>"
        )
    items = "".join(f"<li>{esc(c['summary'])} ({esc(c['effect'])})</li>" for c in changes)
    return f"<h2>What would change the verdict</h2><ul>{items}</ul>"


def _understanding(report: dict[str, Any]) -> str:
    task = report["task"]
    out = "<h2>What advisor understood</h2>"
    if not task.get("understood", True):
        out += f"<p><strong>Nothing was understood.</strong> {esc(task['hint'])}</p>"
    rows = [
        [_code(name), esc(L.value(f["value"])), esc(f["origin"]), esc(f.get("from") or "")]
        for name, f in task.get("facts", {}).items()
    ]
    out += _table(["fact", "value", "origin", "from your words"], rows)
    against = task["understanding"].get("against") or []
    if against:
        items = "".join(
            f"<li>&ldquo;{esc(a['matched'])}&rdquo; ({esc(a['against'])})</li>" for a in against
        )
        out += f"<p>Negated, so counted against:</p><ul>{items}</ul>"
    return out


def _decision(report: dict[str, Any]) -> str:
    d = report["decision"]
    votes = d["votes"]
    rows = [
        [esc(side), ("num", f"+{v['weight']:g}"), _code(v["id"]), esc(v["message"])]
        for side in ("base", "instruct")
        for v in votes[side]["rules"]
    ]
    out = (
        f"<h2>Decision</h2><p>Votes: base <strong>{votes['base']['total']:g}</strong>, instruct "
        f"<strong>{votes['instruct']['total']:g}</strong> (score {d['score']:g}). The verdict is "
        "the sum of the rules that fired:</p>" + _table(["side", "weight", "rule", "reason"], rows)
    )
    if d["undecided"]:
        waiting = ", ".join(_code(r) for r in d["undecided"])
        out += f"<p>Could vote the other way once their missing facts are known: {waiting}.</p>"
    return out


def _exceptions(report: dict[str, Any]) -> str:
    rows = []
    for exc in report["decision"]["exceptions_considered"]:
        facts = "; ".join(f"{_code(k)} = {esc(L.value(v))}" for k, v in exc["facts"].items())
        status = L.EXCEPTION_STATUS.get(exc["status"], exc["status"])
        cls = {"fired": "fail", "silent": "pass"}.get(exc["status"], "unknown")
        rows.append(
            [
                _code(exc["id"]),
                (cls, esc(status)),
                facts,
                esc(exc["message"] or exc.get("summary", "")),
            ]
        )
    return "<h2>The three exceptions (when base is right)</h2>" + _table(
        ["exception", "status", "on these facts", "what it means"], rows
    )


def _tax(report: dict[str, Any]) -> str:
    tax = report["decision"]["alignment_tax"]
    items = [
        f"<li>{_code(r['rule'])} ({esc(r['level'])}): {esc(r['message'])}</li>"
        for r in tax["reasons"]
    ] or ["<li>No alignment-tax rule fired.</li>"]
    cost = f"<p><strong>What it costs:</strong> {esc(tax['cost'])}</p>" if tax.get("cost") else ""
    return f"<h2>Alignment tax: {esc(tax['level'])}</h2><ul>{''.join(items)}</ul>{cost}"


def _candidates(report: dict[str, Any]) -> str:
    head = ["#", "repo"] + [esc(t) for _, t in L.COMPARED_FACTS] + ["allows", "checks", "outcome"]
    rows, classes = [], []
    for i, c in enumerate(report["candidates"], 1):
        licence = c.get("licence") or {}
        pick = c["repo_id"] == report["decision"]["repo"]
        outcome = (
            "<strong>the pick</strong>"
            if pick
            else "recommended"
            if c["recommended"]
            else esc(c["why_not"] or "")
        )
        if c["error"]:
            outcome = f'<span class="fail">error:</span> {esc(c["error"]["message"])}'
        rows.append(
            [esc(i), _code(c["repo_id"])]
            + [esc(L.compared(c, name)) for name, _ in L.COMPARED_FACTS]
            + [esc(licence.get("allows", "")), esc(L.check_counts(c["counts"])), outcome]
        )
        classes.append("pick" if pick else "")
    return "<h2>Candidates</h2>" + _table(head, rows, classes)


def _licences(report: dict[str, Any]) -> str:
    out = ""
    for licence in report["licences"]:
        conditions = "".join(f"<li>{esc(cond)}</li>" for cond in licence["conditions"])
        out += (
            f"<h3>Licence {_code(licence['id'])} ({esc(L.value(licence['name']))}): conditions</h3>"
            f"<ul>{conditions}</ul>"
        )
    return "<h2>Licence conditions</h2>" + out if out else ""


def _chart(report: dict[str, Any]) -> str:
    return f'<h2>Memory needed vs your GPU</h2><div class="chart">{memory_chart(report, esc)}</div>'


def _memory(report: dict[str, Any]) -> str:
    model = report.get("memory_model") or {}
    method = model.get("method")
    head = ["#", "repo", "params"] + [esc(L.METHOD_TITLE[m]) for m in L.METHODS]
    rows = []
    for i, c in enumerate(report["candidates"], 1):
        memory = c.get("memory") or {}
        cells: list[Any] = [esc(i), _code(c["repo_id"]), esc(L.compared(c, "params_b"))]
        for m in L.METHODS:
            entry = memory.get(m)
            verdict = L.fits(entry)
            text = esc(L.gb(entry["need_gb"]) if entry else "unknown")
            if verdict:
                cls = "pass" if entry and entry["fits_gpu"] else "fail"
                text += f' <span class="{cls}">({esc(verdict)})</span>'
            cells.append(("num", f"<strong>{text}</strong>" if m == method else text))
        rows.append(cells)
    out = "<h2>Memory per method</h2>" + _table(head, rows)
    if model:
        basis = "".join(
            f"<li>{esc(name)}: {esc(text)}</li>" for name, text in model["terms"].items()
        )
        out += (
            f"<p>Formula: {_code(model['formula'])}</p><ul>{basis}</ul>"
            "<p>Assumptions:</p><ul>"
            + "".join(f"<li>{esc(a)}</li>" for a in model["assumptions"])
            + "</ul><p>References:</p><ul>"
            + "".join(f"<li>{esc(r)}</li>" for r in model["references"])
            + "</ul>"
        )
    return out


def _checks(report: dict[str, Any]) -> str:
    candidates = report["candidates"]
    by_rule = [{ch["rule"]: ch for ch in c["checks"]} for c in candidates]
    kinds = report.get("rules", {})
    rows = []
    for rule_id in L.check_ids(report):
        cells: list[Any] = [_code(rule_id), esc((kinds.get(rule_id) or {}).get("kind", ""))]
        for checks in by_rule:
            state = L.check_state(checks[rule_id]) if rule_id in checks else ""
            cells.append(("mark " + state, esc(L.CHECK_MARK.get(state, ""))))
        rows.append(cells)
    head = ["check", "kind"] + [esc(i) for i in range(1, len(candidates) + 1)]
    flagged = []
    for i, c in enumerate(candidates, 1):
        items = [
            f'<li><span class="{esc(ch["status"])}">{esc(L.CHECK_MARK[ch["status"]])}</span> '
            f"{_code(ch['rule'])}: {esc(ch['message'])}</li>"
            for ch in c["checks"]
            if L.check_state(ch) in ("warn", "fail")
        ]
        if items:
            flagged.append(f"<li>{esc(i)}. {_code(c['repo_id'])}<ul>{''.join(items)}</ul></li>")
    return (
        "<h2>Fit checks</h2><p>One column per candidate (numbers as in the candidate table): pass, "
        "warn, FAIL, ? (a fact is unknown) or - (not asked: the spec sets no such constraint).</p>"
        + _table(head, rows)
        + (f'<ul class="flagged">{"".join(flagged)}</ul>' if flagged else "")
    )


def _advice(report: dict[str, Any]) -> str:
    d = report["decision"]
    repo = d["repo"]
    out = "<h2>Pitfalls and next steps</h2>"
    if repo:
        items = [f"<li>{_code(n['rule'])}: {esc(n['message'])}</li>" for n in d["pick_notes"]]
        listed = "".join(items) or "<li>none flagged</li>"
        out += f"<p>For {_code(repo)}:</p><ul>{listed}</ul>"
    steps = "".join(f"<li>{esc(step)}</li>" for step in report["next_steps"])
    return out + f"<p>Next steps:</p><ol>{steps}</ol>"


def _facts(report: dict[str, Any]) -> str:
    out = "<h2>Facts: missing, and where each came from</h2>"
    missing = report["missing_facts"]
    if missing:
        rows = [
            [
                _code(m["fact"]),
                esc(m["candidate"] or "the task"),
                ", ".join(_code(r) for r in m["rules"]),
            ]
            for m in missing
        ]
        out += "<p>Unknown facts (unknown stays unknown; these rules could not decide):</p>"
        out += _table(["fact", "for", "rules waiting on it"], rows)
    else:
        out += "<p>No fact was missing.</p>"
    repo = report["decision"]["repo"]
    for c in report["candidates"]:
        rows = [
            [_code(n), esc(L.value(f["value"])), esc(f["source"])] for n, f in c["facts"].items()
        ]
        sources = "".join(f"<li>{esc(s)}</li>" for s in c.get("sources") or [])
        # The pick's facts stay open so a printout carries them; the rest fold away.
        opened = " open" if c["repo_id"] == repo else ""
        out += (
            f"<details{opened}><summary>{esc(c['repo_id'])}: facts and sources</summary>"
            + _table(["fact", "value", "source"], rows)
            + (f"<p>Catalog entry sources:</p><ul>{sources}</ul>" if sources else "")
            + "</details>"
        )
    version = esc(report.get("advisor_version", ""))
    return (
        out + f"<footer>advisor {version}, report schema {esc(report['schema_version'])}</footer>"
    )
