// The customer finance screens' routes (children of the app layout). Receipts and the
// statement are the supplier side's screens for the other party (party: 'customer').
const customer = (route) => ({ id: route.params.id, party: 'customer' })

export const receivablesRoutes = [
  {
    path: 'finance/receivables',
    component: () => import('../views/receivables/ReceivablesView.vue'),
    meta: { titleKey: 'receivables.titles.receivables', permission: 'finance:read' },
  },
  {
    path: 'finance/receivables/customers/:id(\\d+)/statement',
    component: () => import('../views/finance/StatementView.vue'),
    meta: { titleKey: 'receivables.titles.statement', permission: 'finance:read' },
    props: customer,
  },
  {
    path: 'finance/invoices',
    component: () => import('../views/receivables/InvoiceListView.vue'),
    meta: { titleKey: 'receivables.titles.invoices', permission: 'finance:read' },
  },
  {
    path: 'finance/invoices/new',
    component: () => import('../views/receivables/InvoiceFormView.vue'),
    meta: { titleKey: 'receivables.titles.newInvoice', permission: 'finance:write' },
  },
  {
    path: 'finance/invoices/:id(\\d+)',
    component: () => import('../views/receivables/InvoiceView.vue'),
    meta: { titleKey: 'receivables.titles.invoice', permission: 'finance:read' },
    props: true,
  },
  {
    path: 'finance/receipts',
    component: () => import('../views/finance/PaymentListView.vue'),
    meta: { titleKey: 'receivables.titles.receipts', permission: 'finance:read' },
    props: { party: 'customer' },
  },
  {
    path: 'finance/receipts/new',
    component: () => import('../views/finance/PaymentFormView.vue'),
    meta: { titleKey: 'receivables.titles.newReceipt', permission: 'finance:write' },
    props: { party: 'customer' },
  },
  {
    path: 'finance/receipts/:id(\\d+)',
    component: () => import('../views/finance/PaymentView.vue'),
    meta: { titleKey: 'receivables.titles.receipt', permission: 'finance:read' },
    props: customer,
  },
]
