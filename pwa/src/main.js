import { createApp } from 'vue'
import { createPinia } from 'pinia'
// All of Vant's styles once: function components (toast, dialog) need them too.
import 'vant/lib/index.css'
import './styles.css'
import App from './App.vue'
import { i18n } from './i18n/index.js'
import { router } from './router/index.js'
import { setUnauthorizedHandler } from './lib/api.js'
import { useAuthStore } from './stores/auth.js'

const app = createApp(App)
app.use(createPinia())
app.use(i18n)
app.use(router)

// The session ended on the server (logout elsewhere, password reset, disabled).
setUnauthorizedHandler(() => {
  useAuthStore().forget()
  const current = router.currentRoute.value
  if (!current.meta.public) router.replace({ path: '/login', query: { redirect: current.fullPath } })
})

app.mount('#app')
