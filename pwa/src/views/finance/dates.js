// Calendar dates as the API's YYYY-MM-DD, in the device's own time zone (a bill dated
// "today" is today where the user is, not in UTC).

const pad = (n) => String(n).padStart(2, '0')

/** A Date as "YYYY-MM-DD" by its local calendar day. */
export const isoDate = (date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`

export const today = () => isoDate(new Date())

/** "YYYY-MM-DD" → ['YYYY', 'MM', 'DD'] for a van-date-picker. */
export const pickerValue = (iso) => (iso || today()).split('-')

/** The statement's quick periods, each {key, from, to}, relative to `now`. */
export function periodPresets(now = new Date()) {
  const y = now.getFullYear()
  const m = now.getMonth()
  const day = (year, month, d) => isoDate(new Date(year, month, d))
  return [
    { key: 'thisMonth', from: day(y, m, 1), to: isoDate(now) },
    { key: 'lastMonth', from: day(y, m - 1, 1), to: day(y, m, 0) },
    { key: 'thisQuarter', from: day(y, m - (m % 3), 1), to: isoDate(now) },
    { key: 'thisYear', from: day(y, 0, 1), to: isoDate(now) },
    { key: 'lastYear', from: day(y - 1, 0, 1), to: day(y - 1, 11, 31) },
  ]
}

/** "YYYY-MM-DD" plus `days` calendar days, as "YYYY-MM-DD". */
export function addDays(iso, days) {
  const [y, m, d] = iso.split('-').map(Number)
  return isoDate(new Date(y, m - 1, d + days))
}
