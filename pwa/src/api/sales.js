import { api } from '../lib/api.js'

// Sales orders and what the salesperson's device keeps for offline order taking.
export const SO_STATES = ['draft', 'on_hold', 'confirmed', 'partially_shipped', 'shipped', 'completed', 'cancelled']

/** Writes go through the outbox, so only their paths live here. */
export const ORDERS_PATH = '/sales-orders'
export const orderActionPath = (id, action) => `/sales-orders/${id}/${action}`

/** Which state actions each state allows (the server decides; this only hides buttons). */
export const ORDER_ACTIONS = {
  confirm: ['draft'],
  hold: ['draft', 'confirmed'],
  release: ['on_hold'],
  cancel: ['draft', 'on_hold', 'confirmed'],
}

export const listOrders = (query) => api.get('/sales-orders', query)
export const getOrder = (id) => api.get(`/sales-orders/${id}`)
export const orderHistory = (id) => api.get(`/sales-orders/${id}/history`)
export const orderShipments = (id) => api.get(`/sales-orders/${id}/shipments`)
/** The order a device made under this client id, or null (also when the server has none yet). */
export const orderByClientId = async (clientId) => (await listOrders({ client_id: clientId, per_page: 1 })).items[0] || null

// Delta sync: records changed at or after `updated_since`, oldest change first.
export const customersSince = (query) => api.get('/customers', query)
export const productsSince = (query) => api.get('/products', query)
/** Availability per product in one warehouse. */
export const warehouseBalances = (warehouseId, page) =>
  api.get('/stock/balances', { by: 'warehouse', warehouse_id: warehouseId, per_page: 100, page })
export const warehouses = () => api.get('/warehouses', { active: true, per_page: 100 })
