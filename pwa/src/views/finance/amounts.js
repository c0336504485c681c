// Money in the finance screens on whole cents (BigInt), never floats: the server's
// figures are shown as sent; these only add up what the user is typing.
import { fromScaled, toScaled } from '../purchasing/money.js'

/** A money string ("-12.5", "1234.50") as cents, or null when it is not one. */
export function toCents(text) {
  const value = String(text ?? '').trim()
  const negative = value.startsWith('-')
  const scaled = toScaled(negative ? value.slice(1) : value, 2)
  if (scaled === null) return null
  return negative ? -scaled : scaled
}

/** Cents as "1234.50" (what the API takes). */
export const centsText = (cents) => fromScaled(cents, 2, { fixed: true })

/** "-103100.00" → "-103,100.00": thousands grouped for reading, the digits untouched. */
export function money(text) {
  if (text === null || text === undefined || text === '') return '—'
  const match = String(text).match(/^(-?)(\d+)(\.\d+)?$/)
  if (!match) return String(text)
  return match[1] + match[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (match[3] || '')
}

export const isPositive = (text) => (toCents(text) ?? 0n) > 0n
export const isNegative = (text) => (toCents(text) ?? 0n) < 0n

/** The sum of money strings; blanks and typos count as nothing. */
export function sumCents(texts) {
  return texts.reduce((sum, text) => sum + (toCents(text) ?? 0n), 0n)
}

/** The day a supplier bill or a customer invoice was issued. */
const issuedOn = (doc) => doc.bill_date ?? doc.invoice_date ?? ''

/**
 * Shares of `available` cents for bills or invoices, oldest due first (then the day issued,
 * then id), each up to its open amount: {docId: "12.30"}; those that get nothing are left out.
 */
export function allocateOldestFirst(docs, available) {
  const oldestFirst = [...docs].sort(
    (a, b) => a.due_date.localeCompare(b.due_date) || issuedOn(a).localeCompare(issuedOn(b)) || a.id - b.id,
  )
  const shares = {}
  let left = available
  for (const doc of oldestFirst) {
    if (left <= 0n) break
    const open = toCents(doc.open) ?? 0n
    const share = open < left ? open : left
    if (share > 0n) {
      shares[doc.id] = centsText(share)
      left -= share
    }
  }
  return shares
}

/** A decimal string that is not zero ("0.000000" is zero): a variance worth showing. */
export const isNonZero = (text) => /[1-9]/.test(String(text ?? ''))

/** "0.300000" → "+0.3", "-0.5" stays: a difference with its sign, without padding zeros. */
export function signed(text) {
  const plain = String(text ?? '').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')
  return plain.startsWith('-') ? plain : `+${plain}`
}
