import { http } from '@/lib/api'

export const fetchHealth = () => http.get('/health', { skipAuthRedirect: true })
