// The shipment being picked for one sales order, kept in localStorage as it changes (a
// reload or a flat battery loses nothing). Everything is counted in the product's base
// unit as decimal strings, compared as whole thousandths (BigInt) — never floats.
import { reactive, watch } from 'vue'
import { fromMilli, isPositive, toMilli } from '../stock/quantity.js'

const draftKey = (userId, orderId) => `jxc.ship.draft.${userId}.${orderId}`

const milli = (text) => toMilli(text) ?? 0n

/** What a line still has to ship, in base units (thousandths). */
export const leftMilli = (line) => milli(line.leftBase)

/** What this shipment takes of a line, in base units (thousandths). */
export const countedMilli = (line) => line.parts.reduce((sum, part) => sum + milli(part.qty), 0n)

export const isDone = (line) => countedMilli(line) >= leftMilli(line)

/** Batch-tracked (or expiry-tracked): stock sits in batches, so the picker says which. */
export const isTracked = (line) =>
  line.tracked ?? line.picks.some((pick) => pick.batch)

/** The batches the pick list suggests for a line, first expiry first: [{number, expiry, qty, places}]. */
export function suggestedBatches(line) {
  const batches = new Map()
  for (const pick of line.picks) {
    if (!pick.batch) continue
    const known = batches.get(pick.batch.number) || { number: pick.batch.number, expiry: pick.batch.expiry, qty: 0n, places: [] }
    known.qty += milli(pick.qty)
    if (pick.location) known.places.push(pick.location.code)
    batches.set(pick.batch.number, known)
  }
  return [...batches.values()]
}

const countedIn = (line, batch) => milli(line.parts.find((p) => p.batch === batch)?.qty)

/** Room left in a batch by the pick list, or null when the list does not name it. */
function batchRoom(line, batch) {
  const suggested = suggestedBatches(line).find((b) => b.number === batch)
  return suggested ? suggested.qty - countedIn(line, batch) : null
}

/** The batch to offer first: the earliest-expiring suggestion with something left in it. */
export function suggestBatch(line) {
  const batches = suggestedBatches(line)
  return (batches.find((b) => b.qty > countedIn(line, b.number)) || batches[0])?.number || ''
}

function lineOf(pickLine, kept) {
  return {
    uid: pickLine.so_line_id,
    soLineId: pickLine.so_line_id,
    lineNo: pickLine.line_no,
    product: pickLine.product,
    unit: pickLine.unit, // the order line's unit
    factor: pickLine.factor,
    ordered: pickLine.qty,
    leftQty: pickLine.left_qty,
    leftBase: pickLine.left_base_qty,
    picks: pickLine.picks,
    parts: kept?.parts || [], // [{batch: '' | number, qty}] in base units
    batch: kept?.batch || '', // the batch the next scans go to
    codes: kept?.codes || [], // [{code, factor}] the product's barcodes, for scanning offline
    tracked: kept?.tracked ?? null,
    error: '',
  }
}

function restored(key) {
  try {
    const saved = JSON.parse(localStorage.getItem(key))
    if (saved && Array.isArray(saved.lines)) return saved
  } catch {
    // a broken draft is no draft
  }
  return { order: null, lines: [], carrier: '', trackingNo: '', note: '', lastUid: null }
}

