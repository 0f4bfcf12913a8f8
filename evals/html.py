"""One self-contained HTML page: the metrics, then each failing case's conversation, calls and diff."""
from __future__ import annotations

import json
from html import escape
from typing import Any

from evals.report import render_table, score_lines

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:1100px;color:#1d2330}
h1{font-size:1.4rem} h2{font-size:1.1rem;margin-top:2rem} pre{background:#f5f6f8;padding:.6rem;overflow:auto}
.case{border:1px solid #d9dce3;border-radius:6px;padding:.8rem 1rem;margin:1rem 0}
.fail{color:#b42318} .ok{color:#067647} .user{font-weight:600} .bot{white-space:pre-wrap;margin:.2rem 0 .6rem 1rem}
table{border-collapse:collapse} td,th{border:1px solid #d9dce3;padding:.25rem .5rem;text-align:left;vertical-align:top}
"""


def _calls_table(expected: list[dict[str, Any]] | None, actual: list[dict[str, Any]]) -> str:
    exp = "<br>".join(escape(f"{c['tool']}({json.dumps(c.get('args'), default=str)})") for c in expected or []) or "—"
    act = "<br>".join(escape(f"{c.get('name')}({json.dumps(c.get('arguments'), default=str)}) → {c.get('status')}")
                      for c in actual) or "—"
    return f"<table><tr><th>expected calls</th><th>actual calls</th></tr><tr><td>{exp}</td><td>{act}</td></tr></table>"


def render_html(report: dict[str, Any]) -> str:
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>c360 eval — {escape(report['model'])}</title>",
             f"<style>{STYLE}</style></head><body>",
             f"<h1>c360 eval — model {escape(report['model'])}, k={report['k']}</h1>",
             "<pre>" + escape("\n".join(score_lines(report))) + "</pre>",
             "<h2>Metrics</h2><pre>" + escape(render_table(report)) + "</pre>"]
    failing = [c for c in report["cases"] if not c["passed"]]
    parts.append(f"<h2>Failing cases ({len(failing)} of {len(report['cases'])})</h2>")
    for case in failing:
        trial = next((t for t in case["trials_detail"] if not t["passed"]), case["trials_detail"][0])
        parts.append(f"<div class='case'><h3 class='fail'>{escape(case['id'])} <small>({escape(case['split'])}, "
                     f"{case['passes']}/{case['trials']} trials passed)</small></h3><ul>")
        parts += [f"<li>{escape(f)}</li>" for f in case["failures"]]
        parts.append("</ul>")
        for turn in trial["turns"]:
            parts.append(f"<div class='user'>👤 {escape(turn['user'])}</div><div class='bot'>🤖 {escape(turn['reply'])}</div>")
            parts.append(_calls_table(turn["expected"], turn["calls"]))
        if trial["db_diff"]:
            rows = "".join(f"<tr><td>{escape(d['table'])}</td><td>{escape(d['side'])}</td>"
                           f"<td><code>{escape(json.dumps(d['row'], default=str))}</code></td></tr>" for d in trial["db_diff"])
            parts.append(f"<h4>database diff</h4><table><tr><th>table</th><th>side</th><th>row</th></tr>{rows}</table>")
        parts.append("</div>")
    parts.append("</body></html>")
    return "".join(parts)
