import { api } from '../lib/api.js'

/** Orders the floor ships from: confirmed ones and those shipped in part. */
export const SHIPPABLE_STATES = ['confirmed', 'partially_shipped']

export const listOrders = (query) => api.get('/sales-orders', query)
export const getOrder = (id) => api.get(`/sales-orders/${id}`)
/** What is left of each line and where to take it from (first expiry first out). */
export const getPickList = (id) => api.get(`/sales-orders/${id}/pick-list`)
export const orderShipments = (id) => api.get(`/sales-orders/${id}/shipments`)
export const getShipment = (id) => api.get(`/shipments/${id}`)
/** Shipments are posted through the outbox, so only the path lives here. */
export const shipmentsPath = (orderId) => `/sales-orders/${orderId}/shipments`
export const SHIPMENTS_PATH = /^\/sales-orders\/(\d+)\/shipments$/

/** The delivery note (送货单) PDF, in 'zh-CN' or 'en'; the session cookie goes along. */
export const deliveryNoteUrl = (shipmentId, lang) =>
  `/api/v1/shipments/${shipmentId}/delivery-note.pdf?lang=${encodeURIComponent(lang)}`

/** Goods a customer sends back against a shipment: posted through the outbox too. */
export const returnsPath = (shipmentId) => `/shipments/${shipmentId}/returns`
export const RETURNS_PATH = /^\/shipments\/(\d+)\/returns$/
export const shipmentReturns = (shipmentId) => api.get(returnsPath(shipmentId))
