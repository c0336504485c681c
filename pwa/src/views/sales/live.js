// Live sales orders: the server's list (or one order) re-read when something may have
// changed, merged with the orders of this device that have not landed yet.
//
// When to re-read is a trigger — (refresh) => stop. `pushedOrPolled` re-reads on a pushed
// `order.status` of a sales order and on every socket reconnect (what changed meanwhile),
// and keeps a slow poll on focus, on coming back online and while the page is visible, for
// when the socket cannot get through (a proxy that drops WebSockets and long polls).
import { computed, onBeforeUnmount, onMounted, ref, watch } from 'vue'
import { getOrder, listOrders, orderHistory } from '../../api/sales.js'
import { onLive, onReconnect } from '../../lib/live.js'
import { searchCustomers } from './catalog.js'
import { getMeta, setMeta } from './db.js'
import { local, orderBrief, reconcile, startLocalOrders } from './localOrders.js'
import { useAuthStore } from '../../stores/auth.js'
import { problemMessage } from '../../lib/problems.js'

export const REFRESH_MS = 60000

/** Call refresh on focus, online, visible again, and every `every` ms while visible. Returns stop(). */
export function pollWhileVisible(refresh, { every = REFRESH_MS } = {}) {
  const visible = () => document.visibilityState === 'visible'
  const tick = () => visible() && refresh()
  const onVisibility = () => visible() && refresh()
  const timer = setInterval(tick, every)
  window.addEventListener('focus', refresh)
  window.addEventListener('online', refresh)
  document.addEventListener('visibilitychange', onVisibility)
  return () => {
    clearInterval(timer)
    window.removeEventListener('focus', refresh)
    window.removeEventListener('online', refresh)
    document.removeEventListener('visibilitychange', onVisibility)
  }
}

/** A trigger: pushed status changes of the sales orders `wanted` picks, reconnects, and the slow poll. */
export function pushedOrPolled(wanted = () => true) {
  return (refresh) => {
    const offStatus = onLive('order.status', (event) => event.type === 'sales' && wanted(event) && refresh())
    const offReconnect = onReconnect(refresh)
    const stopPolling = pollWhileVisible(refresh)
    return () => {
      offStatus()
      offReconnect()
      stopPolling()
    }
  }
}

/** One refresh at a time; a call during one makes one more run after it. */
function coalesced(run) {
  let running = null
  let again = false
  const call = () => {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      try {
        do {
          again = false
          await run()
        } while (again)
      } finally {
        running = null
      }
    })()
    return running
  }
  return call
}

/** Where an order is, for the chip on its row: pending | sending | rejected | sent | <server state>. */
export function syncStateOf(order) {
  return order.state === 'draft' ? 'sent' : order.state
}

const LOCAL_FILTERS = ['pending', 'rejected']
export const PAGE = 30
const LIST_CACHE = 'orders.last'

function matches(text, query) {
  const q = query.trim().toLowerCase()
  return !q || text.toLowerCase().includes(q)
}

/**
 * The salesperson's orders: server rows and local rows in one list.
 * filters: reactive {state: '' | 'pending' | 'rejected' | <server state>, q}.
 * Returns {rows, total, more, loadMore, refresh, loading, failed, offline, updatedAt}.
 */
