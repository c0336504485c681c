// The user's alerts: the unread count on the bell, the latest ones, a toast for each new
// one. New ones come by socket; on every (re)connect those made while this device was
// away are fetched after the last one it saw, so a phone that was off misses nothing.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { showNotify } from 'vant'
import * as notificationsApi from '../api/notifications.js'
import { i18n } from '../i18n/index.js'
import { onLive, onReconnect } from '../lib/live.js'
import { describe } from '../views/notifications/describe.js'
import { useAuthStore } from './auth.js'

const KEEP = 50
const TOAST_AT_MOST = 3 // more at once make one summary toast

export const useNotificationsStore = defineStore('notifications', () => {
  const auth = useAuthStore()
  const unread = ref(0)
  const recent = ref([]) // newest first
  let started = false

  const seenKey = () => `jxc.notifications.seen.${auth.user?.id}`
  const lastSeen = () => Number(localStorage.getItem(seenKey())) || 0
  const remember = (id) => id > lastSeen() && localStorage.setItem(seenKey(), String(id))

  function add(notifications) {
    const known = new Set(recent.value.map((n) => n.id))
    const fresh = notifications.filter((n) => !known.has(n.id))
    recent.value = [...fresh, ...recent.value].sort((a, b) => b.id - a.id).slice(0, KEEP)
    for (const n of fresh) remember(n.id)
    return fresh
  }

  function toast(fresh) {
    if (!fresh.length) return
    const { t } = i18n.global
    const message = fresh.length > TOAST_AT_MOST ? t('notifications.many', { n: fresh.length }) : fresh.map((n) => describe(n).text).join('\n')
    showNotify({ type: fresh.some((n) => describe(n).urgent) ? 'danger' : 'primary', message, duration: 5000, className: 'live-toast' })
  }

  async function refreshCount() {
    unread.value = (await notificationsApi.unreadCount()).count
  }

  /** What was made while the socket was down (all of it on the first run: no toasts then). */
  async function catchUp() {
    const first = !lastSeen()
    try {
      const page = await notificationsApi.listNotifications(first ? { per_page: 20 } : { after_id: lastSeen(), per_page: 100 })
      const fresh = add(page.items)
      if (!first) toast(fresh.filter((n) => !n.read_at))
      await refreshCount()
    } catch {
      // offline: the next reconnect tries again
    }
  }

  function received(notification) {
    if (!add([notification]).length) return
    if (!notification.read_at) unread.value += 1
    toast([notification])
  }

  async function read(notification) {
    if (notification.read_at) return
    const updated = await notificationsApi.markRead(notification.id)
    recent.value = recent.value.map((n) => (n.id === updated.id ? updated : n))
    unread.value = Math.max(0, unread.value - 1)
  }

  /** Everything up to the newest one shown (one arriving meanwhile stays unread). */
  async function readAll() {
    const newest = recent.value[0]?.id
    await notificationsApi.markAllRead(newest)
    const now = new Date().toISOString()
    recent.value = recent.value.map((n) => ({ ...n, read_at: n.read_at || now }))
    await refreshCount()
  }

  function start() {
    if (started) return
    started = true
    onLive('notification', received)
    onReconnect(catchUp)
  }

  function reset() {
    unread.value = 0
    recent.value = []
  }

  return { unread, recent, start, reset, catchUp, refreshCount, read, readAll, add }
})
