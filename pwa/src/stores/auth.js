import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import * as authApi from '@/api/auth'
import { readJson, removeKey, writeJson } from '@/lib/storage'

// The last signed-in user, so the shell can still start when the server is unreachable.
const CACHED_USER_KEY = 'jxc.lastUser'

export const useAuthStore = defineStore('auth', () => {
  const user = ref(null)
  const csrfToken = ref(null)
  // True when `user` came from the offline cache rather than from the server.
  const fromCache = ref(false)
  let firstLoad = null

  const isLoggedIn = computed(() => user.value !== null)
  const permissions = computed(() => user.value?.permissions ?? [])

  function can(permission) {
    return !permission || permissions.value.includes(permission)
  }

  function setSession(me, token) {
    const { csrf_token: meToken, ...profile } = me
    user.value = profile
    csrfToken.value = token ?? meToken ?? null
    fromCache.value = false
    writeJson(CACHED_USER_KEY, profile)
  }

  function clearSession() {
    user.value = null
    csrfToken.value = null
    fromCache.value = false
    removeKey(CACHED_USER_KEY)
  }

  async function loadMe() {
    try {
      setSession(await authApi.fetchMe())
    } catch (error) {
      if (error.status === 401) {
        clearSession()
        return
      }
      if (!error.network) throw error
      const cached = readJson(CACHED_USER_KEY)
      if (cached) {
        user.value = cached
        fromCache.value = true
      }
    }
  }

  /** Resolves once the boot-time /auth/me has settled (whatever its outcome). */
  function ensureLoaded() {
    firstLoad ??= loadMe().catch(() => {})
    return firstLoad
  }

  async function login(username, password) {
    const { user: me, csrf_token: token } = await authApi.login(username, password)
    setSession(me, token)
  }

  async function logout() {
    try {
      await authApi.logout()
    } catch {
      // Offline or already expired: the local session is dropped either way.
    } finally {
      clearSession()
    }
  }

  return {
    user,
    csrfToken,
    fromCache,
    isLoggedIn,
    permissions,
    can,
    login,
    logout,
    loadMe,
    ensureLoaded,
    clearSession,
  }
})
