import { api } from '../lib/api.js'

export const listWarehouses = (query) => api.get('/warehouses', query)
export const getWarehouse = (id) => api.get(`/warehouses/${id}`)
export const createWarehouse = (warehouse) => api.post('/warehouses', warehouse)
export const updateWarehouse = (id, changes) => api.patch(`/warehouses/${id}`, changes)

export const listLocations = (warehouseId, query) => api.get(`/warehouses/${warehouseId}/locations`, query)
export const createLocation = (warehouseId, location) =>
  api.post(`/warehouses/${warehouseId}/locations`, location)
export const updateLocation = (warehouseId, id, changes) =>
  api.patch(`/warehouses/${warehouseId}/locations/${id}`, changes)
