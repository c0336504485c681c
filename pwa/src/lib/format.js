import { i18n } from '@/i18n'

/** An ISO 8601 instant shown in the device's own time zone, in the UI language. */
export function formatDateTime(iso) {
  if (!iso) return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return new Intl.DateTimeFormat(i18n.global.locale.value, {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(date)
}
