// Web Push: alerts reach this device while the app is closed. The service worker shows them
// in the words this app last left for it (it has no i18n of its own).
import { i18n } from '../i18n/index.js'
import { pushKey, subscribePush, unsubscribePush } from '../api/notifications.js'
import { kindName, NOTIFICATION_KINDS } from '../views/notifications/describe.js'

const WORDS_CACHE = 'jxc-push'
export const WORDS_URL = '/push-words.json'

export const pushSupported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window && window.isSecureContext

function keyBytes(base64url) {
  const base64 = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/')
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
}

/** The words the service worker uses: the kinds' titles in the current language. */
export async function leaveWordsForPush() {
  if (!('caches' in window)) return
  const { t } = i18n.global
  const kinds = Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, kindName(kind)]))
  const cache = await caches.open(WORDS_CACHE)
  await cache.put(WORDS_URL, new Response(JSON.stringify({ app: t('app.name'), kinds, other: t('notifications.text.other') }), { headers: { 'Content-Type': 'application/json' } }))
}

/** The service worker's registration and its subscription (none without a worker yet). */
async function currentSubscription({ wait = false } = {}) {
  const registration = wait ? await navigator.serviceWorker.ready : await navigator.serviceWorker.getRegistration()
  return { registration, subscription: registration ? await registration.pushManager.getSubscription() : null }
}

export async function pushEnabled() {
  if (!pushSupported() || Notification.permission !== 'granted') return false
  return !!(await currentSubscription()).subscription
}

/** Ask for permission, subscribe with the server's key and register the subscription. */
export async function enablePush() {
  if ((await Notification.requestPermission()) !== 'granted') return 'denied'
  const { registration } = await currentSubscription({ wait: true })
  const { public_key } = await pushKey()
  const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(public_key) })
  await subscribePush(subscription.toJSON())
  await leaveWordsForPush()
  return 'on'
}

export async function disablePush() {
  const { subscription } = await currentSubscription()
  if (!subscription) return
  await unsubscribePush(subscription.endpoint).catch(() => {})
  await subscription.unsubscribe()
}
