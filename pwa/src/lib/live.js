// One Socket.IO connection per app, opened while someone is logged in. Events are hints:
// screens subscribe with onLive(name, handler) and re-read what they show; on every
// (re)connect `onReconnect` handlers run, so whatever happened while the socket was down
// is fetched over REST. The same event may come twice (a message queue may repeat one):
// each is delivered once by its event_id.
import { io } from 'socket.io-client'
import { onBeforeUnmount, onMounted, reactive } from 'vue'

const EVENTS = ['stock.changed', 'stock.low', 'batch.expiring', 'order.status', 'stocktake.progress', 'notification']
const SEEN_MAX = 500

export const liveState = reactive({ connected: false, everConnected: false })

const handlers = new Map() // event name → Set of handlers
const reconnectHandlers = new Set()
const seen = new Set()
let socket = null

function deliver(name, payload) {
  if (payload?.event_id) {
    if (seen.has(payload.event_id)) return
    seen.add(payload.event_id)
    if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value)
  }
  for (const handler of handlers.get(name) || []) {
    try {
      handler(payload)
    } catch (error) {
      console.error(`live ${name} handler failed`, error)
    }
  }
}

/** Open the socket (the session cookie authenticates it). Safe to call again. */
export function connectLive() {
  if (socket) return
  socket = io({
    path: '/socket.io',
    withCredentials: true,
    // Backoff 1 s doubling to 30 s, with jitter, so a restarted server is not stormed.
    reconnectionDelay: 1000,
    reconnectionDelayMax: 30000,
    randomizationFactor: 0.5,
  })
  socket.on('connect', () => {
    liveState.connected = true
    liveState.everConnected = true
    for (const handler of reconnectHandlers) handler()
  })
  socket.on('disconnect', () => (liveState.connected = false))
  // Refused at connect (logged out meanwhile): try again later with the backoff.
  socket.on('connect_error', () => (liveState.connected = false))
  for (const name of EVENTS) socket.on(name, (payload) => deliver(name, payload))
}

export function disconnectLive() {
  socket?.disconnect()
  socket = null
  liveState.connected = false
}

/** Call handler(payload) for each `name` event; returns off(). */
export function onLive(name, handler) {
  if (!handlers.has(name)) handlers.set(name, new Set())
  handlers.get(name).add(handler)
  return () => handlers.get(name).delete(handler)
}

/** Call handler() on every (re)connect; returns off(). */
export function onReconnect(handler) {
  reconnectHandlers.add(handler)
  return () => reconnectHandlers.delete(handler)
}

/**
 * In a component, while it is mounted: call refresh() when one of the `names` events
 * arrives that `wanted(payload)` says concerns it, and after every reconnect.
 */
export function useLive(names, wanted, refresh) {
  const offs = []
  onMounted(() => {
    for (const name of names) offs.push(onLive(name, (payload) => wanted(payload) && refresh()))
    offs.push(onReconnect(refresh))
  })
  onBeforeUnmount(() => offs.splice(0).forEach((off) => off()))
}

/** For a screen that shows what the server counts: `load` once mounted, and once more
 * `ms` after the last of a burst of the named events (or a reconnect) — one re-read for
 * a burst, not one per event. */
export function useLiveReload(names, load, ms = 400) {
  let timer = null
  const soon = () => {
    clearTimeout(timer)
    timer = setTimeout(load, ms)
  }
  onMounted(load)
  useLive(names, () => true, soon)
  onBeforeUnmount(() => clearTimeout(timer))
}
