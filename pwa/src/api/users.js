import { api } from '../lib/api.js'

export const listUsers = (query) => api.get('/users', query)
export const getUser = (id) => api.get(`/users/${id}`)
export const createUser = (user) => api.post('/users', user)
export const updateUser = (id, changes) => api.patch(`/users/${id}`, changes)
