import { http } from '@/lib/api'

export const listAuditEntries = (query) => http.get('/audit', { query })
