import { createApp } from 'vue'
import { createPinia } from 'pinia'
// Styles for Vant's function-style APIs (showToast, showDialog, showNotify), which the
// template auto-import cannot see.
import 'vant/es/toast/style'
import 'vant/es/dialog/style'
import 'vant/es/notify/style'
import './styles.css'

import App from './App.vue'
import { i18n } from './i18n'
import { router } from './router'
import { configureApi } from './lib/api'
import { useAppStore } from './stores/app'
import { useAuthStore } from './stores/auth'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)

const appStore = useAppStore()
const auth = useAuthStore()

configureApi({
  csrfToken: () => auth.csrfToken,
  onNetworkError: appStore.markServerUnreachable,
  onReachable: appStore.markServerReachable,
  onUnauthorized() {
    auth.clearSession()
    const current = router.currentRoute.value
    if (current.meta.public) return
    router.replace({ name: 'login', query: { redirect: current.fullPath } })
  },
})

// Back online after an offline start: swap the cached user for the real session.
appStore.trackConnectivity(async () => {
  if (!auth.fromCache) return
  await auth.loadMe().catch(() => {})
  if (!auth.isLoggedIn) router.replace({ name: 'login', query: { redirect: router.currentRoute.value.fullPath } })
})
appStore.checkServer()

app.use(router)
app.mount('#app')
