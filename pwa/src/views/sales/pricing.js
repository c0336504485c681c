// Prices as the server sets them, for the screen while an order is taken: the customer's
// level price per base unit × the unit's factor; figures on whole integers (BigInt) via
// the purchasing helpers, never floats. The server's figures win once the order is there.
import { i18n } from '../../i18n/index.js'
import { plainNumber } from '../../lib/format.js'
import { fromScaled, lineCents, showCents, toScaled, unitCost } from '../purchasing/money.js'

/** The rate the server applies when none is sent (13 % VAT), as a percentage. */
export const DEFAULT_TAX_PERCENT = '13'

const isZero = (price) => (toScaled(price, 6) ?? 0n) === 0n

/** Per base unit at a price level: the level's price, else wholesale for "wholesale", else retail. */
export function levelPrice(product, level) {
  const special = product.level_prices?.[level]
  if (special !== undefined && special !== null) return special
  if (level === 'wholesale' && product.wholesale_price && !isZero(product.wholesale_price)) return product.wholesale_price
  return product.retail_price
}

/** The packing units of a product, the base unit first: [{name, factor}]. */
export function unitsOf(product) {
  return [{ name: product.unit, factor: '1' }, ...(product.units || []).map((u) => ({ name: u.name, factor: plainNumber(u.factor) }))]
}

export const factorOf = (product, unitName) => unitsOf(product).find((u) => u.name === unitName)?.factor || '1'

/** The list price of one `unitName` for a customer, e.g. "42" for a case of 12 at 3.50. */
export function listPrice(product, level, unitName) {
  return plainNumber(unitCost(levelPrice(product, level) || '0', factorOf(product, unitName))) || '0'
}

/** The lowest price a salesperson may enter for one `unitName`, or null when there is none. */
export function minimumPrice(product, unitName) {
  if (!product.min_price || isZero(product.min_price)) return null
  return plainNumber(unitCost(product.min_price, factorOf(product, unitName)))
}

/** price < minimum (both decimal strings); false while either is not a number. */
export function isBelow(price, minimum) {
  const p = toScaled(price, 6)
  const m = toScaled(minimum, 6)
  return p !== null && m !== null && p < m
}

export const isPrice = (text) => toScaled(text, 6) !== null

/** {amount, tax, total} in cents of a line at the default tax rate, or null while not a number. */
export const lineFigures = (qty, unitPrice) => lineCents({ qty, unitPrice, discountPercent: '0', taxPercent: DEFAULT_TAX_PERCENT })

/** Sums of line figures (cents). */
export function sumFigures(figures) {
  return figures.reduce(
    (sum, f) => (f ? { amount: sum.amount + f.amount, tax: sum.tax + f.tax, total: sum.total + f.total } : sum),
    { amount: 0n, tax: 0n, total: 0n },
  )
}

export { showCents }

/** A price for people: at least two decimals ("3.5" → "3.50"), more only when it has them. */
export function showPrice(price) {
  const scaled = toScaled(price, 6)
  if (scaled === null) return String(price ?? '')
  return scaled % 10000n === 0n ? fromScaled(scaled, 6, { fixed: true }).slice(0, -4) : fromScaled(scaled, 6)
}

/** Base units in qty × factor, as a BigInt of thousandths (for "more than available"). */
export function baseMilli(qty, factor) {
  const q = toScaled(qty, 3)
  const f = toScaled(factor, 3)
  if (q === null || f === null) return null
  return (q * f + 500n) / 1000n
}

/** A price level for people: our word for the usual ones, else its code. */
export function levelName(level) {
  const { t, te } = i18n.global
  return te(`sales.levels.${level}`) ? t(`sales.levels.${level}`) : level
}
