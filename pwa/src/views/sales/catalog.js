// What a salesperson needs with no network: their customers, the products with prices,
// the warehouses and the availability in the chosen warehouse, kept in IndexedDB.
// Customers and products come by delta sync (?updated_since= the largest updated_at
// seen; archived ones are dropped); availability is re-read whole, with its time.
// Refreshed on opening the sales screens, on coming back online and on pull-to-refresh.
import { effectScope, reactive, watch } from 'vue'
import { customersSince, productsSince, warehouseBalances, warehouses as listWarehouses } from '../../api/sales.js'
import { useAppStore } from '../../stores/app.js'
import { useAuthStore } from '../../stores/auth.js'
import { getMeta, salesDb, setMeta, STORES } from './db.js'

const PAGE = 100
const EPOCH = '1970-01-01T00:00:00+00:00'
// Each sync starts a little before the last change seen: a change committed late (its
// transaction began earlier) is not missed; what comes twice is simply put again.
const OVERLAP_MS = 5000

export const catalog = reactive({
  userId: null,
  loaded: false,
  customers: [],
  products: [],
  warehouses: [],
  warehouseId: null,
  stock: null, // {warehouse_id, at, items: {product_id: {on_hand, reserved, available}}}
  syncing: false,
  syncedAt: null, // the last complete sync of this device
  failed: '', // 'offline' | 'error' | ''
})

let customerById = new Map()
let productById = new Map()
let productByCode = new Map() // barcode or SKU → {product, unit: {name, factor} | null}

// --- times -------------------------------------------------------------------------------------

/** An ISO time as microseconds since the epoch (BigInt), so "…34.694956" orders exactly. */
export function micros(iso) {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(.*)$/.exec(String(iso || ''))
  if (!match) return BigInt(Date.parse(iso) || 0) * 1000n
  const whole = Date.parse(match[1] + (match[3] || 'Z'))
  return BigInt(whole || 0) * 1000n + BigInt((match[2] || '').padEnd(6, '0').slice(0, 6))
}

const later = (a, b) => (!b ? !!a : !!a && micros(a) > micros(b))

// --- loading from the device --------------------------------------------------------------

const lower = (text) => String(text || '').toLowerCase()

function indexCustomers(list) {
  for (const c of list) c.hay = [c.name, c.code, c.pinyin_initials].map(lower).join(' ')
  list.sort((a, b) => a.code.localeCompare(b.code))
  customerById = new Map(list.map((c) => [c.id, c]))
  catalog.customers = list
}

function indexProducts(list) {
  productByCode = new Map()
  for (const p of list) {
    p.hay = [p.name, p.sku, p.pinyin_initials, p.spec, p.brand].map(lower).join(' ')
    productByCode.set(lower(p.sku), { product: p, unit: null })
    for (const code of p.barcodes || []) productByCode.set(code, { product: p, unit: null })
    for (const u of p.units || []) if (u.barcode) productByCode.set(u.barcode, { product: p, unit: u })
  }
  list.sort((a, b) => a.sku.localeCompare(b.sku))
  productById = new Map(list.map((p) => [p.id, p]))
  catalog.products = list
}

async function loadFromDevice(userId) {
  const db = await salesDb(userId)
  const [customers, products, warehouses, warehouseId, syncedAt] = await Promise.all([
    db.getAll(STORES.customers),
    db.getAll(STORES.products),
    getMeta(userId, 'warehouses'),
    getMeta(userId, 'warehouseId'),
    getMeta(userId, 'syncedAt'),
  ])
  if (catalog.userId !== userId) return
  indexCustomers(customers)
  indexProducts(products)
  catalog.warehouses = warehouses || []
  catalog.warehouseId = warehouseId ?? null
  catalog.syncedAt = syncedAt || null
  catalog.stock = catalog.warehouseId ? (await db.get(STORES.stock, catalog.warehouseId)) || null : null
  catalog.loaded = true
}

// --- delta sync ------------------------------------------------------------------------------

