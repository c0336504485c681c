import { api } from '../lib/api.js'

export const listAudit = (query) => api.get('/audit', query)
