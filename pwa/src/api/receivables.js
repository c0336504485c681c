import { api } from '../lib/api.js'

// Receivables (应收): customer invoices made from shipments, receipts of money and their
// allocation, the balances, their ageing and the customer statement.
export const INVOICE_STATES = ['posted', 'paid']
/** The order states that may have shipments left to invoice. */
export const INVOICEABLE_ORDER_STATES = ['partially_shipped', 'shipped']

// --- customer invoices ------------------------------------------------------------------------
export const listInvoices = (query) => api.get('/customer-invoices', query)
/** Every posted invoice of a customer (those with something open), oldest due first. */
export async function openInvoices(customerId) {
  const invoices = []
  for (let page = 1; ; page += 1) {
    const found = await listInvoices({ customer_id: customerId, state: 'posted', sort: 'due_date,invoice_date,id', per_page: 100, page })
    invoices.push(...found.items)
    if (invoices.length >= found.total || !found.items.length) return invoices
  }
}
export const getInvoice = (id) => api.get(`/customer-invoices/${id}`)
/** Invoice what an order's shipments (all, or `shipment_ids`) sent and nobody billed yet. */
export const invoiceOrder = (orderId, body) => api.post(`/sales-orders/${orderId}/invoices`, body)

/** Orders that may have something left to invoice (shipped in part or in full), newest first. */
export async function invoiceableOrders(q) {
  const pages = await Promise.all(
    INVOICEABLE_ORDER_STATES.map((state) => api.get('/sales-orders', { state, q, per_page: 50 })),
  )
  return pages
    .flatMap((page) => page.items)
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id)
}
export const getSalesOrder = (id) => api.get(`/sales-orders/${id}`)
export const salesOrderShipments = (id) => api.get(`/sales-orders/${id}/shipments`)

// --- customer receipts ------------------------------------------------------------------------
export const listReceipts = (query) => api.get('/customer-receipts', query)
export const getReceipt = (id) => api.get(`/customer-receipts/${id}`)
export const createReceipt = (receipt) => api.post('/customer-receipts', receipt)
/** Allocate what is left of a receipt: {allocations: [{invoice_id, amount}]}. */
export const allocateReceipt = (id, body) => api.post(`/customer-receipts/${id}/allocate`, body)

// --- receivables ------------------------------------------------------------------------------
export const listReceivables = (query) => api.get('/receivables', query)
export const receivablesAgeing = (query) => api.get('/receivables/ageing', query)
/** {customer, from, to, opening, entries, totals}; from/to default to this month. */
export const customerStatement = (customerId, query) => api.get(`/customers/${customerId}/statement`, query)

/** A plain link to the statement as a file (fmt 'xlsx' | 'pdf'): the session cookie goes along. */
export function customerStatementFileUrl(customerId, fmt, query) {
  const params = new URLSearchParams(Object.entries(query).filter(([, value]) => value))
  return `/api/v1/customers/${customerId}/statement.${fmt}?${params}`
}
