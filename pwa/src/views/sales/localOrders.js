// Orders taken on this device. Each gets a client id (a UUID) before it is sent: the
// server makes one order per client id however often it is sent, and the outbox sends it
// with one Idempotency-Key until it lands. The record is kept in IndexedDB from the tap on
// "Submit" on, so an order taken offline survives reloads and restarts, and says where it
// is: sending → pending (in the outbox) → landed (on the server), or rejected.
// A confirm asked for at submit time is a second outbox write, made once the order has
// landed (its path needs the server's id).
import { effectScope, reactive, watch } from 'vue'
import { i18n } from '../../i18n/index.js'
import { ApiError } from '../../lib/api.js'
import { newIdempotencyKey } from '../../lib/ids.js'
import * as outboxLib from '../../lib/outbox.js'
import { orderActionPath, orderByClientId, ORDERS_PATH } from '../../api/sales.js'
import { useAppStore } from '../../stores/app.js'
import { useAuthStore } from '../../stores/auth.js'
import { useOutboxStore } from '../../stores/outbox.js'
import { productOf } from './catalog.js'
import { salesDb, STORES } from './db.js'
import { minimumPrice, showPrice } from './pricing.js'
import { showQty } from '../stock/quantity.js'

export const KIND_CREATE = 'sales-order'
export const KIND_CONFIRM = 'sales-order-confirm'
const KEEP_LANDED_DAYS = 30

/** The orders of this device, newest first, as the screens see them. */
export const local = reactive({ userId: null, orders: [], version: 0 })

const sending = new Set() // client ids whose first send is in flight in this tab
const confirming = new Set() // client ids whose confirm is in flight in this tab

const userId = () => useAuthStore().user?.id

/** The problem as plain data, fit for IndexedDB (an Error object is not). */
export function problemOf(error) {
  if (!(error instanceof ApiError)) return { status: 0, detail: String(error?.message || error) }
  const { status, type, title, detail, errors, network } = error
  return { ...(error.body || {}), status, type, title, detail, errors, network }
}

/** A brief of a server order for the list: what a row shows. */
export function orderBrief(order) {
  const { id, number, client_id, state, hold_reason, customer, warehouse, totals, line_count, created_at, updated_at } = order
  return { id, number, client_id, state, hold_reason, customer, warehouse, totals, line_count: line_count ?? order.lines?.length, created_at, updated_at }
}

async function store() {
  return salesDb(userId())
}

export async function reloadLocal() {
  const id = userId()
  if (!id) return
  const all = await (await store()).getAll(STORES.orders)
  local.userId = id
  local.orders = all.sort((a, b) => (a.created_at < b.created_at ? 1 : -1))
  local.version += 1
}

async function put(record) {
  await (await store()).put(STORES.orders, JSON.parse(JSON.stringify(record)))
}

async function save(record) {
  await put(record)
  await reloadLocal()
}

export async function getLocal(clientId) {
  return (await store()).get(STORES.orders, clientId)
}

export const localByClientId = (clientId) => local.orders.find((o) => o.client_id === clientId) || null

function summaryOf(view) {
  const { t } = i18n.global
  return [t('sales.outboxSummary'), `${view.customer.code} ${view.customer.name}`, t('scan.lineCount', view.lines.length)].join(' · ')
}

function landed(record, order) {
  Object.assign(record, { state: 'landed', problem: null, order: orderBrief(order), landed_at: new Date().toISOString() })
}

/**
 * Send a new order (or a fixed one, with its old client id). body: the POST body without
 * client_id; view: what the screens show before the server has it. Returns
 * {queued, record, order?}; a refusal while the user is still on the form is thrown (the
 * ApiError), for the form to show on its fields.
 */
export async function submitOrder({ body, view, confirmWanted, clientId = null }) {
  const client_id = clientId || newIdempotencyKey()
  const record = {
    client_id,
    user_id: userId(),
    created_at: new Date().toISOString(),
    body: { client_id, ...body },
    view,
    confirm_wanted: !!confirmWanted,
    state: 'sending',
    idempotency_key: null,
    problem: null,
    order: null,
    confirm: null,
  }
  sending.add(client_id)
  await save(record)
  const outbox = useOutboxStore()
  try {
    const result = await outbox.send({
      method: 'POST',
      path: ORDERS_PATH,
      body: record.body,
      summary: summaryOf(view),
      draft: { kind: KIND_CREATE, client_id },
    })
    if (result.queued) {
      const entry = await outboxLib.getEntry(result.id)
      Object.assign(record, { state: 'pending', idempotency_key: entry?.key || null, problem: result.problem || null })
      await save(record)
      return { queued: true, record }
    }
    landed(record, result.data)
    await save(record)
    if (record.confirm_wanted) await confirmLanded(record)
    return { queued: false, record, order: result.data }
  } catch (error) {
    // A new order the server refuses stays on the form; a fixed one stays refused (with the
    // new reason) so that it is not lost if the user gives up on it.
    if (clientId) await save(Object.assign(record, { state: 'rejected', problem: problemOf(error), taken_back: true }))
    else await (await store()).delete(STORES.orders, client_id).then(reloadLocal)
    throw error
  } finally {
    sending.delete(client_id)
  }
}

