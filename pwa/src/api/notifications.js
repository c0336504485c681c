import { api } from '../lib/api.js'

export const listNotifications = (query) => api.get('/notifications', query)
export const unreadCount = () => api.get('/notifications/unread-count')
export const markRead = (id) => api.post(`/notifications/${id}/read`, {})
export const markAllRead = (upToId) => api.post('/notifications/read-all', { up_to_id: upToId ?? null })
export const getPreferences = () => api.get('/notifications/preferences')
export const savePreferences = (preferences) => api.put('/notifications/preferences', preferences)
export const pushKey = () => api.get('/push/key')
export const subscribePush = (subscription) => api.post('/push/subscriptions', subscription)
export const unsubscribePush = (endpoint) => api.delete('/push/subscriptions', { body: { endpoint } })
/** Low stock, expiring batches, today's orders (null where the role does not show one). */
export const alertSummary = () => api.get('/alerts/summary')
