// The dashboard's and the replenishment screens' words (merged under `dashboard.`).
export default {
  en: {
    title: 'Dashboard',
  },
  'zh-CN': {
    title: '经营看板',
  },
}
