import { fieldErrors } from '../../lib/problems.js'

/**
 * A 422's reasons per field, joined. Schema refusals of a nested row come as
 * {lines: ["1: qty: Not a valid number."]}, the service's as {"lines.1.qty": [...]}:
 * both become "lines.1.qty" so they land on the row.
 */
export function rowErrors(error) {
  const out = {}
  for (const [field, reasons] of Object.entries(error.errors || {})) {
    for (const reason of [].concat(reasons)) {
      const match = String(reason).match(/^(\d+): (\w+): (.*)$/)
      const key = match && !field.includes('.') ? `${field}.${match[1]}.${match[2]}` : field
      ;(out[key] ||= []).push(match ? match[3] : reason)
    }
  }
  return fieldErrors({ errors: out })
}

/** The errors without those of one field (the user has just changed it). */
export function without(errors, key) {
  return Object.fromEntries(Object.entries(errors).filter(([k]) => k !== key))
}
