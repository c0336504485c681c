import { createI18n } from 'vue-i18n'
import { Locale } from 'vant'
import vantZh from 'vant/es/locale/lang/zh-CN'
import vantEn from 'vant/es/locale/lang/en-US'
import en from './en.js'
import zhCN from './zh-CN.js'
import sales from './sales.js'
import shipping from './shipping.js'
import receivables from './receivables.js'
import returns from './returns.js'
import notifications from './notifications.js'
import stocktake from './stocktake.js'
import reports from './reports.js'
import dashboard from './dashboard.js'

// Areas keep their words in a file of their own, both languages side by side.
const AREAS = { sales, shipping, receivables, returns, notifications, stocktake, reports, dashboard }

function withAreas(base, code) {
  const merged = { ...base }
  for (const [name, words] of Object.entries(AREAS)) merged[name] = words[code]
  return merged
}

export const LOCALES = [
  { code: 'zh-CN', label: '简体中文' },
  { code: 'en', label: 'English' },
]
const STORAGE_KEY = 'jxc.locale'
const VANT = { 'zh-CN': ['zh-CN', vantZh], en: ['en-US', vantEn] }

/** A saved choice, else Chinese when the browser prefers any zh*, else English. */
function initialLocale() {
  const saved = localStorage.getItem(STORAGE_KEY)
  if (LOCALES.some((l) => l.code === saved)) return saved
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language]
  return preferred.some((lang) => lang?.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: { 'zh-CN': withAreas(zhCN, 'zh-CN'), en: withAreas(en, 'en') },
})

function applyLocale(code) {
  i18n.global.locale.value = code
  document.documentElement.lang = code
  Locale.use(...VANT[code])
}

/** The user's explicit choice, kept on this device. */
export function setLocale(code) {
  localStorage.setItem(STORAGE_KEY, code)
  applyLocale(code)
}

applyLocale(i18n.global.locale.value)
