import { showNotify } from 'vant'
import { i18n } from '@/i18n'

/** One line for the user: the problem's detail, else its title, else a generic text. */
export function errorMessage(error) {
  const { t } = i18n.global
  if (error?.network) return t('errors.network')
  return error?.detail || error?.title || t('errors.unknown')
}

/** {field: "message; message"} from a 422 problem, for Vant Field `error-message`. */
export function fieldErrors(error) {
  const result = {}
  for (const [field, messages] of Object.entries(error?.errors || {})) {
    result[field] = Array.isArray(messages) ? messages.join('; ') : String(messages)
  }
  return result
}

export function notifyError(error) {
  showNotify({ type: 'danger', message: errorMessage(error) })
}
