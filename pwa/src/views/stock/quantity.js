// Quantities are decimal strings with up to 3 places (the API's Quantity). Sums are done
// on whole thousandths (BigInt), never on floats: 0.1 + 0.2 must be "0.3".
const PLACES = 3
const SCALE = 10n ** BigInt(PLACES)
const PATTERN = /^\d+(\.\d{1,3})?$/

/** A typed or API quantity as thousandths, or null when it is not one. */
export function toMilli(text) {
  const value = String(text ?? '').trim()
  if (!PATTERN.test(value)) return null
  const [whole, fraction = ''] = value.split('.')
  return BigInt(whole) * SCALE + BigInt(fraction.padEnd(PLACES, '0'))
}

/** Thousandths back to the shortest string: 1500n → "1.5", 2000n → "2". */
export function fromMilli(milli) {
  const sign = milli < 0n ? '-' : ''
  const abs = milli < 0n ? -milli : milli
  const fraction = (abs % SCALE).toString().padStart(PLACES, '0').replace(/0+$/, '')
  return `${sign}${abs / SCALE}${fraction ? '.' + fraction : ''}`
}

export function isPositive(text) {
  const milli = toMilli(text)
  return milli !== null && milli > 0n
}

/** a + b (b may be negative); never below zero. */
export function addQty(a, b) {
  const sum = (toMilli(a) ?? 0n) + (typeof b === 'bigint' ? b : toMilli(b) ?? 0n)
  return fromMilli(sum < 0n ? 0n : sum)
}

/** qty × factor (both decimal strings), rounded to thousandths: a case count in base units. */
export function multiplyQty(qty, factor) {
  const product = (toMilli(qty) ?? 0n) * (toMilli(factor) ?? 0n)
  return fromMilli((product + SCALE / 2n) / SCALE)
}

/** "12.000" or "-3.500" from the API, for people: "12", "-3.5". */
export function showQty(text) {
  if (text === null || text === undefined || text === '') return ''
  const milli = signedMilli(text)
  return milli === null ? String(text) : fromMilli(milli)
}

/** Signed thousandths of an API quantity ("-3.5" → -3500n), or null. */
export function signedMilli(text) {
  const value = String(text ?? '').trim()
  const negative = value.startsWith('-')
  const milli = toMilli(negative ? value.slice(1) : value)
  if (milli === null) return null
  return negative ? -milli : milli
}

/** a < b for API quantities (either may be negative). */
export function isBelow(a, b) {
  const left = signedMilli(a)
  const right = signedMilli(b)
  return left !== null && right !== null && left < right
}

/** The sum of API quantities, for people. */
export function sumQty(values) {
  return fromMilli(values.reduce((total, v) => total + (signedMilli(v) ?? 0n), 0n))
}
