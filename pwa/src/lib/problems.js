import { i18n } from '../i18n/index.js'

/** What to tell the user about a failed call: our words for known problems, else the server's. */
export function problemMessage(error) {
  const { t, te } = i18n.global
  if (error.network) return t('common.networkError')
  const key = `problems.${error.kind}`
  if (error.kind && te(key)) return t(key)
  return error.detail || t('common.unknownError')
}
