"""Daily demand forecast, safety stock, reorder point and order size for replenishment.

Pure Python: one product in one warehouse is a few hundred numbers, so plain loops are fast
enough and keep the arithmetic easy to check against a textbook.

How ``forecast`` picks a method, first match wins:

1. "none": empty history or no demand at all; every forecast is zero.
2. "constant": every day the same (or fewer than 3 days, then their mean); nothing to smooth.
3. "croston": intermittent demand, ADI = days / days with demand >= 1.32 (Syntetos-Boylan
   cut-off). Smoothing a mostly-zero series chases each spike, so Croston smooths the demand
   size and the interval separately and forecasts size / interval, times the SBA factor
   1 - alpha/2 that removes Croston's upward bias.
4. "holt_winters": at least three full seasons, and the season earns its keep: the corrected
   Akaike criterion (AICc) of the in-sample one-step errors is lower for Holt-Winters than
   for SES, i.e. the season's extra parameters buy more than they cost. The same test picks
   ETS models in R's forecast package; a one-season hold-out is too few days to judge by
   and on pure noise picks a season about one time in five. Additive level + season and no
   trend: extrapolating a trend across a lead time overshoots more often than it helps for
   daily demand.
5. "ses": simple exponential smoothing, a flat forecast at the smoothed level.

Smoothing parameters come from a fixed grid, minimising the in-sample one-step squared
error; ties keep the smaller value, so the same history always gives the same forecast.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist, fmean, pstdev

INTERMITTENT_ADI = 1.32
MIN_ACCURACY_DAYS = 14
# A week of start-up average keeps the first level from being one noisy day.
_START_DAYS = 7
_ALPHAS = tuple(round(0.05 * i, 2) for i in range(1, 20))  # 0.05 .. 0.95
_GAMMAS = tuple(round(0.05 * i, 2) for i in range(1, 11))  # 0.05 .. 0.50, seasons drift slowly
# 0.05 .. 0.30: Croston needs slow smoothing, a spike must not look like a new rate.
_CROSTON_ALPHAS = tuple(round(0.05 * i, 2) for i in range(1, 7))


@dataclass(frozen=True)
class Forecast:
    """The next days' demand and what replenishment needs from it: a rate and its noise."""

    method: str
    daily: list[float]  # one value per day of the horizon
    level: float  # mean daily demand going forward; a full season's mean for Holt-Winters
    sigma: float  # RMS of in-sample one-day errors: the noise safety stock must cover
    params: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Accuracy:
    """How well the chosen method forecast the last days of the history it did not see."""

    method: str | None
    holdout: int  # days actually held out; 0 when the history was too short to judge
    mase: float | None  # < 1 beats the naive forecast; None when naive is never wrong
    mape: float | None  # percent, over days with demand only; None when there were none
    predicted: list[float] = field(default_factory=list)  # the forecast of the held-out days


def forecast(history: Sequence[float], horizon: int, *, season: int = 7) -> Forecast:
    """Forecast ``horizon`` days from daily demand, oldest first, zero days included."""
    if horizon < 0:
        raise ValueError(f"horizon must be 0 or more days, got {horizon}")
    if season < 1:
        raise ValueError(f"season must be 1 day or more, got {season}")
    demand, notes = _clean(history)
    days = len(demand)

    def flat(method: str, rate: float, sigma: float, params: dict | None = None) -> Forecast:
        return Forecast(method, [rate] * horizon, rate, sigma, params or {}, notes)

    if not any(demand):
        return flat("none", 0.0, 0.0)
    if max(demand) == min(demand):
        return flat("constant", demand[0], 0.0)
    if days < 3:
        return flat("constant", fmean(demand), pstdev(demand))
    adi = days / sum(1 for value in demand if value > 0)
    if adi >= INTERMITTENT_ADI:
        alpha = min(_CROSTON_ALPHAS, key=lambda a: _sse(_croston(demand, a)[1]))
        rate, errors = _croston(demand, alpha)
        sigma = _rms(errors) if errors else pstdev(demand)
        return flat("croston", rate, sigma, {"alpha": alpha, "adi": adi, "sba": 1 - alpha / 2})
    ses_alpha = _fit_ses(demand)
    level, errors = _ses(demand, ses_alpha)
    if season > 1 and days >= 3 * season:
        alpha, gamma = _fit_holt_winters(demand, season)
        hw_level, profile, hw_errors = _holt_winters(demand, season, alpha, gamma)
        # Parameter counts: SES has alpha and a start level; Holt-Winters adds gamma and
        # season - 1 free offsets (they sum to zero).
        if _aicc(hw_errors, season + 2) < _aicc(errors, 2):
            ahead = _seasonal_days(hw_level, profile, days, max(horizon, season))
            rate, sigma = fmean(ahead[:season]), _rms(hw_errors)
            params = {"alpha": alpha, "gamma": gamma, "season": season}
            return Forecast("holt_winters", ahead[:horizon], rate, sigma, params, notes)
    return flat("ses", level, _rms(errors), {"alpha": ses_alpha})


