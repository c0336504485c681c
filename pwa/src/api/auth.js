import { api } from '../lib/api.js'

export const login = (username, password) => api.post('/auth/login', { username, password })
export const logout = () => api.post('/auth/logout')
export const me = () => api.get('/auth/me')
export const listTokens = (query) => api.get('/auth/tokens', query)
export const createToken = (name) => api.post('/auth/tokens', { name })
export const revokeToken = (id) => api.delete(`/auth/tokens/${id}`)
export const listRoles = () => api.get('/roles')
