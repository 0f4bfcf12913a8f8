"""CLV commands: validate the models on CDNOW, fit them on the shop's orders, show a customer."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer

from channels.cli import app
from channels.cli.runtime import runtime
from domain.errors import DomainError

clv_app = typer.Typer(help="Customer lifetime value (BG/NBD + Gamma-Gamma).", no_args_is_help=True)
app.add_typer(clv_app, name="clv")


def _number(value: float, decimals: int) -> str:
    """Fixed decimals as the paper prints them, but never fewer than 3 significant digits."""
    if value != 0 and abs(value) < 10 ** (2 - decimals):
        return f"{value:.3g}"
    return f"{value:.{decimals}f}"


def _fail(exc: DomainError) -> NoReturn:
    typer.echo(f"error: {exc.message}", err=True)
    raise typer.Exit(code=1)


@clv_app.command("cdnow")
def clv_cdnow(
    path: Path = typer.Argument(..., help="A file in CDNOW_sample format (or CDNOW_master)."),
    holdout: bool = typer.Option(
        False, "--holdout", help="Also print predicted vs actual repeat purchases in weeks 40-78."
    ),
) -> None:
    """Fit BG/NBD and Gamma-Gamma on CDNOW's 39-week calibration period and print the estimates."""
    from domain.clv.cdnow import fit_cdnow, holdout_check, read_cdnow

    try:
        transactions = read_cdnow(path)
        fit = fit_cdnow(transactions)
        check = holdout_check(transactions, fit) if holdout else None
    except DomainError as exc:
        _fail(exc)
    b, g = fit.bgnbd, fit.gamma_gamma
    # The precision Fader, Hardie & Lee publish: 3 decimals for BG/NBD, 2 for Gamma-Gamma.
    typer.echo(
        f"bgnbd r={_number(b.r, 3)} alpha={_number(b.alpha, 3)} a={_number(b.a, 3)} "
        f"b={_number(b.b, 3)} ll={b.ll:.1f}"
    )
    typer.echo(f"gamma_gamma p={_number(g.p, 2)} q={_number(g.q, 2)} gamma={_number(g.gamma, 2)}")
    if check is not None:
        typer.echo(
            f"holdout weeks={check.weeks:g} predicted={check.predicted:.1f} actual={check.actual}"
        )


@clv_app.command("fit")
def clv_fit() -> None:
    """Refit the CLV models on all completed orders up to today and store the parameters."""
    from domain.clv.business import fit_from_orders
    from domain.db import transaction

    rt = runtime()
    try:
        with transaction(rt.sessions) as session:
            model = fit_from_orders(
                session, rt.clock.today(), tz=rt.clock.tz, currency=rt.settings.currency
            )
    except DomainError as exc:
        _fail(exc)
    typer.echo(
        f"clv model {model.id}: method={model.method} as_of={model.as_of} "
        f"customers={model.customers} "
        f"repeat_customers={model.repeat_customers}"
    )
    for name, values in model.params.items():
        if isinstance(values, dict):
            typer.echo(f"  {name} " + " ".join(f"{k}={v:.4g}" for k, v in values.items()))
        else:
            typer.echo(f"  {name}={values:.4g}")
    if model.note:
        typer.echo(f"  note: {model.note}")


@clv_app.command("show")
def clv_show(customer_id: int = typer.Argument(..., help="The customer's id.")) -> None:
    """Print one customer's probability alive, expected purchases (90 days) and value (365 days)."""
    from domain.clv.business import customer_clv

    rt = runtime()
    try:
        with rt.sessions() as session:
            result = customer_clv(session, customer_id, rt.clock.today(), tz=rt.clock.tz)
    except DomainError as exc:
        _fail(exc)
    for key, value in result.as_dict().items():
        typer.echo(f"{key}: {value}")
