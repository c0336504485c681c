import { api } from '../lib/api.js'

export const health = () => api.get('/health')
