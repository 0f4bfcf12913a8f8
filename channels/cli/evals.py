"""``c360 eval``: run the eval cases against the agent, compare two reports."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from channels.cli import app

eval_app = typer.Typer(help="The eval harness: know how good the agent is before users do.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@eval_app.command("run")
def run(
    paths: list[Path] = typer.Argument(..., help="YAML case files or folders (searched recursively)."),
    model: str = typer.Option("offline", "--model", help="Backend: offline, openai or openai-json."),
    k: int = typer.Option(1, "--k", min=1, help="Trials per case; pass^k is reported when above 1."),
    split: Optional[str] = typer.Option(None, "--split", help="Only cases of this split: train, dev, test, sealed (written apart from the parser, never tuned on) or llm (the real-model set)."),
    tag: Optional[list[str]] = typer.Option(None, "--tag", help="Only cases with this tag (repeatable)."),
    case: Optional[list[str]] = typer.Option(None, "--case", help="Only the case with this id (repeatable)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the JSON report here."),
    html: Optional[Path] = typer.Option(None, "--html", help="Write a self-contained HTML report here."),
    concurrency: int = typer.Option(1, "--concurrency", min=1, help="Cases run in parallel processes."),
    floor: Optional[Path] = typer.Option(None, "--floor", help="JSON file of floors per split ({\"dev\": X, ...}): exit 1 below the run's split floor."),
    quiet: bool = typer.Option(False, "--quiet", help="No line per case."),
) -> None:
    """Run every case in PATHS and print the metrics; the last line is `pass^1 = X (passed/total)`."""
    from evals.case import CaseFileError, load_cases
    from evals.harness import run_cases
    from evals.html import render_html
    from evals.report import render_table, score_lines

    if model not in ("offline", "openai", "openai-json"):
        raise typer.BadParameter("use offline, openai or openai-json", param_hint="--model")
    if split not in (None, *SPLITS):
        raise typer.BadParameter(f"use one of {', '.join(SPLITS)}", param_hint="--split")
    try:
        cases = load_cases(paths, split=split, tags=tag)
    except CaseFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    if case:
        cases = [c for c in cases if c.id in set(case)]
    if not cases:
        typer.echo("error: no case matched (check the paths, --split, --tag and --case)", err=True)
        raise typer.Exit(2)
    if k > 1 and model == "offline":
        typer.echo("note: the offline model is deterministic; every trial gives the same answer", err=True)

    def progress(trial) -> None:
        if not quiet:
            mark = "PASS" if trial.passed else "FAIL"
            why = f"  {trial.failures[0]}" if trial.failures else ""
            typer.echo(f"{mark} {trial.case_id} [{trial.split}] #{trial.trial}{why}")
            budget = step_budget_line(trial)
            if budget:
                typer.echo(budget)

    report = run_cases(cases, model=model, k=k, concurrency=concurrency, progress=progress)
    if out:
        out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    if html:
        html.write_text(render_html(report), encoding="utf-8")
    typer.echo("")
    typer.echo(render_table(report))
    below = None
    if floor:
        wanted = floor_for(json.loads(floor.read_text(encoding="utf-8")), split)
        if report["metrics"]["pass^1"] + 1e-9 < wanted:
            below = f"pass^1 {report['metrics']['pass^1']:.3f} is below the floor {wanted:.3f} in {floor}"
            typer.echo(below, err=True)
    for line in score_lines(report):
        typer.echo(line)
    if below:
        raise typer.Exit(1)


SPLITS = ("train", "dev", "test", "sealed", "llm")


def floor_for(floors: dict, split: str | None) -> float:
    """The floor for a run: the split's own entry, else the whole-run `pass^1` entry, else 0."""
    if split and split in floors:
        return float(floors[split])
    return float(floors.get("pass^1", 0))


@eval_app.command("compare")
def compare_reports(
    a: Path = typer.Argument(..., help="The earlier report (JSON from `eval run --out`)."),
    b: Path = typer.Argument(..., help="The later report."),
) -> None:
    """Show what got better and worse from report A to report B, case by case."""
    from evals.report import compare

    try:
        left, right = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
    except (OSError, json.JSONDecodeError) as exc:
        typer.echo(f"error: cannot read the reports: {exc}", err=True)
        raise typer.Exit(2)
    result = compare(left, right)
    for name, (before, after) in result["metrics"].items():
        typer.echo(f"{name:28} {before!s:>10} -> {after!s:>10}")
    typer.echo(f"\nbetter ({len(result['better'])}):")
    for c in result["better"]:
        typer.echo(f"  + {c['id']}  {c['before']:.2f} -> {c['after']:.2f}")
    typer.echo(f"worse ({len(result['worse'])}):")
    for c in result["worse"]:
        first = c["failures_after"][0] if c["failures_after"] else ""
        typer.echo(f"  - {c['id']}  {c['before']:.2f} -> {c['after']:.2f}  {first}")
    typer.echo(f"unchanged: {result['unchanged']}")
    if result["only_in_a"] or result["only_in_b"]:
        typer.echo(f"only in A: {len(result['only_in_a'])}, only in B: {len(result['only_in_b'])}")


def step_budget_line(trial) -> str:
    """The token budget of each model step of a trial, per turn: ``prompt tokens (cached) -> completion``."""
    turns = []
    for number, turn in enumerate(trial.turns, 1):
        steps = (turn.tokens or {}).get("per_step") or []
        if steps:
            shown = " ".join(f"{s['prompt']}({s['cached']})->{s['completion']}"
                             + (f"@{s['prompt_ms'] / 1000:.1f}s" if s.get("prompt_ms") is not None else "")
                             for s in steps)
            turns.append(f"turn {number}: {shown}")
    return ("    budget, prompt tokens (cached)->completion per step: " + "; ".join(turns)) if turns else ""
