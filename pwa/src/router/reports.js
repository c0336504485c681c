// The report screens' routes (children of the app layout): the catalogue and one generic
// viewer that shows any report as cards on a phone and a table on a tablet.
export const reportsRoutes = [
  {
    path: 'reports',
    component: () => import('../views/reports/ReportListView.vue'),
    meta: { titleKey: 'reports.title', permission: 'reports:read' },
  },
  {
    path: 'reports/:name([a-z0-9-]+)',
    component: () => import('../views/reports/ReportView.vue'),
    meta: { titleKey: 'reports.title', permission: 'reports:read', wide: true },
    props: true,
  },
]
