// What of an order's shipments is invoiced already, from the order's invoices (each line
// names the shipment line it bills). Quantities on whole thousandths, never floats.
import { sumCents } from '../finance/amounts.js'
import { signedMilli } from '../stock/quantity.js'

/** Map shipment_line_id → base units invoiced (BigInt thousandths), from invoice details. */
export function invoicedBaseQty(invoices) {
  const invoiced = new Map()
  for (const invoice of invoices) {
    for (const line of invoice.lines) {
      invoiced.set(line.shipment_line_id, (invoiced.get(line.shipment_line_id) ?? 0n) + (signedMilli(line.base_qty) ?? 0n))
    }
  }
  return invoiced
}

/** 'open' (nothing invoiced), 'partly' or 'invoiced' (every line in full). */
export function invoiceStatus(shipment, invoiced) {
  const billed = (line) => invoiced.get(line.id) ?? 0n
  if (shipment.lines.every((line) => billed(line) >= (signedMilli(line.base_qty) ?? 0n))) return 'invoiced'
  return shipment.lines.some((line) => billed(line) > 0n) ? 'partly' : 'open'
}

/** The shipment's goods at the order's prices, excluding tax, in cents. */
export const shipmentValue = (shipment) => sumCents(shipment.lines.map((line) => line.revenue))
