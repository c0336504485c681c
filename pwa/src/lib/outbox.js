// The offline outbox. A write that cannot reach the server waits in IndexedDB and is
// replayed later, in the order it was made, with the Idempotency-Key it was first given:
// the server answers a repeat with its first response, so each write lands exactly once
// however often it is sent.
import { openDB } from 'idb'
import { ApiError, request } from './api.js'
import { newIdempotencyKey } from './ids.js'

const DB_NAME = 'jxc'
const DB_VERSION = 1
const STORE = 'outbox'
const LOCK_NAME = 'jxc-outbox'

let database = null

function db() {
  database ??= openDB(DB_NAME, DB_VERSION, {
    upgrade(upgrading) {
      // An auto-increment id: replaying by id is replaying in the order of the writes.
      if (!upgrading.objectStoreNames.contains(STORE)) {
        upgrading.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true })
      }
    },
    // A newer build in another tab wants to upgrade: let it (we reopen on next use).
    blocking() {
      const closing = database
      database = null
      closing?.then((opened) => opened.close())
    },
  })
  return database
}

/** What to do with a write after this answer: done, try again later, or give it back to the user. */
export function outcomeOf(error) {
  if (!error) return 'done'
  if (!(error instanceof ApiError) || error.network) return 'retry'
  if (error.status >= 500 || error.status === 401 || error.status === 408 || error.status === 429) return 'retry'
  // Not this write's fault: it goes through once the session is back or the first copy is done.
  if (['idempotency-in-progress', 'csrf-failed'].includes(error.kind)) return 'retry'
  return 'reject'
}

/** The problem as plain data, fit for IndexedDB (an Error object is not). */
function problemOf(error) {
  if (!(error instanceof ApiError)) return { status: 0, detail: String(error?.message || error) }
  const { status, type, title, detail, errors, network } = error
  return { ...(error.body || {}), status, type, title, detail, errors, network }
}

export async function entriesOf(userId) {
  const all = await (await db()).getAll(STORE)
  return all.filter((entry) => entry.user_id === userId)
}

export async function getEntry(id) {
  return (await db()).get(STORE, id)
}

export async function removeEntry(id) {
  await (await db()).delete(STORE, id)
}

async function putEntry(entry) {
  return (await db()).put(STORE, entry)
}

/**
 * Send a write now, or keep it for later when the server cannot be reached.
 * write: {method, path, body, summary: {key, params}, draft, userId}.
 * Returns {queued: false, data} or {queued: true, id, problem: why it could not go now (none
 * when it only queued behind older writes)}; a refusal (4xx) is thrown as
 * the ApiError, for the screen to show while the user is still on it.
 */
export async function send({ method = 'POST', path, body, summary, draft = null, userId }) {
  const entry = {
    key: newIdempotencyKey(),
    method,
    path,
    body,
    summary,
    draft,
    user_id: userId,
    created: new Date().toISOString(),
    state: 'pending',
    attempts: 0,
    problem: null,
  }
  // Older writes are still waiting: this one goes behind them, never ahead. (No IndexedDB,
  // as in some private windows: nothing can wait, so straight to the network.)
  const waiting = await entriesOf(userId).then(
    (entries) => entries.some((e) => e.state === 'pending'),
    () => false,
  )
  if (waiting) return { queued: true, id: await putEntry(entry) }
  try {
    return { queued: false, data: await request(method, path, { body, idempotencyKey: entry.key }) }
  } catch (error) {
    if (outcomeOf(error) !== 'retry') throw error
    const problem = problemOf(error)
    return { queued: true, id: await putEntry({ ...entry, attempts: 1, problem }), problem }
  }
}

/** One replay of one entry; returns its outcome and the answer or the error. */
async function attempt(entry) {
  try {
    const data = await request(entry.method, entry.path, { body: entry.body, idempotencyKey: entry.key })
    await removeEntry(entry.id)
    return { outcome: 'done', data }
  } catch (error) {
    const outcome = outcomeOf(error)
    const problem = problemOf(error)
    const kept = { ...entry, attempts: entry.attempts + 1, problem }
    if (outcome === 'reject') Object.assign(kept, { state: 'rejected', rejected_at: new Date().toISOString() })
    await putEntry(kept)
    return { outcome, error, entry: kept }
  }
}

// --- one replay at a time: in this tab (a shared promise) and across tabs (a lock) ---------

const TAB_ID = newIdempotencyKey()
const LEASE_KEY = 'jxc.outbox.lease'
const LEASE_MS = 30000

/**
 * Run fn while holding the outbox lock, or skip (return null) if another tab holds it.
 * Web Locks exist only in secure contexts; a shop server on plain http gets a
 * localStorage lease instead (good enough between tabs of one browser).
 */
async function withLock(fn) {
  if (navigator.locks?.request) {
    return navigator.locks.request(LOCK_NAME, { ifAvailable: true }, (lock) => (lock ? fn() : null))
  }
  const now = Date.now()
  const lease = JSON.parse(localStorage.getItem(LEASE_KEY) || 'null')
  if (lease && lease.owner !== TAB_ID && lease.until > now) return null
  localStorage.setItem(LEASE_KEY, JSON.stringify({ owner: TAB_ID, until: now + LEASE_MS }))
  try {
    return await fn()
  } finally {
    localStorage.removeItem(LEASE_KEY)
  }
}

let running = null

/**
 * Replay the user's pending writes, oldest first, one at a time. Stops at the first
 * that must wait (network, 5xx, session), so nothing overtakes it. onResult is called
 * after each attempt. Resolves to {sent, rejected, stalled: the last error or null}.
 */
export function replay(userId, onResult = () => {}) {
  running ??= withLock(async () => {
    const report = { sent: 0, rejected: 0, stalled: null }
    for (;;) {
      // Read afresh each time: another tab or the user may have changed the list.
      const next = (await entriesOf(userId)).find((e) => e.state === 'pending')
      if (!next) return report
      const result = await attempt(next)
      onResult(result, next)
      if (result.outcome === 'done') report.sent += 1
      else if (result.outcome === 'reject') report.rejected += 1
      else return { ...report, stalled: result.error }
    }
  })
    .then((report) => report || { sent: 0, rejected: 0, stalled: null, locked: true })
    .finally(() => {
      running = null
    })
  return running
}

/**
 * Send a refused write once more (e.g. the stock has arrived since). It needs a new key:
 * the server keeps its refusal under the old one and would only repeat it.
 */
export async function requeue(id) {
  const entry = await getEntry(id)
  if (!entry) return
  const { id: _old, ...rest } = entry
  // A new id too: it is a new write now, so it queues behind the ones already waiting.
  const tx = (await db()).transaction(STORE, 'readwrite')
  await Promise.all([
    tx.store.delete(id),
    tx.store.add({ ...rest, key: newIdempotencyKey(), state: 'pending', problem: null, attempts: 0 }),
    tx.done,
  ])
}