// Only what order taking needs is kept on the device.
const slimCustomer = (c) => ({
  id: c.id,
  code: c.code,
  name: c.name,
  pinyin_initials: c.pinyin_initials || '',
  price_level: c.price_level,
  credit_limit: c.credit_limit,
  credit_days: c.credit_days,
  delivery_addresses: c.delivery_addresses || [],
  salesperson_id: c.salesperson_id,
  updated_at: c.updated_at,
})

const slimProduct = (p) => ({
  id: p.id,
  sku: p.sku,
  name: p.name,
  spec: p.spec || '',
  brand: p.brand || '',
  unit: p.unit,
  units: (p.units || []).map(({ name, factor, barcode }) => ({ name, factor, barcode: barcode || null })),
  barcodes: p.barcodes || [],
  pinyin_initials: p.pinyin_initials || '',
  retail_price: p.retail_price,
  wholesale_price: p.wholesale_price,
  min_price: p.min_price,
  level_prices: p.level_prices || {},
  updated_at: p.updated_at,
})

/**
 * Bring one kind up to date. The cursor walks forward: each page asks again from the
 * newest change seen, so a record changed meanwhile comes at the end instead of shifting
 * the pages under us; a page all at one instant is stepped through by page number.
 */
async function syncKind(userId, kind, fetchPage, store, slim) {
  const cursorKey = `since.${kind}`
  const stored = await getMeta(userId, cursorKey)
  let since = stored ? new Date(Number(micros(stored) / 1000n) - OVERLAP_MS).toISOString() : EPOCH
  let newest = stored || null
  let page = 1
  for (;;) {
    const result = await fetchPage({ updated_since: since, per_page: PAGE, page })
    const db = await salesDb(userId)
    const tx = db.transaction(store, 'readwrite')
    let pageNewest = null
    for (const item of result.items) {
      if (item.active === false) tx.store.delete(item.id)
      else tx.store.put(slim(item))
      if (later(item.updated_at, pageNewest)) pageNewest = item.updated_at
    }
    await tx.done
    if (later(pageNewest, newest)) newest = pageNewest
    if (result.items.length < PAGE) break
    if (later(pageNewest, since)) {
      since = pageNewest
      page = 1
    } else {
      page += 1
    }
  }
  if (newest) await setMeta(userId, cursorKey, newest)
}

/** The whole availability of one warehouse, with the time it was read. */
async function syncStock(userId, warehouseId) {
  const at = new Date().toISOString()
  const items = {}
  for (let page = 1; ; page += 1) {
    const result = await warehouseBalances(warehouseId, page)
    for (const row of result.items) {
      items[row.product.id] = { on_hand: row.on_hand, reserved: row.reserved, available: row.available }
    }
    if (!result.items.length || page * result.per_page >= result.total) break
  }
  const record = { warehouse_id: warehouseId, at, items }
  await (await salesDb(userId)).put(STORES.stock, record)
  if (catalog.userId === userId && catalog.warehouseId === warehouseId) catalog.stock = record
}

async function syncWarehouses(userId) {
  const list = (await listWarehouses()).items.map(({ id, code, name }) => ({ id, code, name }))
  await setMeta(userId, 'warehouses', list)
  catalog.warehouses = list
  if (!list.some((w) => w.id === catalog.warehouseId)) await chooseWarehouse(list[0]?.id ?? null, { sync: false })
}

let syncing = null

