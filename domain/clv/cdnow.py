"""The CDNOW data set, read and summarised the way Fader, Hardie & Lee (2005) fit it.

Convention: a 39-week calibration period 1997-01-01 .. 1997-09-30 and a 39-week holdout
1997-10-01 .. 1998-06-30; time in weeks; several purchases on one day are one transaction (values
summed); the first purchase is not a repeat purchase; T runs from a customer's first purchase to
the end of calibration. On CDNOW_sample this reproduces the published estimates: BG/NBD
r=0.243, alpha=4.414, a=0.793, b=2.426, LL=-9582.4 (2,357 customers, 2,457 repeat transactions)
and Gamma-Gamma p=6.25, q=3.74, gamma=15.44 (946 repeat customers, mean of repeat transactions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from domain.clv.bgnbd import BgNbdParams, expected_purchases, fit_bgnbd
from domain.clv.gamma_gamma import GammaGammaParams, fit_gamma_gamma
from domain.clv.summary import PurchaseSummary, count_transactions, summarise_transactions
from domain.errors import DomainError

CALIBRATION_END = date(1997, 9, 30)
HOLDOUT_END = date(1998, 6, 30)


@dataclass(frozen=True)
class Transactions:
    """Raw purchase rows: customer id, day (proleptic ordinal) and dollar value."""

    customer_ids: np.ndarray
    days: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class CdnowFit:
    bgnbd: BgNbdParams
    gamma_gamma: GammaGammaParams
    summary: PurchaseSummary


@dataclass(frozen=True)
class HoldoutCheck:
    """Repeat transactions in the holdout weeks: what the model predicted vs what happened."""

    weeks: float
    predicted: float
    actual: int


def _parse_day(text: str, line_no: int) -> int:
    try:
        if len(text) != 8:
            raise ValueError(text)
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])).toordinal()
    except ValueError:
        raise DomainError(
            f"line {line_no}: date {text!r} is not a valid YYYYMMDD date", field="date"
        ) from None


def read_cdnow(path: str | Path) -> Transactions:
    """Read CDNOW_sample (master_id sample_id YYYYMMDD cds dollars) or CDNOW_master
    (customer_id YYYYMMDD cds dollars, optional header) into arrays.

    Raises DomainError naming the line of the first malformed row.
    """
    path = Path(path)
    if not path.is_file():
        raise DomainError(f"{path}: no such file; pass the path of CDNOW_sample.txt", field="path")
    ids, days, values = [], [], []
    columns = None  # fixed by the first data row: 5 for CDNOW_sample, 4 for CDNOW_master
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            fields = line.split()
            if not fields:
                continue
            if line_no == 1 and not fields[0].isdigit():
                continue  # CDNOW_master's header
            columns = columns or (len(fields) if len(fields) in (4, 5) else 5)
            if len(fields) != columns:
                raise DomainError(
                    f"line {line_no}: expected {columns} columns "
                    + (
                        "(master_id sample_id date cds dollars)"
                        if columns == 5
                        else "(customer_id date cds dollars)"
                    )
                    + f", found {len(fields)}"
                )
            customer, day_text, value_text = fields[-4], fields[-3], fields[-1]
            try:
                customer_id, value = int(customer), float(value_text)
            except ValueError:
                raise DomainError(
                    f"line {line_no}: customer id {customer!r} and dollar value "
                    f"{value_text!r} must be numbers"
                ) from None
            if value < 0:
                raise DomainError(
                    f"line {line_no}: dollar value {value} is negative", field="dollar_value"
                )
            ids.append(customer_id)
            days.append(_parse_day(day_text, line_no))
            values.append(value)
    if not ids:
        raise DomainError(f"{path}: no purchase rows found")
    return Transactions(
        np.array(ids, dtype=np.int64), np.array(days, dtype=np.int64), np.array(values)
    )


def calibration_summary(transactions: Transactions, end: date = CALIBRATION_END) -> PurchaseSummary:
    """(x, t_x, T) in weeks and repeat-transaction mean value per customer, up to ``end``."""
    return summarise_transactions(
        transactions.customer_ids, transactions.days, transactions.values, end.toordinal(), 7.0
    )


def fit_cdnow(transactions: Transactions, end: date = CALIBRATION_END) -> CdnowFit:
    """Fit BG/NBD and Gamma-Gamma on the calibration period.

    Gamma-Gamma leaves out repeat customers whose repeat purchases were all $0 (CDNOW_master has
    a few): a gamma-distributed spend cannot be zero.
    """
    summary = calibration_summary(transactions, end)
    bgnbd = fit_bgnbd(summary.x, summary.t_x, summary.T)
    paid = summary.monetary > 0
    gamma_gamma = fit_gamma_gamma(summary.x[paid], summary.monetary[paid])
    return CdnowFit(bgnbd=bgnbd, gamma_gamma=gamma_gamma, summary=summary)


def holdout_check(
    transactions: Transactions,
    fit: CdnowFit,
    end: date = CALIBRATION_END,
    holdout_end: date = HOLDOUT_END,
) -> HoldoutCheck:
    """Expected vs actual transactions of the calibration customers in (end, holdout_end]."""
    if holdout_end <= end:
        raise DomainError("the holdout must end after the calibration period", field="holdout_end")
    weeks = (holdout_end - end).days / 7
    summary = fit.summary
    predicted = expected_purchases(fit.bgnbd, weeks, summary.x, summary.t_x, summary.T)
    actual = count_transactions(
        transactions.customer_ids,
        transactions.days,
        end.toordinal() + 1,
        holdout_end.toordinal(),
        summary.customer_ids,
    )
    return HoldoutCheck(weeks=weeks, predicted=float(predicted.sum()), actual=int(actual.sum()))
