import { i18n } from '../../i18n/index.js'

/** "10:42" for a time today, "Mar 3, 10:42" before: how fresh something on the device is. */
export function asOf(iso) {
  if (!iso) return ''
  const at = new Date(iso)
  const today = new Date().toDateString() === at.toDateString()
  const options = today ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
  return new Intl.DateTimeFormat(i18n.global.locale.value, options).format(at)
}
