// The orders waiting to be shipped, and finding one by a scanned or typed number.
import { listOrders } from '../../api/shipping.js'
import { resolveCached } from '../../lib/scanner.js'

const PAGE = 20

const olderFirst = (a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id - b.id)

/**
 * One list over several states, oldest first, for usePagedList: the API filters one
 * state at a time, so each state is read page by page and the pages are merged.
 * fetchPage(n) answers {items, page: n, total} like the API does.
 */
export function mergedOrderPages(states, { q = '' } = {}) {
  const streams = states.map((state) => ({ state, page: 0, buffer: [], total: 0, done: false }))

  async function refill(stream) {
    if (stream.done || stream.buffer.length) return
    const result = await listOrders({ state: stream.state, q, sort: 'created_at,id', page: stream.page + 1, per_page: PAGE })
    stream.page = result.page
    stream.total = result.total
    stream.buffer.push(...result.items)
    stream.done = result.items.length < PAGE || stream.page * PAGE >= result.total
  }

  return async function fetchPage(page) {
    const items = []
    while (items.length < PAGE) {
      await Promise.all(streams.map(refill))
      const next = streams.filter((s) => s.buffer.length).sort((a, b) => olderFirst(a.buffer[0], b.buffer[0]))[0]
      if (!next) break
      items.push(next.buffer.shift())
    }
    return { items, page, total: streams.reduce((sum, s) => sum + s.total, 0) }
  }
}

/**
 * The sales order a code names: {id, number} or null. Asks /scan/resolve first (it knows
 * document numbers), then searches the orders by number.
 * Throws {notAnOrder: true, found} when the code is an item or a place, not an order.
 */
export async function findOrderByCode(code) {
  const wanted = code.trim().toUpperCase()
  try {
    const found = await resolveCached(code)
    const doc = found.document
    if (found.kind === 'document' && doc?.type === 'sales_order') return { id: doc.id, number: doc.number }
    if (['product', 'unit', 'batch', 'location'].includes(found.kind)) throw Object.assign(new Error(code), { notAnOrder: true, found })
  } catch (error) {
    if (error.notAnOrder) throw error
    // offline or not resolvable: the search below says
  }
  const { items } = await listOrders({ q: wanted, per_page: 5 })
  const exact = items.find((o) => o.number.toUpperCase() === wanted)
  if (exact) return exact
  return items.length === 1 ? items[0] : null
}

/** Order ids with a shipment waiting in the outbox. */
export function waitingOrderIds(entries, pattern) {
  const ids = new Set()
  for (const entry of entries) {
    const match = entry.state === 'pending' && entry.path.match(pattern)
    if (match) ids.add(Number(match[1]))
  }
  return ids
}
