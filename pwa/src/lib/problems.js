import { i18n } from '../i18n/index.js'

/** What to tell the user about a failed call: our words for known problems, else the server's. */
export function problemMessage(error) {
  const { t, te } = i18n.global
  if (error.network) return t('common.networkError')
  const key = `problems.${error.kind}`
  if (error.kind && te(key)) return t(key)
  return error.detail || t('common.unknownError')
}

/** A 422/409 problem's reasons per field, joined, for inline messages under the fields. */
export function fieldErrors(error) {
  const errors = {}
  for (const [field, reasons] of Object.entries(error.errors || {})) errors[field] = reasons.join('; ')
  return errors
}
