// The shipping screens' routes (children of the app layout): the orders to ship, and one
// order's pick list to scan against (two columns on a tablet).
export const shippingRoutes = [
  {
    path: 'shipping',
    component: () => import('../views/shipping/ShipOrderListView.vue'),
    meta: { titleKey: 'shipping.titles.orders', permission: 'inventory:write' },
  },
  {
    path: 'shipping/:id(\\d+)',
    component: () => import('../views/shipping/ShipView.vue'),
    meta: { titleKey: 'shipping.titles.ship', permission: 'inventory:write', wide: true },
    props: true,
  },
  {
    // Goods a customer sends back against one shipment.
    path: 'shipping/shipments/:id(\\d+)/return',
    component: () => import('../views/shipping/ReturnView.vue'),
    meta: { titleKey: 'returns.title', permission: 'inventory:write' },
    props: true,
  },
]
