// Order figures for display while editing, on whole integers (BigInt): quantities in
// thousandths, prices in millionths, rates in ten-thousandths, money in cents — never
// floats. The same rules as the server (half up to the cent); its totals win after saving.

/** A non-negative decimal string with at most `places` decimals as an integer, or null. */
export function toScaled(text, places) {
  const value = String(text ?? '').trim()
  if (!new RegExp(`^\\d+(\\.\\d{0,${places}})?$`).test(value)) return null
  const [whole, fraction = ''] = value.split('.')
  return BigInt(whole) * 10n ** BigInt(places) + BigInt(fraction.padEnd(places, '0') || '0')
}

/** An integer with `places` implied decimals back to text; `fixed` keeps trailing zeros. */
export function fromScaled(value, places, { fixed = false } = {}) {
  const negative = value < 0n
  const abs = negative ? -value : value
  const scale = 10n ** BigInt(places)
  let fraction = (abs % scale).toString().padStart(places, '0')
  if (!fixed) fraction = fraction.replace(/0+$/, '')
  return `${negative ? '-' : ''}${abs / scale}${fraction ? '.' + fraction : ''}`
}

/** a / b rounded half up (a, b ≥ 0). */
const divRound = (a, b) => (a * 2n + b) / (2n * b)

/** A rate as a percentage for people: "0.1300" → "13". Rates have 4 places, percentages 2. */
export function rateToPercent(rate) {
  const scaled = toScaled(rate, 4)
  return scaled === null ? String(rate ?? '') : fromScaled(scaled, 2)
}

/** A typed percentage as the API's rate: "13" → "0.13"; null when it is not a number. */
export function percentToRate(percent) {
  const scaled = toScaled(percent, 2)
  return scaled === null ? null : fromScaled(scaled, 4)
}

/**
 * {amount, tax, total} in cents of one line, or null while a field is not a number:
 * amount = qty × price × (1 − discount), tax = amount × rate, each half up to the cent.
 */
export function lineCents({ qty, unitPrice, discountPercent, taxPercent }) {
  const q = toScaled(qty, 3)
  const p = toScaled(unitPrice, 6)
  const d = toScaled(discountPercent, 2) // ten-thousandths of 1
  const r = toScaled(taxPercent, 2)
  if (q === null || p === null || d === null || r === null || d > 10000n) return null
  // 3 + 6 + 4 places → cents: divide by 10^11.
  const amount = divRound(q * p * (10000n - d), 10n ** 11n)
  const tax = divRound(amount * r, 10000n)
  return { amount, tax, total: amount + tax }
}

/** Cents as "1234.50". */
export const showCents = (cents) => fromScaled(cents, 2, { fixed: true })

/** A unit price for a packing unit: the base cost × factor, to the millionth (half up). */
export function unitCost(baseCost, factor) {
  const c = toScaled(baseCost, 6)
  const f = toScaled(factor, 3)
  if (c === null || f === null) return ''
  return fromScaled(divRound(c * f, 1000n), 6)
}
