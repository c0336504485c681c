import { api } from '../lib/api.js'

export const PO_STATES = ['draft', 'approved', 'partially_received', 'received', 'closed', 'cancelled']
/** Goods are received only against these. */
export const RECEIVABLE_STATES = ['approved', 'partially_received']

export const listOrders = (query) => api.get('/purchase-orders', query)
export const getOrder = (id) => api.get(`/purchase-orders/${id}`)
export const orderHistory = (id) => api.get(`/purchase-orders/${id}/history`)
export const orderReceipts = (id) => api.get(`/purchase-orders/${id}/receipts`)
/** Receipts are posted through the outbox, so only the path lives here. */
export const receiptsPath = (id) => `/purchase-orders/${id}/receipts`
export const createOrder = (order) => api.post('/purchase-orders', order)
export const updateOrder = (id, changes) => api.patch(`/purchase-orders/${id}`, changes)
/** action: 'approve' | 'cancel' | 'close'. */
export const transitionOrder = (id, action, note = '') => api.post(`/purchase-orders/${id}/${action}`, { note })
/** Which state actions each state allows (the server decides; this only hides buttons). */
export const ORDER_ACTIONS = {
  approve: ['draft'],
  cancel: ['draft', 'approved'],
  close: ['partially_received', 'received'],
}

/**
 * Products below their reorder point in a warehouse, grouped by supplier; basis 'forecast'
 * takes the reorder point and max level from the demand forecast instead of the fixed ones.
 */
export const reorderSuggestions = (warehouseId, basis = 'fixed') =>
  api.get('/purchasing/reorder-suggestions', { warehouse_id: warehouseId, basis })
/** {warehouse_id, lines: [{product_id, qty, supplier_id}]} → {orders}: one draft per supplier. */
export const createReorderDrafts = (body) => api.post('/purchasing/reorder-suggestions', body)
