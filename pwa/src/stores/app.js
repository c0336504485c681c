import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import { applyLocale, detectLocale } from '@/i18n'
import { fetchHealth } from '@/api/system'

export const useAppStore = defineStore('app', () => {
  const browserOnline = ref(navigator.onLine)
  // Set when the last API call could not reach the backend, even if the device has a network.
  const serverUnreachable = ref(false)
  const online = computed(() => browserOnline.value && !serverUnreachable.value)

  const locale = ref(applyLocale(detectLocale()))
  // Last answer of GET /health: {status, database, version}; null until known.
  const health = ref(null)
  const healthChecked = ref(false)

  function setLocale(code) {
    locale.value = applyLocale(code, { persist: true })
  }

  function markServerUnreachable() {
    serverUnreachable.value = true
  }

  function markServerReachable() {
    serverUnreachable.value = false
  }

  /** Ask the backend whether it is there; returns true when it answered. */
  async function checkServer() {
    try {
      health.value = await fetchHealth()
      return true
    } catch {
      health.value = null
      return false
    } finally {
      healthChecked.value = true
    }
  }

  function trackConnectivity(onBackOnline) {
    window.addEventListener('offline', () => {
      browserOnline.value = false
    })
    window.addEventListener('online', async () => {
      browserOnline.value = true
      if (await checkServer()) onBackOnline?.()
    })
  }

  return {
    online,
    serverUnreachable,
    locale,
    health,
    healthChecked,
    setLocale,
    markServerUnreachable,
    markServerReachable,
    checkServer,
    trackConnectivity,
  }
})
