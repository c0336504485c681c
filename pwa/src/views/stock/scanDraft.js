// The document being scanned: mode, warehouses, current locations and the lines. Kept in
// localStorage as it changes, so a reload (or a flat battery) loses nothing.
import { reactive, watch } from 'vue'
import { addQty, isPositive } from './quantity.js'

// One draft per user: a shared device must not hand one person's lines to the next.
const draftKey = (userId) => `jxc.scan.draft.${userId}`
export const MODES = ['in', 'out', 'transfer', 'write_off']

let lastUid = Date.now()
const uid = () => ++lastUid

export function emptyDraft() {
  return {
    mode: 'in',
    warehouseId: null,
    toWarehouseId: null,
    location: null, // {id, code}: where the next lines are taken from / put
    toLocation: null, // transfer: where they go
    reason: 'damaged',
    note: '',
    lines: [],
    lastUid: null, // the line the last scan touched
  }
}

function restored(key) {
  try {
    const saved = JSON.parse(localStorage.getItem(key))
    return saved && Array.isArray(saved.lines) ? { ...emptyDraft(), ...saved } : emptyDraft()
  } catch {
    return emptyDraft()
  }
}

/** Lines that are the same thing at the same place add up instead of repeating. */
function sameKind(a, b) {
  return (
    (a.product?.id ?? `code:${a.code}`) === (b.product?.id ?? `code:${b.code}`) &&
    (a.unit || '') === (b.unit || '') &&
    (a.location?.id ?? null) === (b.location?.id ?? null) &&
    (a.toLocation?.id ?? null) === (b.toLocation?.id ?? null) &&
    (a.batch || '') === (b.batch || '')
  )
}

export function useScanDraft(userId) {
  const key = draftKey(userId)
  const draft = reactive(restored(key))
  watch(draft, () => localStorage.setItem(key, JSON.stringify(draft)), { deep: true })

  /**
   * One accepted scan: a new line at the top, or +1 on the line it matches.
   * item: {product: {id, sku, name, unit} | null, code, unit: {name, factor} | null, batch, expiry}.
   */
  function addScan(item) {
    const line = {
      uid: uid(),
      product: item.product || null,
      code: item.code || '',
      unit: item.unit?.name || '', // '' is the product's base unit
      factor: item.unit?.factor || '1',
      qty: '1',
      location: draft.location,
      toLocation: draft.mode === 'transfer' ? draft.toLocation : null,
      batch: item.batch || '',
      expiry: item.expiry || '',
      info: null, // units and tracking, once loaded
      error: '',
    }
    const existing = draft.lines.find((l) => sameKind(l, line))
    if (existing) {
      existing.qty = addQty(existing.qty, '1')
      existing.error = ''
      draft.lastUid = existing.uid
      return existing
    }
    draft.lines.unshift(line)
    draft.lastUid = line.uid
    return draft.lines[0]
  }

  function removeLine(uidToRemove) {
    const index = draft.lines.findIndex((l) => l.uid === uidToRemove)
    if (index >= 0) draft.lines.splice(index, 1)
  }

  function clearLines() {
    draft.lines.splice(0)
    draft.lastUid = null
    draft.note = ''
  }

  /** Put back a document that came back from the outbox, to be fixed and sent again. */
  function replace(saved) {
    Object.assign(draft, emptyDraft(), saved)
    for (const line of draft.lines) line.uid = uid()
  }

  return { draft, addScan, removeLine, clearLines, replace }
}

/**
 * What the client can tell before sending: a positive quantity, and for stock in of a
 * tracked product a batch and an expiry. Marks the lines; returns how many are wrong.
 */
export function checkLines(draft, t) {
  let wrong = 0
  for (const line of draft.lines) {
    line.error = ''
    if (!isPositive(line.qty)) line.error = t('scan.qtyRequired')
    else if (draft.mode === 'in' && line.info?.track_batches && !line.batch) line.error = t('scan.batchRequired')
    else if (draft.mode === 'in' && line.info?.track_expiry && !line.expiry) line.error = t('scan.expiryRequired')
    if (line.error) wrong += 1
  }
  return wrong
}

/** The POST /stock/movements body; the lines in the order shown (a refusal's `line` counts from 1). */
export function movementBody(draft) {
  const transfer = draft.mode === 'transfer'
  const omitEmpty = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== ''))
  return {
    ...omitEmpty({
      type: draft.mode,
      warehouse_id: draft.warehouseId,
      to_warehouse_id: transfer ? draft.toWarehouseId : undefined,
      reason: draft.mode === 'write_off' ? draft.reason : undefined,
    }),
    note: draft.note.trim(),
    lines: draft.lines.map((l) =>
      omitEmpty({
        product_id: l.product?.id,
        code: l.product ? undefined : l.code, // the server resolves it when the write is replayed
        qty: l.qty,
        unit: l.unit,
        location_id: l.location?.id,
        to_location_id: transfer ? l.toLocation?.id : undefined,
        batch: l.batch.trim(),
        expiry: l.expiry,
      }),
    ),
  }
}
