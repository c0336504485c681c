import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

// Online means: the browser has a network AND the last API call reached the server.
export const useAppStore = defineStore('app', () => {
  const browserOnline = ref(navigator.onLine)
  const serverReachable = ref(true)

  window.addEventListener('online', () => (browserOnline.value = true))
  window.addEventListener('offline', () => (browserOnline.value = false))

  const online = computed(() => browserOnline.value && serverReachable.value)

  function setReachable(value) {
    serverReachable.value = value
  }

  return { online, browserOnline, serverReachable, setReachable }
})