export function useShipDraft(userId, orderId) {
  const key = draftKey(userId, orderId)
  const draft = reactive(restored(key))
  watch(draft, () => localStorage.setItem(key, JSON.stringify(draft)), { deep: true })

  /** The order and its pick list as loaded; what was already counted stays. */
  function takeOrder(order, pickList) {
    draft.order = {
      id: order.id,
      number: order.number,
      state: pickList.order?.state || order.state,
      customer: order.customer,
      warehouse: pickList.warehouse || order.warehouse,
      delivery_address: order.delivery_address,
      note: order.note,
      created_at: order.created_at,
    }
    const kept = new Map(draft.lines.map((l) => [l.soLineId, l]))
    draft.lines = pickList.lines.map((p) => lineOf(p, kept.get(p.so_line_id)))
  }

  /** Barcodes and tracking of a line's product (from GET /products/{id}). */
  function takeProduct(line, product) {
    line.tracked = !!(product.track_batches || product.track_expiry)
    line.codes = [
      ...(product.barcodes || []).map((code) => ({ code: String(code), factor: '1' })),
      ...(product.units || []).filter((u) => u.barcode).map((u) => ({ code: u.barcode, factor: u.factor, unit: u.name })),
    ]
  }

  /** A code this order's products carry: {product, factor, unit} or null (offline scanning). */
  function localCode(code) {
    for (const line of draft.lines) {
      const hit = line.codes.find((c) => c.code === code || c.code.padStart(14, '0') === code.padStart(14, '0'))
      if (hit) return { product: line.product, factor: hit.factor, unit: hit.unit || null }
    }
    return null
  }

  /**
   * One scan of a product: `scanned` base units (thousandths), from `batch` when the label
   * says. Returns {line} when counted, {needsBatch, line, scanned} when a tracked product
   * needs its batch first, or {refused: 'notOnOrder' | 'tooMany', line?}.
   */
  function addScan(productId, scanned, batch = '') {
    const candidates = draft.lines.filter((l) => l.product.id === productId)
    if (!candidates.length) return { refused: 'notOnOrder' }
    // The first line of that product with room for it (a product may be on two lines).
    const line = candidates.find((l) => countedMilli(l) + scanned <= leftMilli(l))
    if (!line) return { refused: 'tooMany', line: candidates.find((l) => !isDone(l)) || candidates[0] }
    if (!isTracked(line)) return count(line, '', scanned)
    if (batch) return count(line, batch, scanned)
    const room = line.batch ? batchRoom(line, line.batch) : 0n
    // The batch in hand goes on until the pick list says it is used up; then ask again.
    if (line.batch && (room === null || room >= scanned)) return count(line, line.batch, scanned)
    return { needsBatch: true, line, scanned }
  }

  /** Add base units of a batch ('' for any: the server takes first expiry first out). */
  function count(line, batch, scanned) {
    const part = line.parts.find((p) => p.batch === batch)
    if (part) part.qty = fromMilli(milli(part.qty) + scanned)
    else line.parts.push({ batch, qty: fromMilli(scanned) })
    if (batch) line.batch = batch
    line.error = ''
    draft.lastUid = line.uid
    return { line }
  }

  function clearLine(line) {
    Object.assign(line, { parts: [], batch: '', error: '' })
  }

  /** Parts with nothing in them go. */
  function tidy(line) {
    line.parts = line.parts.filter((p) => isPositive(p.qty))
  }

  function forget() {
    localStorage.removeItem(key)
    Object.assign(draft, { order: null, lines: [], carrier: '', trackingNo: '', note: '', lastUid: null })
  }

  return { draft, takeOrder, takeProduct, localCode, addScan, count, clearLine, tidy, forget }
}

/** The lines with something counted. */
export const countedLines = (draft) => draft.lines.filter((l) => countedMilli(l) > 0n)

/**
 * The quantity to send for base units of a line: whole cases in the order's unit (the
 * delivery note then reads "2 箱"), anything else in the base unit.
 */
function asSent(line, base) {
  const factor = milli(line.factor)
  if (line.unit !== line.product.unit && factor > 1000n && base % factor === 0n) {
    return { qty: String(base / factor), unit: line.unit }
  }
  return { qty: fromMilli(base), unit: line.product.unit }
}

/**
 * The POST /sales-orders/{id}/shipments body, and the draft line behind each request line
 * (a refusal names the request line: `lines.N.qty`, or `line` counted from 1).
 */
export function shipmentBody(draft) {
  const sent = []
  const lines = []
  for (const line of countedLines(draft)) {
    for (const part of line.parts) {
      const base = milli(part.qty)
      if (base <= 0n) continue
      const row = { so_line_id: line.soLineId, ...asSent(line, base) }
      if (part.batch) row.batch = part.batch
      lines.push(row)
      sent.push(line)
    }
  }
  const body = {
    carrier: draft.carrier.trim(),
    tracking_no: draft.trackingNo.trim(),
    note: draft.note.trim(),
    lines,
  }
  return { body, sent }
}
