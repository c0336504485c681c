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
]
