import { http } from '@/lib/api'

export const listWarehouses = (query) => http.get('/warehouses', { query })
