// The report screens' words, both languages side by side (merged under `reports.`).
export default {
  en: {
    title: 'Reports',
  },
  'zh-CN': {
    title: '报表',
  },
}
