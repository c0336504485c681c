// The sales screens' routes (children of the app layout).
export const salesRoutes = [
  {
    path: 'sales/orders',
    component: () => import('../views/sales/SalesOrderListView.vue'),
    meta: { titleKey: 'sales.titles.orders', permission: 'sales:read' },
  },
  {
    path: 'sales/orders/new',
    component: () => import('../views/sales/SalesOrderFormView.vue'),
    meta: { titleKey: 'sales.titles.newOrder', permission: 'sales:write' },
  },
  {
    // An order taken on this device that the server does not have yet.
    path: 'sales/orders/local/:clientId',
    component: () => import('../views/sales/LocalOrderView.vue'),
    meta: { titleKey: 'sales.titles.localOrder', permission: 'sales:write' },
    props: true,
  },
  {
    path: 'sales/orders/:id(\\d+)',
    component: () => import('../views/sales/SalesOrderView.vue'),
    meta: { titleKey: 'sales.titles.order', permission: 'sales:read' },
    props: true,
  },
]
