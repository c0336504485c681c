import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { showNotify, showToast } from 'vant'
import { i18n } from '../i18n/index.js'
import * as outbox from '../lib/outbox.js'
import { useAppStore } from './app.js'
import { useAuthStore } from './auth.js'

const RETRY_MS = 15000

// The outbox as the screens see it: the user's waiting and refused writes, kept in step
// with IndexedDB, and the triggers that replay them (start, reconnect, every 15 s).
export const useOutboxStore = defineStore('outbox', () => {
  const auth = useAuthStore()
  const app = useAppStore()
  const entries = ref([])
  const flushing = ref(false)
  const pending = computed(() => entries.value.filter((e) => e.state === 'pending'))
  const rejected = computed(() => entries.value.filter((e) => e.state === 'rejected'))
  // Other tabs of the app hear about changes and re-read the list.
  const channel = 'BroadcastChannel' in window ? new BroadcastChannel('jxc-outbox') : null
  let timer = null
  let started = false

  const userId = () => auth.user?.id

  async function refresh() {
    entries.value = userId() ? await outbox.entriesOf(userId()).catch(() => []) : []
    // Retry now and then, but only while something waits.
    if (pending.value.length && !timer) timer = setInterval(flush, RETRY_MS)
    if (!pending.value.length && timer) {
      clearInterval(timer)
      timer = null
    }
  }

  async function changed() {
    channel?.postMessage('changed')
    await refresh()
  }

  async function flush() {
    await refresh()
    if (!userId() || !pending.value.length || flushing.value) return
    // Opened offline, the app has only the cached user and no CSRF token: get one first.
    if (!auth.user.csrf_token) {
      await auth.loadMe()
      if (!auth.user?.csrf_token) return
    }
    flushing.value = true
    try {
      const report = await outbox.replay(userId(), () => refresh())
      const { t } = i18n.global
      if (report.sent) showToast(t('outbox.sentNotice', { n: report.sent }))
      if (report.rejected) showNotify({ type: 'warning', message: t('outbox.rejectedNotice', { n: report.rejected }) })
      // The session was renewed elsewhere: take the new token for the next round.
      if (report.stalled?.kind === 'csrf-failed') await auth.loadMe()
    } finally {
      flushing.value = false
      await changed()
    }
  }

  /** Send a write through the outbox: {method, path, body, summary, draft}. See lib/outbox.send. */
  async function send(write) {
    const result = await outbox.send({ ...write, userId: userId() })
    if (result.queued) {
      await changed()
      flush() // it may have queued only behind older writes that can go now
    }
    return result
  }

  async function discard(id) {
    await outbox.removeEntry(id)
    await changed()
  }

  async function sendAgain(id) {
    await outbox.requeue(id)
    await changed()
    await flush()
  }

  /** Take a refused write back out of the outbox, to fix it in its screen. */
  async function takeBack(id) {
    const entry = await outbox.getEntry(id)
    if (!entry || entry.user_id !== userId()) return null
    await discard(id)
    return entry
  }

  function start() {
    if (started) return
    started = true
    window.addEventListener('online', flush)
    watch(() => app.online, (online) => online && flush())
    watch(() => auth.user?.id, flush)
    if (channel) channel.onmessage = () => refresh()
    flush()
  }

  return { entries, pending, rejected, flushing, refresh, flush, send, discard, sendAgain, takeBack, start }
})
