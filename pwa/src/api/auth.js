import { http } from '@/lib/api'

// Both expect 401 as a normal answer, so they never trigger the global login redirect.
export const login = (username, password) =>
  http.post('/auth/login', { username, password }, { skipAuthRedirect: true })
export const fetchMe = () => http.get('/auth/me', { skipAuthRedirect: true })
export const logout = () => http.post('/auth/logout', undefined, { skipAuthRedirect: true })

export const listTokens = (query) => http.get('/auth/tokens', { query })
export const createToken = (name) => http.post('/auth/tokens', { name })
export const revokeToken = (id) => http.delete(`/auth/tokens/${id}`)
