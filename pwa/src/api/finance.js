import { api } from '../lib/api.js'

export const BILL_STATES = ['draft', 'posted', 'paid', 'cancelled']
export const PAYMENT_METHODS = ['bank', 'cash', 'alipay', 'wechat', 'other']
/** Which state actions each bill state allows (the server decides; this only hides buttons). */
export const BILL_ACTIONS = { post: ['draft'], cancel: ['draft'] }

// --- supplier bills --------------------------------------------------------------------------
export const listBills = (query) => api.get('/supplier-bills', query)
/** Every posted bill of a supplier (those with something open), oldest due first. */
export async function openBills(supplierId) {
  const bills = []
  for (let page = 1; ; page += 1) {
    const found = await listBills({ supplier_id: supplierId, state: 'posted', sort: 'due_date,bill_date,id', per_page: 100, page })
    bills.push(...found.items)
    if (bills.length >= found.total || !found.items.length) return bills
  }
}
export const getBill = (id) => api.get(`/supplier-bills/${id}`)
/** {supplier, items}: the supplier's receipt lines with something left to bill, oldest first. */
export const billableLines = (supplierId) => api.get('/supplier-bills/billable', { supplier_id: supplierId })
export const createBill = (bill) => api.post('/supplier-bills', bill)
/** action: 'post' | 'cancel'. */
export const transitionBill = (id, action) => api.post(`/supplier-bills/${id}/${action}`)

// --- supplier payments -----------------------------------------------------------------------
export const listPayments = (query) => api.get('/supplier-payments', query)
export const getPayment = (id) => api.get(`/supplier-payments/${id}`)
export const createPayment = (payment) => api.post('/supplier-payments', payment)
/** Allocate what is left of a payment: {allocations: [{bill_id, amount}]}. */
export const allocatePayment = (id, body) => api.post(`/supplier-payments/${id}/allocate`, body)

// --- payables --------------------------------------------------------------------------------
export const listPayables = (query) => api.get('/payables', query)
export const payablesAgeing = (query) => api.get('/payables/ageing', query)
/** {supplier, from, to, opening, entries, totals}; from/to default to this month. */
export const supplierStatement = (supplierId, query) => api.get(`/suppliers/${supplierId}/statement`, query)

/** A plain link to the statement as a file (fmt 'xlsx' | 'pdf'): the session cookie goes along. */
export function statementFileUrl(supplierId, fmt, { from, to, lang }) {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries({ from, to, lang })) if (value) params.set(key, value)
  return `/api/v1/suppliers/${supplierId}/statement.${fmt}?${params}`
}
