import { api } from '../lib/api.js'

export const listWarehouses = (query) => api.get('/warehouses', query)
