// What every report screen shares: the catalogue (once per user), its groups, reading a
// column out of an item, showing a value by its kind, and the filters' defaults.
import { onBeforeUnmount, ref } from 'vue'
import { listReports } from '../../api/reports.js'
import { i18n } from '../../i18n/index.js'
import { formatDateTime } from '../../lib/format.js'

// --- the catalogue ---------------------------------------------------------------------------

let cached = { user: undefined, promise: null }

/** The reports this user may read ({name, title, description, columns, filters}), fetched
 * once per user and page load (a failed load is tried again next time). */
export function loadCatalogue(user) {
  if (cached.user !== user || !cached.promise) {
    const promise = listReports().then((page) => page.items)
    promise.catch(() => {
      if (cached.promise === promise) cached.promise = null
    })
    cached = { user, promise }
  }
  return cached.promise
}

// The catalogue's sections, in this order; a report not named here goes under "other".
export const REPORT_GROUPS = [
  {
    key: 'stock',
    icon: 'label-o',
    names: ['stock-balance', 'stock-ledger', 'inout-summary', 'dead-stock', 'stock-ageing', 'expiry', 'replenishment'],
  },
  { key: 'trade', icon: 'chart-trending-o', names: ['gross-margin', 'top-sellers', 'sales-summary', 'purchase-summary'] },
  { key: 'finance', icon: 'balance-o', names: ['receivable-ageing', 'payable-ageing'] },
]

/** [{key, icon, reports}] for the sections that have any, known reports in the set order. */
export function groupReports(reports) {
  const known = new Set(REPORT_GROUPS.flatMap((group) => group.names))
  const groups = REPORT_GROUPS.map((group) => ({
    ...group,
    reports: group.names.map((name) => reports.find((r) => r.name === name)).filter(Boolean),
  }))
  groups.push({ key: 'other', icon: 'apps-o', reports: reports.filter((r) => !known.has(r.name)) })
  return groups.filter((group) => group.reports.length)
}

/** "stock-balance" → "stockBalance" (a message key). */
export const camel = (name) => name.replace(/[-_]+(\w)/g, (_, letter) => letter.toUpperCase())

/** A report's one-line description: ours in the current language, else the server's. */
export function describeReport(report) {
  const { t, te } = i18n.global
  const key = `reports.descriptions.${camel(report.name)}`
  return te(key) ? t(key) : String(report.description || '').replace(/`/g, '')
}

/** The catalogue's text in the current language ({"zh-CN", en}), else the other one. */
export const inLocale = (words, locale) => words?.[locale] ?? words?.en ?? words?.['zh-CN'] ?? ''

// --- columns and values ----------------------------------------------------------------------

/** Figures (qty, money, unit_cost, percent, count, flag, and kinds yet to come) are
 * right-aligned, a label/value pair on a card; text, dates and ids are not. */
const NOT_FIGURES = new Set(['id', 'text', 'date', 'datetime'])
export const isFigure = (column) => !NOT_FIGURES.has(column.kind)
/** A column inside a breakdown ("in_by_kind.sale.qty"). */
export const isNested = (column) => column.key.includes('.')

/** item["a.b.c"] as item.a.b.c. */
export function valueAt(item, key) {
  let value = item
  for (const part of key.split('.')) value = value && typeof value === 'object' ? value[part] : undefined
  return value
}

/** A value as text by its column's kind; '' for none. Decimals are shown as the server sends them. */
export function showValue(column, value) {
  if (value === null || value === undefined || value === '') return ''
  switch (column.kind) {
    case 'percent':
      return `${value}%`
    case 'datetime':
      return formatDateTime(value)
    case 'flag':
      return value ? '✓' : ''
    default:
      return String(value)
  }
}

/** "on_hand" / "-on_hand" → {key, desc}; only the first key of a comma list. */
export function parseSort(sort) {
  const first = String(sort || '').split(',')[0].trim()
  if (!first) return null
  return first.startsWith('-') ? { key: first.slice(1), desc: true } : { key: first, desc: false }
}

// --- filters ---------------------------------------------------------------------------------

const pad = (n) => String(n).padStart(2, '0')
/** A local date as the API's "YYYY-MM-DD". */
export const isoDate = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`

/** The current month, first to last day. */
export function currentMonth(now = new Date()) {
  return {
    from: isoDate(new Date(now.getFullYear(), now.getMonth(), 1)),
    to: isoDate(new Date(now.getFullYear(), now.getMonth() + 1, 0)),
  }
}

/** What a required filter starts as when the link does not say: a period is this month. */
export function requiredDefaults(filters) {
  const month = currentMonth()
  const defaults = {}
  for (const f of filters) {
    if (!f.required) continue
    if (f.name in month) defaults[f.name] = month[f.name]
    else if (f.type === 'date') defaults[f.name] = isoDate(new Date())
    else if (f.default !== null && f.default !== undefined) defaults[f.name] = String(f.default)
  }
  return defaults
}

/** A filter's value when the link does not give one: the server's default, as a string. */
export function serverDefault(filter) {
  return filter.default === null || filter.default === undefined ? '' : String(filter.default)
}

/** The filters in the order a person sets them: the period first, then the rest as listed. */
export function orderedFilters(filters) {
  const rank = (f) => (f.type === 'date' ? 0 : 1)
  return filters.map((f, index) => ({ f, index })).sort((a, b) => rank(a.f) - rank(b.f) || a.index - b.index).map(({ f }) => f)
}

/** The filters a route query holds for this report (strings, empty ones left out). */
export function filtersFromQuery(report, query) {
  const values = {}
  for (const f of report.filters) {
    const value = query[f.name]
    if (typeof value === 'string' && value !== '') values[f.name] = value
  }
  return values
}

// --- the screen's width ----------------------------------------------------------------------

/** True while the window is at least `px` wide (a tablet or a desktop). */
export function useMinWidth(px) {
  const query = window.matchMedia(`(min-width: ${px}px)`)
  const matches = ref(query.matches)
  const update = (event) => {
    matches.value = event.matches
  }
  query.addEventListener('change', update)
  onBeforeUnmount(() => query.removeEventListener('change', update))
  return matches
}