export function useLiveOrders(filters, { trigger = pushedOrPolled() } = {}) {
  const auth = useAuthStore()
  const server = ref([])
  const total = ref(0)
  const pages = ref(1)
  const loading = ref(false)
  const failed = ref('')
  const offline = ref(false)
  const updatedAt = ref(null)
  let generation = 0

  const serverState = () => (LOCAL_FILTERS.includes(filters.state) ? null : filters.state || '')

  async function fetchServer() {
    const state = serverState()
    if (state === null) {
      server.value = []
      total.value = 0
      return
    }
    const mine = ++generation
    const q = filters.q.trim()
    let items = []
    let count = 0
    // The server searches order numbers; a customer's name, code or initials is looked up
    // on the device and asked for by customer.
    const customers = q && !/^(so-?)?[\d-]+$/i.test(q) ? searchCustomers(q, 5) : []
    if (customers.length) {
      const per_page = Math.min(PAGE * pages.value, 100)
      const results = await Promise.all(customers.map((c) => listOrders({ page: 1, per_page, state, customer_id: c.id })))
      items = results.flatMap((r) => r.items).sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.id - a.id))
      count = results.reduce((sum, r) => sum + Math.min(r.total, per_page), 0)
    } else {
      for (let page = 1; page <= pages.value; page += 1) {
        const result = await listOrders({ page, per_page: PAGE, state, q })
        items.push(...result.items)
        count = result.total
        if (items.length >= count) break
      }
    }
    if (mine !== generation) return
    server.value = items.map(orderBrief)
    total.value = count
    offline.value = false
    failed.value = ''
    updatedAt.value = new Date().toISOString()
    // The plain first page, to show when the device is offline next time.
    if (!state && !q) setMeta(auth.user.id, LIST_CACHE, { at: updatedAt.value, items: server.value.slice(0, PAGE) }).catch(() => {})
  }

  async function fromCache() {
    const cached = await getMeta(auth.user.id, LIST_CACHE).catch(() => null)
    if (!cached) return
    const state = serverState()
    server.value = cached.items.filter((o) => (!state || o.state === state) && matches(`${o.number} ${o.customer?.name} ${o.customer?.code}`, filters.q))
    total.value = server.value.length
    updatedAt.value = cached.at
  }

  const refresh = coalesced(async () => {
    loading.value = true
    try {
      await fetchServer()
    } catch (error) {
      if (error.network) {
        offline.value = true
        if (!server.value.length) await fromCache()
      } else {
        failed.value = problemMessage(error)
      }
    } finally {
      loading.value = false
    }
    await reconcile()
  })

  function reset() {
    pages.value = 1
    server.value = []
    total.value = 0
    return refresh()
  }

  function loadMore() {
    pages.value += 1
    return refresh()
  }

  // Local orders first (not landed yet, or landed but not in the server's page yet), then the server's.
  const rows = computed(() => {
    const state = filters.state
    const onServer = new Set(server.value.map((o) => o.client_id).filter(Boolean))
    const localRows = []
    for (const record of local.orders) {
      const view = record.view || {}
      const text = `${record.order?.number || ''} ${view.customer?.name || ''} ${view.customer?.code || ''}`
      if (!matches(text, filters.q)) continue
      if (record.state === 'landed') {
        if (onServer.has(record.client_id) || !record.order) continue
        const sync = syncStateOf(record.order)
        if (state && (LOCAL_FILTERS.includes(state) || record.order.state !== state)) continue
        localRows.push({ key: record.client_id, record, order: record.order, sync, to: `/sales/orders/${record.order.id}` })
        continue
      }
      const sync = record.state === 'sending' ? 'pending' : record.state
      if (state && state !== sync) continue
      localRows.push({ key: record.client_id, record, order: null, sync, to: `/sales/orders/local/${record.client_id}` })
    }
    const byClient = new Map(local.orders.map((r) => [r.client_id, r]))
    const serverRows = server.value.map((order) => ({
      key: `so-${order.id}`,
      record: order.client_id ? byClient.get(order.client_id) || null : null,
      order,
      sync: syncStateOf(order),
      to: `/sales/orders/${order.id}`,
    }))
    return [...localRows, ...serverRows]
  })

  const more = computed(() => server.value.length < total.value && !offline.value)

  let stop = () => {}
  onMounted(() => {
    startLocalOrders()
    refresh()
    stop = trigger(refresh)
  })
  onBeforeUnmount(() => stop())
  // An order landed or was refused: the server's list may have it now.
  watch(() => local.orders.map((o) => `${o.client_id}:${o.state}:${o.confirm?.state || ''}`).join(), (now, before) => now !== before && refresh())

  return { rows, total, more, loadMore, refresh, reset, loading, failed, offline, updatedAt }
}

/**
 * One server order with its history, kept fresh the same way.
 * Returns {order, history, failed, offline, refresh, updatedAt}.
 */
export function useLiveOrder(id, { trigger = pushedOrPolled((event) => String(event.id) === String(id)) } = {}) {
  const order = ref(null)
  const history = ref([])
  const failed = ref('')
  const offline = ref(false)
  const updatedAt = ref(null)

  const refresh = coalesced(async () => {
    try {
      const [found, steps] = await Promise.all([getOrder(id), orderHistory(id)])
      order.value = found
      history.value = steps
      failed.value = ''
      offline.value = false
      updatedAt.value = new Date().toISOString()
    } catch (error) {
      if (error.network) offline.value = true
      else failed.value = problemMessage(error)
    }
  })

  let stop = () => {}
  onMounted(() => {
    startLocalOrders()
    refresh()
    stop = trigger(refresh)
  })
  onBeforeUnmount(() => stop())
  return { order, history, failed, offline, refresh, updatedAt }
}