/**
 * Confirm an order that has landed, through the outbox. Returns the outcome:
 * {queued} | {order} | {problem}; the record remembers it.
 */
export async function confirmLanded(record) {
  if (!record.order?.id || confirming.has(record.client_id)) return null
  confirming.add(record.client_id)
  record.confirm = { state: 'sending', problem: null }
  await save(record)
  const { t } = i18n.global
  let outcome
  try {
    const result = await useOutboxStore().send({
      method: 'POST',
      path: orderActionPath(record.order.id, 'confirm'),
      body: { note: '' },
      summary: `${t('sales.actions.confirm')} · ${record.order.number}`,
      draft: { kind: KIND_CONFIRM, client_id: record.client_id },
    })
    if (result.queued) {
      record.confirm = { state: 'pending', problem: null, queued: true }
      outcome = { queued: true }
    } else {
      record.confirm = { state: 'done', problem: null }
      record.order = orderBrief(result.data)
      outcome = { order: result.data }
    }
  } catch (error) {
    record.confirm = { state: 'rejected', problem: problemOf(error) }
    outcome = { problem: record.confirm.problem, error }
  } finally {
    confirming.delete(record.client_id)
  }
  await save(record)
  return outcome
}

// --- keeping the records in step with the outbox and the server ----------------------------

const entriesByClient = (entries, kind) =>
  new Map(entries.filter((e) => e.draft?.kind === kind && e.draft.client_id).map((e) => [e.draft.client_id, e]))

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

async function reconcileOnce() {
  const id = userId()
  if (!id) return
  await reloadLocal()
  const entries = await outboxLib.entriesOf(id).catch(() => [])
  const creates = entriesByClient(entries, KIND_CREATE)
  const confirms = entriesByClient(entries, KIND_CONFIRM)
  let reachable = true
  for (const original of local.orders) {
    if (sending.has(original.client_id) || confirming.has(original.client_id)) continue
    const record = JSON.parse(JSON.stringify(original))
    if (record.state !== 'landed') {
      const entry = creates.get(record.client_id)
      if (entry) {
        // Waiting or refused in the outbox (a "send again" there gives it a new key).
        Object.assign(record, { state: entry.state, problem: entry.problem || null, idempotency_key: entry.key })
      } else if (reachable) {
        // Not in the outbox any more: sent, or discarded there. The server knows which.
        try {
          const order = await orderByClientId(record.client_id)
          if (order) landed(record, order)
          // Taken back to be fixed on the form: it keeps the server's reason.
          else if (record.taken_back) Object.assign(record, { state: 'rejected' })
          else Object.assign(record, { state: 'rejected', problem: { lost: true } })
        } catch (error) {
          if (error.network) reachable = false
        }
      }
    }
    const confirm = record.confirm
    if (record.state === 'landed' && confirm && (['sending', 'pending'].includes(confirm.state) || (confirm.state === 'rejected' && confirm.queued))) {
      const entry = confirms.get(record.client_id)
      // Gone from the outbox: it went through (the server's list shows the state) or was dropped.
      record.confirm = entry ? { state: entry.state, problem: entry.problem || null, queued: true } : { state: 'done', problem: null }
    }
    if (!same(record, original)) {
      // Written only if nobody changed it meanwhile (a submit, a fix, another tab): theirs is newer.
      const current = await getLocal(record.client_id)
      if (!current || !same(current, original)) continue
      await put(record)
    }
    if (record.state === 'landed' && record.confirm_wanted && !record.confirm && reachable) await confirmLanded(record)
  }
  await prune()
  await reloadLocal()
}

async function prune() {
  const before = new Date(Date.now() - KEEP_LANDED_DAYS * 86400000).toISOString()
  const db = await store()
  for (const record of local.orders) {
    if (record.state === 'landed' && (record.landed_at || record.created_at) < before) await db.delete(STORES.orders, record.client_id)
  }
}

let running = null
let again = false

/** Bring every local order up to date (one run at a time; a call during a run runs once more after). */
export function reconcile() {
  if (running) {
    again = true
    return running
  }
  running = (async () => {
    try {
      do {
        again = false
        await reconcileOnce()
      } while (again)
    } catch {
      // IndexedDB unavailable: the screens show what they can
    } finally {
      running = null
    }
  })()
  return running
}

let scope = null

/** Start following the outbox (replays land orders) and the network. Safe to call often. */
export function startLocalOrders() {
  if (!scope) {
    scope = effectScope(true)
    scope.run(() => {
      const outbox = useOutboxStore()
      const app = useAppStore()
      const auth = useAuthStore()
      watch(() => outbox.entries, () => reconcile())
      watch(() => app.online, (online) => online && reconcile())
      watch(() => auth.user?.id, () => reconcile())
    })
  }
  return reconcile()
}

// --- what the user can do with a refused or stuck order ------------------------------------

async function outboxEntry(clientId, kind = KIND_CREATE) {
  const entries = await outboxLib.entriesOf(userId()).catch(() => [])
  return entries.find((e) => e.draft?.kind === kind && e.draft.client_id === clientId) || null
}

