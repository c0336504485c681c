import { i18n } from '../i18n/index.js'

/** An ISO time from the API, shown in the device's time zone and language. */
export function formatDateTime(iso) {
  if (!iso) return ''
  return new Intl.DateTimeFormat(i18n.global.locale.value, {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(iso))
}

/** "48.000" → "48", "1.250" → "1.25": a decimal string without its padding zeros. */
export function plainNumber(decimal) {
  if (typeof decimal !== 'string' || !decimal.includes('.')) return decimal
  return decimal.replace(/\.?0+$/, '')
}
