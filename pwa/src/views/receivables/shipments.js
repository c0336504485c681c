// What of an order's shipments is left to invoice: each shipment line says how much of it
// was invoiced and sent back already. Quantities on whole thousandths, never floats.
import { sumCents } from '../finance/amounts.js'
import { signedMilli } from '../stock/quantity.js'

const milli = (qty) => signedMilli(qty) ?? 0n

/** Base units of a shipment line still to invoice (goods sent back are not invoiced). */
export const leftToInvoice = (line) => milli(line.base_qty) - milli(line.returned_base_qty) - milli(line.invoiced_base_qty)

/** 'open' (nothing invoiced), 'partly' or 'invoiced' (nothing left to invoice). */
export function invoiceStatus(shipment) {
  if (shipment.lines.every((line) => leftToInvoice(line) <= 0n)) return 'invoiced'
  return shipment.lines.some((line) => milli(line.invoiced_base_qty) > 0n) ? 'partly' : 'open'
}

/** The shipment's goods at the order's prices, excluding tax, in cents. */
export const shipmentValue = (shipment) => sumCents(shipment.lines.map((line) => line.revenue))
