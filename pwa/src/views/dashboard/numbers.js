// Figures for people on a small screen, in the user's language: the API's decimal strings
// are only read here (display), never added up.
import { i18n } from '../../i18n/index.js'

const locale = () => i18n.global.locale.value

const toNumber = (value) => {
  if (value === null || value === undefined || value === '') return null
  const n = Number(value)
  return Number.isFinite(n) ? n : null
}

/** 12345 → "1.2万" (zh-CN) / "12.3K" (en): for axes and chart labels. */
export function compact(value) {
  const n = toNumber(value)
  if (n === null) return '—'
  return new Intl.NumberFormat(locale(), { notation: 'compact', maximumFractionDigits: 1 }).format(n)
}

/**
 * Money for a tile: grouped, cents while small, whole from 10,000, compact from 10 million,
 * so the figure fits half a phone's width.
 */
export function amount(value) {
  const n = toNumber(value)
  if (n === null) return '—'
  if (Math.abs(n) >= 1e7) return compact(n)
  const digits = Math.abs(n) >= 1e4 ? 0 : 2
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n)
}

/** A quantity or rate as sent, grouped, at most `digits` decimals ("2.350" → "2.35"). */
export function quantity(value, digits = 2) {
  const n = toNumber(value)
  if (n === null) return '—'
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n)
}

/** A percentage string ("12.50") with its sign arrow: {text: "↑ 12.5%", dir: 1}. */
export function change(pct) {
  const n = toNumber(pct)
  if (n === null) return null
  const dir = n > 0 ? 1 : n < 0 ? -1 : 0
  const arrow = dir > 0 ? '↑' : dir < 0 ? '↓' : '→'
  return { text: `${arrow} ${quantity(Math.abs(n), 1)}%`, dir }
}

/** "2026-11-05" → "11/5" (short day label for an axis, in the user's language). */
export function shortDay(iso) {
  const [y, m, d] = String(iso).slice(0, 10).split('-').map(Number)
  return new Intl.DateTimeFormat(locale(), { month: 'numeric', day: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  )
}

/** "2026-11-05" → "Thu, Nov 5" for tooltips. */
export function longDay(iso) {
  const [y, m, d] = String(iso).slice(0, 10).split('-').map(Number)
  return new Intl.DateTimeFormat(locale(), { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  )
}

export { toNumber }
