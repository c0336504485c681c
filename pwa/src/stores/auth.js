import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as authApi from '../api/auth.js'
import { setCsrfToken } from '../lib/api.js'
import { disconnectLive } from '../lib/live.js'
import { disablePush, pushSupported } from '../lib/push.js'

// The last known user, so the shell still opens on a device with no network.
const CACHE_KEY = 'jxc.user'

function cachedUser() {
  try {
    return JSON.parse(localStorage.getItem(CACHE_KEY))
  } catch {
    return null
  }
}

export const useAuthStore = defineStore('auth', () => {
  const user = ref(null)
  const checked = ref(false)

  const loggedIn = computed(() => user.value !== null)
  const permissions = computed(() => new Set(user.value?.permissions || []))

  function can(permission) {
    return permissions.value.has(permission)
  }

  function remember(me) {
    user.value = me
    setCsrfToken(me.csrf_token)
    const { csrf_token: _secret, ...kept } = me
    localStorage.setItem(CACHE_KEY, JSON.stringify(kept))
  }

  function forget() {
    disconnectLive() // the next user opens their own socket, with their own rooms
    user.value = null
    setCsrfToken(null)
    localStorage.removeItem(CACHE_KEY)
  }

  /** On start: ask the server; with no network, fall back to the cached user. */
  async function loadMe() {
    try {
      remember(await authApi.me())
    } catch (error) {
      if (error.network) user.value = cachedUser()
      else forget()
    } finally {
      checked.value = true
    }
  }

  async function login(username, password) {
    const result = await authApi.login(username, password)
    remember({ ...result.user, csrf_token: result.csrf_token })
  }

  async function logout() {
    // This device stops getting the user's alerts while the app is closed.
    if (pushSupported()) await disablePush().catch(() => {})
    try {
      await authApi.logout()
    } finally {
      forget()
    }
  }

  return { user, checked, loggedIn, can, loadMe, login, logout, forget }
})
