// Filters that are a record's id (warehouse, category, product, customer, supplier,
// salesperson): how to find one by typing and how to name the one a link carries. Each needs
// the permission to read that list; without it the filter is not offered.
import { reactive } from 'vue'
import { flattenCategories, getProduct, listCategories, listProducts } from '../../api/catalog.js'
import { getPartner, listPartners } from '../../api/partners.js'
import { getUser, listUsers } from '../../api/users.js'
import { listWarehouses } from '../../api/warehouses.js'

const SEARCH_SIZE = 30

/** Each option: {id, title, label} (title: a code or the name; label: a second line). */
const warehouseOption = (w) => ({ id: w.id, title: w.code, label: w.name })
const productOption = (p) => ({ id: p.id, title: p.name, label: p.sku })
const partnerOption = (p) => ({ id: p.id, title: p.name, label: p.code })
const userOption = (u) => ({ id: u.id, title: u.display_name || u.username, label: u.username })

function matches(option, q) {
  const text = q.trim().toLowerCase()
  return !text || `${option.title} ${option.label}`.toLowerCase().includes(text)
}

/** The lookups for one screen; `can` is the auth store's permission check. */
export function createLookups(can) {
  // Whole lists that are short enough to load once and filter on the device.
  const lists = {}
  const whole = (name, load) => () => (lists[name] ??= load().catch((error) => {
    delete lists[name]
    throw error
  }))
  const warehouses = whole('warehouses', async () =>
    (await listWarehouses({ per_page: 100 })).items.map(warehouseOption),
  )
  const categories = whole('categories', async () =>
    flattenCategories((await listCategories()).items).map((c) => ({ id: c.id, title: c.label, label: '' })),
  )

  const KINDS = {
    warehouse_id: {
      permission: 'warehouses:read',
      search: async (q) => (await warehouses()).filter((o) => matches(o, q)),
      describe: async (id) => (await warehouses()).find((o) => o.id === id),
    },
    category_id: {
      permission: 'catalog:read',
      search: async (q) => (await categories()).filter((o) => matches(o, q)),
      describe: async (id) => (await categories()).find((o) => o.id === id),
    },
    product_id: {
      permission: 'catalog:read',
      search: async (q) => (await listProducts({ q: q.trim(), per_page: SEARCH_SIZE })).items.map(productOption),
      describe: async (id) => productOption(await getProduct(id)),
    },
    customer_id: {
      permission: 'partners:read',
      search: async (q) =>
        (await listPartners('customers', { q: q.trim(), per_page: SEARCH_SIZE })).items.map(partnerOption),
      describe: async (id) => partnerOption(await getPartner('customers', id)),
    },
    supplier_id: {
      permission: 'partners:read',
      search: async (q) =>
        (await listPartners('suppliers', { q: q.trim(), per_page: SEARCH_SIZE })).items.map(partnerOption),
      describe: async (id) => partnerOption(await getPartner('suppliers', id)),
    },
    salesperson_id: {
      permission: 'users:read',
      search: async (q) => (await listUsers({ q: q.trim(), per_page: SEARCH_SIZE })).items.map(userOption),
      describe: async (id) => userOption(await getUser(id)),
    },
  }

  // "warehouse_id:2" → "SZ01 深圳分仓", filled in as names arrive.
  const names = reactive({})
  const asking = new Set()

  return {
    /** Is this filter a record to look up (rather than a typed value)? */
    isLookup: (name) => name in KINDS,
    /** May this user pick it? (Other filters are always offered.) */
    offered: (name) => !(name in KINDS) || can(KINDS[name].permission),
    search: (name, q) => KINDS[name].search(q),
    /** The chosen record's name for a field or a summary; its id until it is known. */
    nameOf(name, id) {
      if (id === '' || id === undefined || id === null) return ''
      const key = `${name}:${id}`
      if (!(key in names) && !asking.has(key) && name in KINDS) {
        asking.add(key)
        KINDS[name]
          .describe(Number(id))
          .then((option) => {
            if (option) names[key] = option.label && option.label !== option.title ? `${option.title} · ${option.label}` : option.title
          })
          .catch(() => {})
          .finally(() => asking.delete(key))
      }
      return names[key] ?? `#${id}`
    },
    /** Remember a picked option's name, so the field shows it at once. */
    remember(name, option) {
      names[`${name}:${option.id}`] =
        option.label && option.label !== option.title ? `${option.title} · ${option.label}` : option.title
    },
  }
}