/** Everything, in the order a salesperson needs it. Resolves when done (or failed). */
export function syncCatalog() {
  const userId = catalog.userId
  if (!userId) return Promise.resolve()
  syncing ??= (async () => {
    catalog.syncing = true
    try {
      await syncWarehouses(userId)
      await syncKind(userId, 'customers', customersSince, STORES.customers, slimCustomer)
      await syncKind(userId, 'products', productsSince, STORES.products, slimProduct)
      if (catalog.warehouseId) await syncStock(userId, catalog.warehouseId)
      const now = new Date().toISOString()
      await setMeta(userId, 'syncedAt', now)
      if (catalog.userId !== userId) return
      catalog.syncedAt = now
      catalog.failed = ''
    } catch (error) {
      if (catalog.userId === userId) catalog.failed = error?.network ? 'offline' : 'error'
    } finally {
      // What arrived is in IndexedDB: show it (also after a partial sync).
      if (catalog.userId === userId) await loadFromDevice(userId).catch(() => {})
      catalog.syncing = false
      syncing = null
    }
  })()
  return syncing
}

/** Remember the warehouse to sell from and read its availability. */
export async function chooseWarehouse(id, { sync = true } = {}) {
  const userId = catalog.userId
  catalog.warehouseId = id
  if (!userId) return
  await setMeta(userId, 'warehouseId', id)
  catalog.stock = id ? (await (await salesDb(userId)).get(STORES.stock, id)) || null : null
  if (sync && id) await syncStock(userId, id).catch((error) => (catalog.failed = error?.network ? 'offline' : 'error'))
}

/** Only the availability, re-read whole (pull-to-refresh on the form does everything). */
export const refreshStock = () =>
  catalog.userId && catalog.warehouseId ? syncStock(catalog.userId, catalog.warehouseId) : Promise.resolve()

// --- opening --------------------------------------------------------------------------------

let scope = null

/**
 * Load the cache of the logged-in user and start a sync; on coming back online it syncs
 * again. Safe to call from every sales screen. Resolves once the cache is loaded.
 */
export async function openCatalog() {
  const auth = useAuthStore()
  const userId = auth.user?.id
  // Only those who take orders keep the catalogue on their device.
  if (!userId || !auth.can('sales:write')) return
  if (!scope) {
    scope = effectScope(true)
    scope.run(() => {
      const app = useAppStore()
      watch(() => app.online, (online) => online && syncCatalog())
      watch(() => auth.user?.id, (id) => id && id !== catalog.userId && openCatalog())
    })
  }
  if (catalog.userId !== userId) {
    Object.assign(catalog, { userId, loaded: false, customers: [], products: [], warehouses: [], warehouseId: null, stock: null, syncedAt: null, failed: '' })
    customerById = new Map()
    productById = new Map()
    productByCode = new Map()
    await loadFromDevice(userId).catch(() => (catalog.loaded = true))
  }
  syncCatalog()
}

// --- looking things up ---------------------------------------------------------------------

export const customerOf = (id) => customerById.get(id) || null
export const productOf = (id) => productById.get(id) || null

function search(list, query, limit) {
  const words = lower(query).trim().split(/\s+/).filter(Boolean)
  if (!words.length) return list.slice(0, limit)
  const found = []
  for (const item of list) {
    if (words.every((w) => item.hay.includes(w))) found.push(item)
    if (found.length >= limit) break
  }
  return found
}

/** Customers by name, code or pinyin initials (助记码), from the device. */
export const searchCustomers = (query, limit = 50) => search(catalog.customers, query, limit)

/** Products by name, SKU, pinyin initials, spec or brand; a whole barcode finds its product first. */
export function searchProducts(query, limit = 50) {
  const code = findCode(query)
  const rest = search(catalog.products, query, limit)
  return code ? [code.product, ...rest.filter((p) => p.id !== code.product.id)] : rest
}

/** A scanned or typed code: {product, unit (a packing unit whose barcode it is) | null}, or null. */
export function findCode(code) {
  const text = String(code || '').trim()
  if (!text) return null
  return productByCode.get(text) || productByCode.get(text.padStart(13, '0')) || productByCode.get(lower(text)) || null
}

/** Available quantity (base units, a decimal string) in the chosen warehouse; null if not known. */
export function availableOf(productId) {
  if (!catalog.stock) return null
  return catalog.stock.items[productId]?.available ?? '0'
}

export const warehouseOf = (id) => catalog.warehouses.find((w) => w.id === id) || null
