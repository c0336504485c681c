// The stocktake screens' routes (children of the app layout); counting is two columns on a tablet.
export const stocktakeRoutes = [
  {
    path: 'stocktakes',
    component: () => import('../views/stocktake/StocktakeListView.vue'),
    meta: { titleKey: 'stocktake.titles.list', permission: 'stocktake:read' },
  },
  {
    path: 'stocktakes/new',
    component: () => import('../views/stocktake/StocktakeFormView.vue'),
    meta: { titleKey: 'stocktake.titles.new', permission: 'stocktake:write' },
  },
  {
    path: 'stocktakes/:id(\\d+)',
    component: () => import('../views/stocktake/StocktakeView.vue'),
    meta: { titleKey: 'stocktake.titles.stocktake', permission: 'stocktake:read' },
    props: true,
  },
  {
    path: 'stocktakes/:id(\\d+)/count',
    component: () => import('../views/stocktake/CountView.vue'),
    meta: { titleKey: 'stocktake.titles.count', permission: 'stocktake:write', wide: true },
    props: true,
  },
]
