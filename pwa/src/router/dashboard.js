// The manager's dashboard and the replenishment screens (children of the app layout).
export const dashboardRoutes = [
  {
    path: 'dashboard',
    component: () => import('../views/dashboard/DashboardView.vue'),
    meta: { titleKey: 'dashboard.title', permission: 'reports:read', wide: true },
  },
  {
    path: 'purchasing/replenishment',
    component: () => import('../views/dashboard/ReplenishmentView.vue'),
    meta: { titleKey: 'dashboard.titles.replenishment', permission: 'purchasing:read' },
  },
  {
    path: 'purchasing/replenishment/:productId(\\d+)',
    component: () => import('../views/dashboard/ForecastView.vue'),
    meta: { titleKey: 'dashboard.titles.forecast', permission: 'purchasing:read' },
    props: true,
  },
]
