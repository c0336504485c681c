// Loaded by the service worker: shows a pushed alert while the app is closed, and opens the
// notification centre when it is tapped. Words come from the app (see src/lib/push.js).
/* global self, caches, clients */
async function words() {
  try {
    const cached = await (await caches.open('jxc-push')).match('/push-words.json')
    return cached ? await cached.json() : {}
  } catch {
    return {}
  }
}

function subject(data) {
  const d = data || {}
  return d.product?.name || d.number || d.invoice?.number || d.order?.number || ''
}

self.addEventListener('push', (event) => {
  let message = {}
  try {
    message = event.data ? event.data.json() : {}
  } catch {
    message = {}
  }
  event.waitUntil(
    words().then((w) =>
      self.registration.showNotification(w.kinds?.[message.kind] || w.app || 'JXC', {
        body: subject(message.data) || w.other || '',
        tag: message.id ? `jxc-${message.id}` : undefined,
        icon: '/icons/icon-192.png',
        badge: '/icons/icon-192.png',
        data: { url: '/notifications' },
      }),
    ),
  )
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const url = event.notification.data?.url || '/'
  event.waitUntil(
    clients.matchAll({ type: 'window', includeUncontrolled: true }).then((open) => {
      const client = open.find((c) => 'focus' in c)
      if (client) return client.navigate(url).then((c) => (c || client).focus())
      return clients.openWindow(url)
    }),
  )
})
