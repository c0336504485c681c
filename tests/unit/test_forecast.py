"""Demand forecast on synthetic series whose right answer is known in advance."""

import math
import random
from statistics import fmean

import pytest

from app.purchasing.forecast import (
    accuracy,
    forecast,
    reorder_point,
    safety_stock,
    suggested_order,
)

WEEK = [5, 5, 5, 5, 5, 20, 30]  # quiet weekdays, busy weekend


def weekly_series(weeks: int = 12) -> list[float]:
    """The weekly pattern plus uniform noise of at most 1 unit a day, the same every run."""
    rng = random.Random(42)
    return [value + rng.uniform(-1, 1) for _ in range(weeks) for value in WEEK]


def intermittent_series() -> list[float]:
    """6 units every 4th day, nothing in between: 1.5 a day on average."""
    return [6.0 if day % 4 == 3 else 0.0 for day in range(120)]


def noisy_series(seed: int = 42) -> list[float]:
    """Mean 50, standard deviation 5, no trend and no season."""
    rng = random.Random(seed)
    return [rng.gauss(50, 5) for _ in range(120)]


def mean_abs_error(predicted: list[float], actual: list[float]) -> float:
    return fmean(abs(p - a) for p, a in zip(predicted, actual, strict=True))


# --- forecast -----------------------------------------------------------------------------


def test_constant_series_forecasts_the_constant():
    history = [10.0] * 84
    result = forecast(history, 14)
    assert result.method in ("constant", "ses")
    assert result.level == pytest.approx(10, rel=0.01)
    assert len(result.daily) == 14
    assert all(day == pytest.approx(10, rel=0.01) for day in result.daily)
    assert result.sigma == pytest.approx(0, abs=1e-9)

    scored = accuracy(history)
    assert scored.holdout == 28
    # The naive forecast is never wrong on a constant series, so MASE has no scale.
    assert scored.mase is None or scored.mase == pytest.approx(0, abs=1e-9)
    assert scored.mape == pytest.approx(0, abs=1e-9)


def test_weekly_pattern_uses_holt_winters_and_recovers_the_pattern():
    history = weekly_series()
    result = forecast(history, 7)
    assert result.method == "holt_winters"
    # 84 days = 12 whole weeks, so the next day is a Monday-like day 0 of the pattern.
    # 10 %: the noise is at most 1 unit (20 % of a quiet day) and is averaged over 12 weeks.
    for predicted, expected in zip(result.daily, WEEK, strict=True):
        assert predicted == pytest.approx(expected, rel=0.10)
    assert result.level == pytest.approx(fmean(WEEK), rel=0.05)


def test_weekly_pattern_repeats_past_one_season():
    result = forecast(weekly_series(), 21)
    assert result.daily[:7] == result.daily[7:14] == result.daily[14:]


def test_weekly_pattern_beats_seasonal_naive_and_ses():
    history = weekly_series()
    scored = accuracy(history)
    assert scored.method == "holt_winters"
    # A model that knew the pattern exactly would score E|e| / E|e1 - e2| = 0.5 / (2/3)
    # = 0.75 on this noise; 0.9 leaves room for the pattern being estimated, not known.
    assert scored.mase is not None and scored.mase < 0.9

    train, actual = history[:-28], history[-28:]
    seasonal = forecast(train, 28)
    flat = forecast(train, 28, season=1)  # no season allowed: plain SES
    assert flat.method == "ses"
    seasonal_error = mean_abs_error(seasonal.daily, actual)
    flat_error = mean_abs_error(flat.daily, actual)
    # A flat line misses the weekend by 10-20 units; the season cuts the error 5-fold at least.
    assert seasonal_error * 5 < flat_error


def test_intermittent_demand_uses_croston_with_sba():
    result = forecast(intermittent_series(), 7)
    assert result.method == "croston"
    assert result.params["adi"] == pytest.approx(4.0)
    # Every demand is 6 and every interval 4, so size / interval = 1.5 whatever alpha is;
    # the SBA factor 1 - alpha/2 closest to 1 fits best, i.e. the smallest alpha on the grid:
    # 1.5 x (1 - 0.05/2) = 1.4625.
    assert result.params["alpha"] == pytest.approx(0.05)
    assert result.level == pytest.approx(1.4625, abs=1e-9)
    assert result.level == pytest.approx(1.5, rel=0.10)
    assert result.daily == [result.level] * 7


