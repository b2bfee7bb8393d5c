"""followup.chartplan: what goes into an indicator's chart (the same on screen and in every export)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from followup import chartplan
from followup.model import Aggregation, Grain
from followup.periods import Period


def frame(rows: list[tuple[str, float, float | None, bool]]) -> pd.DataFrame:
    """A chart frame from (period_start, value, n, series_break) tuples."""
    return pd.DataFrame(
        [{"period_start": date.fromisoformat(d), "value": v, "n": n, "series_break": b} for d, v, n, b in rows],
        columns=chartplan.FRAME_COLUMNS,
    )


def test_aggregate_keeps_complete_periods_only() -> None:
    months = frame([(f"2025-{m:02d}-01", float(m), None, m == 6) for m in range(1, 10) if m != 3])
    tertials = chartplan.aggregate(months, Grain.MONTH, Grain.TERTIAL, Aggregation.SUM)
    # T1 lacks March (missing is not zero), T3 has only September: only T2 is whole
    assert tertials.to_dict("records") == [
        {"period_start": date(2025, 5, 1), "value": 5 + 6 + 7 + 8, "n": None, "series_break": True}
    ]


def test_aggregate_weights_a_mean_by_n() -> None:
    months = frame([("2025-01-01", 10.0, 100.0, False), ("2025-02-01", 40.0, 300.0, False),
                    ("2025-03-01", 20.0, 100.0, False)])
    quarter = chartplan.aggregate(months, Grain.MONTH, Grain.QUARTER, Aggregation.MEAN).iloc[0]
    assert quarter["value"] == pytest.approx((1000 + 12000 + 2000) / 500)
    assert quarter["n"] == 500


def test_window_adds_earlier_values_until_two_are_shown() -> None:
    years = frame([("2020-01-01", 26.2, 400.0, False), ("2023-01-01", 19.5, 410.0, False)])
    first, last = Period(date(2023, 1, 1), Grain.MONTH), Period(date(2025, 10, 1), Grain.MONTH)
    shown_rows, widened = chartplan.window(years, Grain.YEAR, first, last)
    assert list(shown_rows["period_start"]) == [date(2020, 1, 1), date(2023, 1, 1)] and widened
    # a range that holds both needs nothing added; one before any value shows nothing
    assert chartplan.window(years, Grain.YEAR, Period(date(2019, 1, 1), Grain.MONTH), last)[1] is False
    assert chartplan.window(years, Grain.YEAR, first.shift(-60), first.shift(-50))[0].empty


def test_window_keeps_periods_that_overlap_the_range() -> None:
    years = frame([(f"{y}-01-01", float(y), None, False) for y in range(2019, 2026)])
    shown_rows, widened = chartplan.window(years, Grain.YEAR, Period(date(2023, 6, 1), Grain.MONTH),
                                        Period(date(2024, 2, 1), Grain.MONTH))
    assert list(shown_rows["value"]) == [2023.0, 2024.0] and not widened


# --- sensitive indicators: the plan is protected ----------------------------------------------------------------


def test_a_sum_over_a_hidden_part_is_flagged_and_the_plan_holds_no_hidden_value() -> None:
    from followup import fmt

    tertials = frame([("2023-01-01", 2.0, None, False), ("2023-05-01", 6.0, None, False),
                      ("2023-09-01", 7.0, None, False), ("2024-01-01", 9.0, None, False),
                      ("2024-05-01", 6.0, None, False), ("2024-09-01", 7.0, None, False)])
    years = chartplan.aggregate(tertials, Grain.TERTIAL, Grain.YEAR, Aggregation.SUM, sensitive=True)
    assert years["value"].tolist() == [15.0, 22.0]
    assert years["hidden"].tolist() == [fmt.HIDDEN_DERIVED, ""]
    assert "hidden" not in chartplan.aggregate(tertials, Grain.TERTIAL, Grain.YEAR, Aggregation.SUM).columns


def test_chart_plan_protects_a_sensitive_series_and_drops_a_target_on_a_hidden_baseline() -> None:
    from followup import fmt

    indicator = {"code": "unga", "frequency": "tertial", "event_category": None, "sensitive": True,
                 "aggregation": "sum"}
    starts = ["2023-01-01", "2023-05-01", "2023-09-01", "2024-01-01", "2024-05-01", "2024-09-01"]
    values = pd.DataFrame({"indicator": "unga", "grain": "tertial", "period_start": pd.to_datetime(starts),
                           "value": [2.0, 6.0, 7.0, 9.0, 3.0, 7.0], "denominator": None, "series_break": False})
    targets = pd.DataFrame([{"indicator": "unga", "baseline_start": date(2023, 1, 1), "baseline_grain": "tertial",
                             "baseline_value": 2.0, "target_start": date(2025, 1, 1), "target_grain": "tertial",
                             "target_value": 12.0, "tolerance": None}])
    plan = chartplan.chart_plan(indicator, values, values.iloc[0:0], targets)
    assert plan is not None and plan.target is None and plan.note == chartplan.TARGET_HIDDEN
    frame_ = plan.frame
    assert frame_["value"].isna().tolist() == [True, False, False, False, True, False]
    assert frame_["hidden"].tolist() == [fmt.SUPPRESSED, "", "", "", fmt.SUPPRESSED, ""]
    assert frame_["last_year"].isna().tolist() == [True, True, True, True, False, False]
    assert frame_["last_year_hidden"].tolist() == ["", "", "", fmt.SUPPRESSED, "", ""]
    assert not frame_["value"].between(1, 4).any() and not frame_["last_year"].between(1, 4).any()
