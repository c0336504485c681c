// The receipt being counted against one purchase order, kept in localStorage as it
// changes (a reload or a flat battery loses nothing). Quantities are decimal strings,
// compared as whole thousandths (BigInt) — never floats.
import { reactive, watch } from 'vue'
import { addQty, fromMilli, isPositive, multiplyQty, toMilli } from '../stock/quantity.js'

const draftKey = (userId, orderId) => `jxc.receive.draft.${userId}.${orderId}`

/** An order line's quantity still to come, in the product's base unit (thousandths). */
export function remainingMilli(poLine) {
  const left = (toMilli(poLine.base_qty) ?? 0n) - (toMilli(poLine.received_base_qty) ?? 0n)
  return left > 0n ? left : 0n
}

/** What this receipt counts on a line, in base units (thousandths). */
export function countedMilli(line) {
  return toMilli(multiplyQty(line.qty, line.factor)) ?? 0n
}

function emptyLine(poLine) {
  // The shape of a scan line (LineEditor edits it): unit '' is the product's base unit.
  return { uid: poLine.id, poLineId: poLine.id, product: poLine.product, qty: '0', unit: '', factor: '1', batch: '', expiry: '', info: null, error: '' }
}

function restored(key) {
  try {
    const saved = JSON.parse(localStorage.getItem(key))
    if (saved && Array.isArray(saved.lines)) return saved
  } catch {
    // a broken draft is no draft
  }
  return { order: null, lines: [], location: null, note: '', lastUid: null }
}

export function useReceiveDraft(userId, orderId) {
  const key = draftKey(userId, orderId)
  const draft = reactive(restored(key))
  watch(draft, () => localStorage.setItem(key, JSON.stringify(draft)), { deep: true })

  /** The order as loaded: one draft line per order line with something still to come. */
  function takeOrder(order) {
    draft.order = order
    const kept = new Map(draft.lines.map((l) => [l.poLineId, l]))
    draft.lines = order.lines
      .filter((poLine) => remainingMilli(poLine) > 0n || kept.has(poLine.id))
      .map((poLine) => kept.get(poLine.id) || emptyLine(poLine))
  }

  const poLineOf = (line) => draft.order?.lines.find((p) => p.id === line.poLineId)

  /**
   * One scan of a product (unit: the case it came in, or null for the base unit).
   * Returns {line} when counted, or {refused: 'notOnOrder' | 'tooMany', line?}.
   */
  function addScan(productId, unit) {
    const candidates = draft.lines.filter((l) => l.product.id === productId)
    if (!candidates.length) return { refused: 'notOnOrder' }
    const scanned = toMilli(unit?.factor || '1')
    // The first line of that product with room for it (a product may be on two lines).
    const line = candidates.find((l) => countedMilli(l) + scanned <= remainingMilli(poLineOf(l)))
    if (!line) return { refused: 'tooMany', line: candidates[0] }
    const name = unit?.name || ''
    if (!isPositive(line.qty)) Object.assign(line, { qty: '1', unit: name, factor: unit?.factor || '1' })
    else if (line.unit === name) line.qty = addQty(line.qty, '1')
    // A case after single items (or the other way round): count both in the base unit.
    else Object.assign(line, { qty: fromMilli(countedMilli(line) + scanned), unit: '', factor: '1' })
    line.error = ''
    draft.lastUid = line.uid
    return { line }
  }

  function clearLine(uid) {
    const line = draft.lines.find((l) => l.uid === uid)
    if (line) Object.assign(line, { qty: '0', unit: '', factor: '1', error: '' })
  }

  function forget() {
    localStorage.removeItem(key)
    Object.assign(draft, { order: null, lines: [], location: null, note: '', lastUid: null })
  }

  return { draft, takeOrder, addScan, clearLine, poLineOf, forget }
}

/** The lines with something counted, in the order they are sent (a refusal's index refers to it). */
export const countedLines = (draft) => draft.lines.filter((l) => isPositive(l.qty))

/** The POST /purchase-orders/{id}/receipts body. */
export function receiptBody(draft) {
  const omitEmpty = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== ''))
  return {
    note: draft.note.trim(),
    lines: countedLines(draft).map((l) =>
      omitEmpty({
        po_line_id: l.poLineId,
        qty: l.qty,
        // Always named: left out, the server would read the quantity in the order line's unit.
        unit: l.unit || l.product.unit,
        batch: l.batch.trim(),
        expiry: l.expiry,
        location_id: draft.location?.id,
      }),
    ),
  }
}