def test_noisy_flat_series_uses_ses_near_the_true_mean():
    result = forecast(noisy_series(), 7)
    assert result.method == "ses"
    # 5 % = 2.5 units; with alpha 0.05 the level's own spread is about 5 x sqrt(0.05 / 1.95)
    # = 0.8, so the bound is some three standard deviations wide.
    assert result.level == pytest.approx(50, rel=0.05)
    # Sigma estimates the noise, 5.
    assert result.sigma == pytest.approx(5, rel=0.15)


def test_pure_noise_never_shows_a_weekly_season():
    picked = [forecast(noisy_series(seed), 7).method for seed in range(20)]
    assert picked == ["ses"] * 20


@pytest.mark.parametrize("history", [[], [0] * 30, [0.0]])
def test_no_demand_forecasts_zero(history):
    result = forecast(history, 5)
    assert result.method == "none"
    assert result.daily == [0.0] * 5
    assert result.level == 0 and result.sigma == 0


def test_short_history_still_forecasts():
    result = forecast([3, 4, 5, 4, 6], 3)
    assert result.method == "ses"
    assert len(result.daily) == 3
    assert 3 <= result.level <= 6
    assert math.isfinite(result.sigma)


def test_negative_days_are_clipped_with_a_note():
    result = forecast([5, -2, 5, 5, 5, 6], 2)
    assert result.notes == ["1 negative day(s), net returns, counted as 0"]
    assert result.level >= 0
    assert forecast([-3, -1, 0], 2).method == "none"


def test_same_history_same_forecast():
    assert forecast(weekly_series(), 7) == forecast(weekly_series(), 7)


def test_forecast_rejects_a_negative_horizon():
    with pytest.raises(ValueError, match="horizon"):
        forecast([1, 2, 3], -1)


# --- accuracy -----------------------------------------------------------------------------


def test_accuracy_shrinks_the_holdout_on_short_histories():
    history = weekly_series()[:30]
    assert accuracy(history).holdout == 10  # a third of 30 days


def test_accuracy_needs_two_weeks():
    assert accuracy([5.0] * 13) == accuracy([])
    assert accuracy([5.0] * 13).mase is None and accuracy([5.0] * 13).holdout == 0


def test_mape_ignores_days_without_demand():
    scored = accuracy(intermittent_series())
    assert scored.method == "croston"
    # The hold-out's 7 demand days of 6 against a flat 1.4625: |6 - 1.4625| / 6 = 75.625 %.
    assert scored.mape == pytest.approx(75.625)
    assert accuracy([5.0] * 30 + [0.0] * 15).mape is None


# --- safety stock, reorder point, order size ------------------------------------------------


def test_safety_stock_at_95_percent():
    assert safety_stock(1, 1, 0.95) == pytest.approx(1.6449, abs=1e-3)  # z(0.95)
    # sqrt(9 days) = 3.
    assert safety_stock(2, 9, 0.95) == pytest.approx(1.6449 * 2 * 3, abs=1e-3 * 2 * 3)
    assert safety_stock(2, 0, 0.95) == 0


@pytest.mark.parametrize(
    ("sigma", "lead_time", "service_level"),
    [(2, 9, 0.5), (2, 9, 0.3), (2, 9, 1.0), (2, 9, 0.99995), (2, -1, 0.95), (-1, 9, 0.95)],
)
def test_safety_stock_rejects_invalid_inputs(sigma, lead_time, service_level):
    with pytest.raises(ValueError):
        safety_stock(sigma, lead_time, service_level)


def test_reorder_point_is_lead_time_demand_plus_safety():
    assert reorder_point(10, 5, 12.5) == pytest.approx(62.5)


def test_no_order_above_the_reorder_point():
    assert suggested_order(available=50, on_order=20, reorder_point=62.5, level=10) == 0


def test_order_up_to_reorder_point_plus_review_period():
    # 62.5 + 10 x 7 - (30 + 10) = 92.5, rounded up to 93 units.
    assert suggested_order(30, 10, 62.5, 10) == 93


def test_order_rounds_up_to_whole_packs():
    # 93 units in packs of 12 -> 8 packs = 96.
    assert suggested_order(30, 10, 62.5, 10, pack=12) == 96


def test_order_at_exactly_the_reorder_point():
    assert suggested_order(62.5, 0, 62.5, 10, review_days=2) == 20


def test_order_rejects_an_empty_pack():
    with pytest.raises(ValueError, match="pack"):
        suggested_order(0, 0, 10, 1, pack=0)
