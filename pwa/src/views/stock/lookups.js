// What the scan screen looks up, kept for offline use: warehouse and location lists
// from the last time they loaded, product details for as long as the page lives.
import { getProduct } from '../../api/catalog.js'
import { listLocations, listWarehouses } from '../../api/warehouses.js'

async function remembered(key, load) {
  try {
    const value = await load()
    localStorage.setItem(key, JSON.stringify(value))
    return value
  } catch (error) {
    const kept = localStorage.getItem(key)
    if (error.network && kept) return JSON.parse(kept)
    throw error
  }
}

const brief = ({ id, code, name }) => ({ id, code, name })

export const activeWarehouses = () =>
  remembered('jxc.cache.warehouses', async () => (await listWarehouses({ active: true, per_page: 100 })).items.map(brief))

export const activeLocations = (warehouseId) =>
  remembered(`jxc.cache.locations.${warehouseId}`, async () =>
    (await listLocations(warehouseId, { active: true, per_page: 100 })).items.map(brief),
  )

const products = new Map()

/** A product's units and tracking: {unit, units: [{name, factor}], track_batches, track_expiry}. */
export async function productInfo(id) {
  if (!products.has(id)) {
    const p = await getProduct(id)
    products.set(id, {
      unit: p.unit,
      units: p.units.map(({ name, factor }) => ({ name, factor })),
      track_batches: p.track_batches,
      track_expiry: p.track_expiry,
    })
  }
  return products.get(id)
}