def accuracy(history: Sequence[float], *, holdout: int = 28, season: int = 7) -> Accuracy:
    """Fit on all but the last days, forecast them, and score the forecast against them.

    The hold-out shrinks to a third of the history so most of it stays for fitting; under
    14 days there is too little to judge and every result is None.
    """
    if holdout < 1:
        raise ValueError(f"holdout must be 1 day or more, got {holdout}")
    demand, _ = _clean(history)
    if len(demand) < MIN_ACCURACY_DAYS:
        return Accuracy(None, 0, None, None)
    days = min(holdout, len(demand) // 3)
    train, actual = demand[:-days], demand[-days:]
    predicted = forecast(train, days, season=season)
    errors = [abs(a - f) for a, f in zip(actual, predicted.daily, strict=True)]
    # MASE scale: the naive forecast's in-sample error, seasonal when two seasons allow it.
    lag = season if season > 1 and len(train) >= 2 * season else 1
    scale = fmean(abs(train[t] - train[t - lag]) for t in range(lag, len(train)))
    mase = fmean(errors) / scale if scale > 0 else None
    ratios = [e / a for e, a in zip(errors, actual, strict=True) if a > 0]
    mape = 100 * fmean(ratios) if ratios else None
    return Accuracy(predicted.method, days, mase, mape, predicted.daily)


def safety_stock(sigma_daily: float, lead_time_days: float, service_level: float) -> float:
    """Stock that covers demand noise over the lead time at the chosen cycle service level.

    z x sigma x sqrt(lead time): daily errors are taken as independent, so their variance
    adds up over the lead time.
    """
    if not 0.5 < service_level <= 0.9999:
        raise ValueError(f"service level must be above 0.5 and at most 0.9999, got {service_level}")
    if lead_time_days < 0:
        raise ValueError(f"lead time must be 0 or more days, got {lead_time_days}")
    if sigma_daily < 0:
        raise ValueError(f"daily sigma must be 0 or more, got {sigma_daily}")
    z = NormalDist().inv_cdf(service_level)
    return z * sigma_daily * math.sqrt(lead_time_days)


def reorder_point(level: float, lead_time_days: float, safety: float) -> float:
    """Order when stock falls to what the lead time will consume, plus the safety stock."""
    return level * lead_time_days + safety


def suggested_order(
    available: float,
    on_order: float,
    reorder_point: float,
    level: float,
    review_days: float = 7,
    pack: float | None = None,
) -> float:
    """Quantity to order now: up to the reorder point plus one review period of demand.

    Nothing while stock plus open orders stay above the reorder point. Rounded up to whole
    units, then to whole packs, because ordering short is the costlier mistake.
    """
    if pack is not None and pack <= 0:
        raise ValueError(f"pack must be more than 0, got {pack}")
    position = available + on_order
    if position > reorder_point:
        return 0.0
    shortfall = reorder_point + level * review_days - position
    units = math.ceil(shortfall - 1e-9)  # 12.000000001 from float sums is still 12
    if pack:
        units = math.ceil(units / pack - 1e-9) * pack
    return float(max(units, 0))


def _clean(history: Sequence[float]) -> tuple[list[float], list[str]]:
    """Clip negative days (returns netted against sales) to zero: demand is never negative."""
    demand = [float(value) for value in history]
    negative = sum(1 for value in demand if value < 0)
    notes = [f"{negative} negative day(s), net returns, counted as 0"] if negative else []
    return [max(value, 0.0) for value in demand], notes


def _sse(errors: list[float]) -> float:
    return sum(e * e for e in errors)


def _rms(errors: list[float]) -> float:
    # Root mean square rather than std: a biased forecast should not look precise.
    return math.sqrt(_sse(errors) / len(errors)) if errors else 0.0


def _ses(demand: list[float], alpha: float) -> tuple[float, list[float]]:
    level = fmean(demand[:_START_DAYS])
    errors = []
    for value in demand:
        errors.append(value - level)
        level += alpha * (value - level)
    return level, errors


def _fit_ses(demand: list[float]) -> float:
    return min(_ALPHAS, key=lambda a: _sse(_ses(demand, a)[1]))


def _holt_winters(
    demand: list[float], season: int, alpha: float, gamma: float
) -> tuple[float, list[float], list[float]]:
    """Additive level + season; profile[p] is the offset of days with t % season == p."""
    start = demand[: 2 * season]  # two seasons so one odd day does not set the profile
    level = fmean(start)
    profile = [fmean(start[p::season]) - level for p in range(season)]
    errors = []
    for t, value in enumerate(demand):
        p = t % season
        errors.append(value - level - profile[p])
        new_level = alpha * (value - profile[p]) + (1 - alpha) * level
        profile[p] = gamma * (value - new_level) + (1 - gamma) * profile[p]
        level = new_level
    return level, profile, errors


def _fit_holt_winters(demand: list[float], season: int) -> tuple[float, float]:
    grid = [(a, g) for a in _ALPHAS for g in _GAMMAS]
    return min(grid, key=lambda ag: _sse(_holt_winters(demand, season, *ag)[2]))


def _seasonal_days(level: float, profile: list[float], start: int, count: int) -> list[float]:
    season = len(profile)
    return [max(0.0, level + profile[(start + h) % season]) for h in range(count)]


def _aicc(errors: list[float], parameters: int) -> float:
    """Small-sample AIC of one-step errors, lower is better: misfit plus a price per parameter."""
    n = len(errors)
    fit = n * math.log(max(_sse(errors) / n, 1e-12))  # floor: a perfect fit has no log
    return fit + 2 * parameters + 2 * parameters * (parameters + 1) / (n - parameters - 1)


def _croston(demand: list[float], alpha: float) -> tuple[float, list[float]]:
    """SBA-corrected Croston rate and the one-step errors after the first demand."""
    bias = 1 - alpha / 2
    first = next(t for t, value in enumerate(demand) if value > 0)
    size, interval = demand[first], float(first + 1)  # the first interval counts from day 0
    since, errors = 0, []
    for value in demand[first + 1 :]:
        since += 1
        errors.append(value - bias * size / interval)
        if value > 0:
            size += alpha * (value - size)
            interval += alpha * (since - interval)
            since = 0
    return bias * size / interval, errors
