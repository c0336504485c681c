// The salesperson's device store (IndexedDB, one database per user so two people sharing
// a phone never see each other's customers): the catalogue kept by delta sync, the stock
// of the chosen warehouse, and the orders taken on this device.
import { openDB } from 'idb'

const VERSION = 1
export const STORES = {
  customers: 'customers', // keyPath id
  products: 'products', // keyPath id
  stock: 'stock', // keyPath warehouse_id: {warehouse_id, at, items: {product_id: {on_hand, reserved, available}}}
  meta: 'meta', // out-of-line keys: sync cursors, warehouses, the last list of orders…
  orders: 'orders', // keyPath client_id: orders made here (see localOrders.js)
}

export const databaseName = (userId) => `jxc-sales.${userId}`

const opened = new Map() // userId → Promise<IDBPDatabase>

export function salesDb(userId) {
  if (!userId) return Promise.reject(new Error('no user'))
  if (!opened.has(userId)) {
    opened.set(
      userId,
      openDB(databaseName(userId), VERSION, {
        upgrade(db) {
          const make = (name, options) => db.objectStoreNames.contains(name) || db.createObjectStore(name, options)
          make(STORES.customers, { keyPath: 'id' })
          make(STORES.products, { keyPath: 'id' })
          make(STORES.stock, { keyPath: 'warehouse_id' })
          make(STORES.meta)
          make(STORES.orders, { keyPath: 'client_id' })
        },
        // A newer build in another tab wants to upgrade: let it (reopened on next use).
        blocking() {
          const closing = opened.get(userId)
          opened.delete(userId)
          closing?.then((db) => db.close())
        },
      }),
    )
  }
  return opened.get(userId)
}

export async function getMeta(userId, key) {
  return (await salesDb(userId)).get(STORES.meta, key)
}

export async function setMeta(userId, key, value) {
  return (await salesDb(userId)).put(STORES.meta, value, key)
}
