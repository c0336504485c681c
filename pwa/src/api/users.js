import { http } from '@/lib/api'

export const listUsers = (query) => http.get('/users', { query })
export const getUser = (id) => http.get(`/users/${id}`)
export const createUser = (user) => http.post('/users', user)
// `changes` must carry the `version` that was loaded; a stale one answers 409.
export const updateUser = (id, changes) => http.patch(`/users/${id}`, changes)

export const listRoles = () => http.get('/roles')
