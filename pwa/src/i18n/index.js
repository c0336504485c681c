import { createI18n } from 'vue-i18n'
import { Locale } from 'vant'
import vantZhCN from 'vant/es/locale/lang/zh-CN'
import vantEnUS from 'vant/es/locale/lang/en-US'
import zhCN from './zh-CN'
import en from './en'
import { readJson, writeJson } from '@/lib/storage'

export const SUPPORTED_LOCALES = ['zh-CN', 'en']
const STORAGE_KEY = 'jxc.locale'
const VANT_LOCALES = { 'zh-CN': ['zh-CN', vantZhCN], en: ['en-US', vantEnUS] }

/** Saved choice, else Chinese when the browser ranks any zh* above English, else English. */
export function detectLocale() {
  const saved = readJson(STORAGE_KEY)
  if (SUPPORTED_LOCALES.includes(saved)) return saved
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language || 'en']
  const first = preferred.map((tag) => tag.toLowerCase()).find((tag) => tag.startsWith('zh') || tag.startsWith('en'))
  return first?.startsWith('zh') ? 'zh-CN' : 'en'
}

export const i18n = createI18n({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { 'zh-CN': zhCN, en },
})

/** Switch vue-i18n, Vant's built-in texts and <html lang> together. */
export function applyLocale(locale, { persist = false } = {}) {
  const code = SUPPORTED_LOCALES.includes(locale) ? locale : 'en'
  i18n.global.locale.value = code
  Locale.use(...VANT_LOCALES[code])
  document.documentElement.lang = code
  if (persist) writeJson(STORAGE_KEY, code)
  return code
}
