// A stored notification in the reader's words: the server keeps what it is about (ids,
// numbers, names, quantities) and no language. Also where tapping it leads.
import { i18n } from '../../i18n/index.js'
import { showQty } from '../stock/quantity.js'

const where = (data) => data.warehouse?.code || data.warehouse?.name || ''
const productName = (data) => data.product?.name || data.product?.sku || ''

const KINDS = {
  'stock.low': (d, t) => ({
    text: t('notifications.text.stockLow', { name: productName(d), warehouse: where(d), available: showQty(d.available), safety: showQty(d.safety_stock), unit: d.product?.unit || '' }),
    to: `/products/${d.product?.id}/stock`,
    icon: 'warning-o',
    urgent: true,
  }),
  'batch.expiring': (d, t) => ({
    text: t(d.expired ? 'notifications.text.batchExpired' : 'notifications.text.batchExpiring', {
      name: productName(d), batch: d.batch?.number, expiry: d.expiry, days: d.days_left, qty: showQty(d.qty), unit: d.product?.unit || '', warehouse: where(d),
    }),
    to: `/products/${d.product?.id}/stock`,
    icon: 'underway-o',
    urgent: !!d.expired,
  }),
  'order.status': (d, t) => ({
    text: t('notifications.text.orderStatus', {
      number: d.number,
      from: t(`notifications.states.${d.from}`),
      to: t(`notifications.states.${d.to}`),
      by: d.by?.display_name || d.by?.username || '',
    }),
    to: d.type === 'sales' ? `/sales/orders/${d.id}` : `/purchase-orders/${d.id}`,
    icon: d.type === 'sales' ? 'orders-o' : 'logistics',
    urgent: d.to === 'cancelled' || d.to === 'on_hold',
  }),
  'receivable.overdue': (d, t) => ({
    text: t('notifications.text.receivableOverdue', { number: d.invoice?.number, customer: d.customer?.name, days: d.days_overdue, open: d.open }),
    to: `/finance/invoices/${d.invoice?.id}`,
    icon: 'balance-pay',
    urgent: true,
  }),
  'po.late': (d, t) => ({
    text: t('notifications.text.poLate', { number: d.order?.number, supplier: d.supplier?.name, days: d.days_late, expected: d.expected_date }),
    to: `/purchase-orders/${d.order?.id}`,
    icon: 'logistics',
    urgent: false,
  }),
}

/** {text, to, icon, urgent} for a notification {kind, data}. */
export function describe(notification) {
  const { t } = i18n.global
  const kind = KINDS[notification.kind]
  if (!kind) return { text: t('notifications.text.other'), to: null, icon: 'bell', urgent: false }
  return kind(notification.data || {}, t)
}

export const NOTIFICATION_KINDS = Object.keys(KINDS)

/** A kind's name in the reader's words ('stock.low' → notifications.kinds.stock_low). */
export const kindName = (kind) => i18n.global.t(`notifications.kinds.${kind.replace('.', '_')}`)
