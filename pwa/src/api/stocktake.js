import { api } from '../lib/api.js'

// Stocktakes (盘点): a document counted by several people at once, reviewed and posted.
export const ST_STATES = ['draft', 'counting', 'review', 'posted', 'cancelled']

/** Which actions each state allows (the server decides; this only hides buttons). */
export const ST_ACTIONS = {
  start: ['draft'],
  submit: ['counting'],
  approve: ['review'],
  cancel: ['draft', 'counting', 'review'],
}

export const listStocktakes = (query) => api.get('/stocktakes', query)
export const getStocktake = (id) => api.get(`/stocktakes/${id}`)
export const createStocktake = (body) => api.post('/stocktakes', body)
export const stocktakeAction = (id, action, body = {}) => api.post(`/stocktakes/${id}/${action}`, body)
export const requestRecount = (id, lineIds, note = '') => api.post(`/stocktakes/${id}/recount`, { line_ids: lineIds, note })
export const stocktakeLines = (id, query) => api.get(`/stocktakes/${id}/lines`, query)
export const stocktakeProgress = (id) => api.get(`/stocktakes/${id}/progress`)
export const stocktakeVariances = (id, query) => api.get(`/stocktakes/${id}/variances`, query)
/** Counts go through the outbox (offline too), so only the path lives here. */
export const countsPath = (id) => `/stocktakes/${id}/counts`
export const COUNTS_PATH = /^\/stocktakes\/(\d+)\/counts$/
/** The variance report as .xlsx or PDF, in 'zh-CN' or 'en'; the session cookie goes along. */
export const varianceReportUrl = (id, format, lang) => `/api/v1/stocktakes/${id}/variances.${format}?lang=${encodeURIComponent(lang)}`
