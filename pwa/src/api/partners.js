import { api } from '../lib/api.js'

// kind: 'suppliers' | 'customers' — the two share one shape of endpoints.
export const listPartners = (kind, query) => api.get(`/${kind}`, query)
export const getPartner = (kind, id) => api.get(`/${kind}/${id}`)
export const createPartner = (kind, partner) => api.post(`/${kind}`, partner)
export const updatePartner = (kind, id, changes) => api.patch(`/${kind}/${id}`, changes)
