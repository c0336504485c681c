import { api } from '../lib/api.js'

// Reports (报表): a catalogue of what the caller may read, and one endpoint per report that
// filters, sorts, pages and totals the same way for all of them.

/** {items: [{name, title: {'zh-CN', en}, description, columns, filters}]} */
export const listReports = () => api.get('/reports')

/** One page: {report, items, totals, total, page, per_page, notes}. */
export const getReport = (name, query) => api.get(`/reports/${encodeURIComponent(name)}`, query)

/** The whole result as .xlsx or .csv (headers in `lang`); a plain link, the session cookie goes along. */
export function reportFileUrl(name, query, format, lang) {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, value)
  }
  params.set('format', format)
  params.set('lang', lang)
  return `/api/v1/reports/${encodeURIComponent(name)}?${params}`
}