/** Send a refused (or lost) order once more, as it is. */
export async function resendOrder(clientId) {
  const record = await getLocal(clientId)
  if (!record) return
  const entry = await outboxEntry(clientId)
  const outbox = useOutboxStore()
  if (entry) {
    await outbox.sendAgain(entry.id)
  } else {
    Object.assign(record, { state: 'pending', problem: null })
    await save(record)
    try {
      const result = await outbox.send({ method: 'POST', path: ORDERS_PATH, body: record.body, summary: summaryOf(record.view), draft: { kind: KIND_CREATE, client_id: clientId } })
      if (!result.queued) landed(record, result.data)
    } catch (error) {
      Object.assign(record, { state: 'rejected', problem: problemOf(error) })
    }
    await save(record)
  }
  await reconcile()
}

/** Send a refused confirm again. */
export async function resendConfirm(clientId) {
  const entry = await outboxEntry(clientId, KIND_CONFIRM)
  if (entry) await useOutboxStore().sendAgain(entry.id)
  else {
    const record = await getLocal(clientId)
    if (record) await confirmLanded(record)
  }
  await reconcile()
}

/** Forget an order that never landed (and its waiting write). */
export async function discardOrder(clientId) {
  const entry = await outboxEntry(clientId)
  if (entry) await useOutboxStore().discard(entry.id)
  await (await store()).delete(STORES.orders, clientId)
  await reloadLocal()
}

/** Take a refused order back out of the outbox to fix it on the form: the record, with its problem. */
export async function takeBackForFix(clientId) {
  const record = await getLocal(clientId)
  // Only a refused order: one waiting or landed is not the form's to change.
  if (!record || record.state !== 'rejected') return null
  const entry = await outboxEntry(clientId)
  if (entry && entry.state !== 'rejected') return null
  // Out of the outbox from now on: left unfixed, it stays a refused order with its reason.
  record.taken_back = true
  if (entry?.problem) record.problem = entry.problem
  await save(record)
  if (entry) await useOutboxStore().takeBack(entry.id)
  return record
}

/**
 * One field's refusal in our words where we know the rule (a price below the product's
 * minimum, which the server words in English), else the server's reasons. `body` is the
 * request the refusal answers, to name the line's price and minimum.
 */
export function fieldReason(field, reasons, body) {
  const { t } = i18n.global
  const match = field.match(/^lines\.(\d+)\.unit_price$/)
  const line = match && body?.lines?.[Number(match[1])]
  const product = line && productOf(line.product_id)
  if (product && line.unit_price && reasons.some((r) => /minimum/i.test(r))) {
    const minimum = minimumPrice(product, line.unit || product.unit)
    if (minimum) return t('sales.belowMinRefused', { sku: product.sku, price: showPrice(line.unit_price), min: showPrice(minimum) })
  }
  return reasons.join('; ')
}

/** The refusal of an order as a readable line (a problem+json, or "lost"); body: what was sent. */
export function reasonOf(problem, body = null) {
  const { t, te } = i18n.global
  if (!problem) return ''
  if (problem.lost) return t('sales.sync.lost')
  if (problem.network) return t('common.networkError')
  if (problem.type?.endsWith(':insufficient-stock') && Array.isArray(problem.lines)) {
    return problem.lines
      .map((l) => t('sales.short', { line: l.line_no, sku: l.product?.sku, name: l.product?.name, requested: showQty(l.requested), available: showQty(l.available), unit: l.product?.unit || productOf(l.product?.id)?.unit || '' }))
      .join(' ')
  }
  const errors = flatErrors(problem.errors)
  if (errors.length) {
    return errors
      .map(([field, reasons]) => {
        const line = field.match(/^lines\.(\d+)\.?(.*)$/)
        const label = line ? t('sales.lineN', { n: Number(line[1]) + 1 }) : te(`sales.fields.${field}`) ? t(`sales.fields.${field}`) : field
        return `${label}: ${fieldReason(field, reasons, body)}`
      })
      .join(' · ')
  }
  const kind = problem.type?.split(':').pop()
  if (kind && te(`problems.${kind}`)) return t(`problems.${kind}`)
  return problem.detail || problem.title || t('common.unknownError')
}

/**
 * A problem's field errors as [["lines.0.unit_price", [reasons]], …], whichever way they
 * came: flat keys, nested objects ({lines: {0: {qty: […]}}}) or "1: qty: reason" strings.
 */
export function flatErrors(errors, prefix = '') {
  return Object.entries(errors || {}).flatMap(([key, value]) => {
    if (!Array.isArray(value)) return value && typeof value === 'object' ? flatErrors(value, `${prefix}${key}.`) : []
    const out = []
    for (const reason of value) {
      const nested = prefix + key === 'lines' && String(reason).match(/^(\d+): (\w+): (.*)$/)
      out.push(nested ? [`lines.${nested[1]}.${nested[2]}`, [nested[3]]] : [prefix + key, [String(reason)]])
    }
    return out
  })
}
