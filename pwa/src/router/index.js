import { createRouter, createWebHistory } from 'vue-router'
import { useAuthStore } from '../stores/auth.js'
import { salesRoutes } from './sales.js'
import { shippingRoutes } from './shipping.js'
import { receivablesRoutes } from './receivables.js'
import { stocktakeRoutes } from './stocktake.js'
import { reportsRoutes } from './reports.js'
import { dashboardRoutes } from './dashboard.js'

const routes = [
  {
    path: '/login',
    component: () => import('../views/auth/LoginView.vue'),
    meta: { titleKey: 'titles.login', public: true },
  },
  {
    path: '/',
    component: () => import('../components/AppLayout.vue'),
    children: [
      { path: '', component: () => import('../views/home/HomeView.vue'), meta: { titleKey: 'titles.home', tab: true } },
      { path: 'scan', component: () => import('../views/stock/ScanView.vue'), meta: { titleKey: 'titles.scan', permission: 'inventory:write', tab: true, wide: true } },
      { path: 'outbox', component: () => import('../views/outbox/OutboxView.vue'), meta: { titleKey: 'titles.outbox' } },
      { path: 'notifications', component: () => import('../views/notifications/NotificationsView.vue'), meta: { titleKey: 'notifications.title' } },
      { path: 'users', component: () => import('../views/users/UserListView.vue'), meta: { titleKey: 'titles.users', permission: 'users:read', tab: true } },
      { path: 'users/new', component: () => import('../views/users/UserEditView.vue'), meta: { titleKey: 'titles.newUser', permission: 'users:write' } },
      { path: 'users/:id', component: () => import('../views/users/UserEditView.vue'), meta: { titleKey: 'titles.editUser', permission: 'users:read' }, props: true },
      { path: 'products', component: () => import('../views/catalog/ProductListView.vue'), meta: { titleKey: 'titles.products', permission: 'catalog:read' } },
      { path: 'products/import', component: () => import('../views/imports/ImportView.vue'), meta: { titleKey: 'titles.importProducts', permission: 'catalog:write' }, props: { kind: 'products' } },
      { path: 'suppliers/import', component: () => import('../views/imports/ImportView.vue'), meta: { titleKey: 'titles.importSuppliers', permission: 'partners:write' }, props: { kind: 'suppliers' } },
      { path: 'customers/import', component: () => import('../views/imports/ImportView.vue'), meta: { titleKey: 'titles.importCustomers', permission: 'partners:write' }, props: { kind: 'customers' } },
      { path: 'products/new', component: () => import('../views/catalog/ProductView.vue'), meta: { titleKey: 'titles.newProduct', permission: 'catalog:write' } },
      { path: 'products/:id', component: () => import('../views/catalog/ProductView.vue'), meta: { titleKey: 'titles.product', permission: 'catalog:read' }, props: true },
      { path: 'stock/opening-import', component: () => import('../views/imports/ImportView.vue'), meta: { titleKey: 'titles.importOpeningStock', permission: 'inventory:write' }, props: { kind: 'opening-stock' } },
      { path: 'products/:id/stock', component: () => import('../views/stock/ProductStockView.vue'), meta: { titleKey: 'titles.productStock', permission: 'inventory:read' }, props: true },
      { path: 'categories', component: () => import('../views/catalog/CategoriesView.vue'), meta: { titleKey: 'titles.categories', permission: 'catalog:read' } },
      { path: 'suppliers', component: () => import('../views/partners/PartnerListView.vue'), meta: { titleKey: 'titles.suppliers', permission: 'partners:read' }, props: { kind: 'suppliers' } },
      { path: 'suppliers/new', component: () => import('../views/partners/SupplierView.vue'), meta: { titleKey: 'titles.newSupplier', permission: 'partners:write' } },
      { path: 'suppliers/:id', component: () => import('../views/partners/SupplierView.vue'), meta: { titleKey: 'titles.supplier', permission: 'partners:read' }, props: true },
      { path: 'customers', component: () => import('../views/partners/PartnerListView.vue'), meta: { titleKey: 'titles.customers', permission: 'partners:read' }, props: { kind: 'customers' } },
      { path: 'customers/new', component: () => import('../views/partners/CustomerView.vue'), meta: { titleKey: 'titles.newCustomer', permission: 'partners:write' } },
      { path: 'customers/:id', component: () => import('../views/partners/CustomerView.vue'), meta: { titleKey: 'titles.customer', permission: 'partners:read' }, props: true },
      { path: 'warehouses', component: () => import('../views/warehouses/WarehouseListView.vue'), meta: { titleKey: 'titles.warehouses', permission: 'warehouses:read' } },
      { path: 'warehouses/new', component: () => import('../views/warehouses/WarehouseView.vue'), meta: { titleKey: 'titles.newWarehouse', permission: 'warehouses:write' } },
      { path: 'warehouses/:id', component: () => import('../views/warehouses/WarehouseView.vue'), meta: { titleKey: 'titles.warehouse', permission: 'warehouses:read' }, props: true },
      { path: 'purchase-orders', component: () => import('../views/purchasing/PurchaseOrderListView.vue'), meta: { titleKey: 'titles.purchaseOrders', permission: 'purchasing:read' } },
      { path: 'purchasing/reorder', component: () => import('../views/purchasing/ReorderView.vue'), meta: { titleKey: 'titles.reorder', permission: 'purchasing:read' } },
      { path: 'purchase-orders/new', component: () => import('../views/purchasing/PurchaseOrderFormView.vue'), meta: { titleKey: 'titles.newPurchaseOrder', permission: 'purchasing:write', wide: true } },
      { path: 'purchase-orders/:id/edit', component: () => import('../views/purchasing/PurchaseOrderFormView.vue'), meta: { titleKey: 'titles.editPurchaseOrder', permission: 'purchasing:write', wide: true }, props: true },
      { path: 'purchase-orders/:id', component: () => import('../views/purchasing/PurchaseOrderView.vue'), meta: { titleKey: 'titles.purchaseOrder', permission: 'purchasing:read' }, props: true },
      { path: 'purchase-orders/:id/receive', component: () => import('../views/purchasing/ReceiveView.vue'), meta: { titleKey: 'titles.receive', permission: 'inventory:write', wide: true }, props: true },
      { path: 'finance/payables', component: () => import('../views/finance/PayablesView.vue'), meta: { titleKey: 'titles.payables', permission: 'finance:read' } },
      { path: 'finance/suppliers/:id/statement', component: () => import('../views/finance/StatementView.vue'), meta: { titleKey: 'titles.statement', permission: 'finance:read' }, props: true },
      { path: 'finance/bills', component: () => import('../views/finance/BillListView.vue'), meta: { titleKey: 'titles.supplierBills', permission: 'finance:read' } },
      { path: 'finance/bills/new', component: () => import('../views/finance/BillFormView.vue'), meta: { titleKey: 'titles.newSupplierBill', permission: 'finance:write', wide: true } },
      { path: 'finance/bills/:id', component: () => import('../views/finance/BillView.vue'), meta: { titleKey: 'titles.supplierBill', permission: 'finance:read' }, props: true },
      { path: 'finance/payments', component: () => import('../views/finance/PaymentListView.vue'), meta: { titleKey: 'titles.supplierPayments', permission: 'finance:read' } },
      { path: 'finance/payments/new', component: () => import('../views/finance/PaymentFormView.vue'), meta: { titleKey: 'titles.newSupplierPayment', permission: 'finance:write' } },
      { path: 'finance/payments/:id', component: () => import('../views/finance/PaymentView.vue'), meta: { titleKey: 'titles.supplierPayment', permission: 'finance:read' }, props: true },
      ...salesRoutes,
      ...shippingRoutes,
      ...receivablesRoutes,
      ...stocktakeRoutes,
      ...reportsRoutes,
      ...dashboardRoutes,
      { path: 'audit', component: () => import('../views/audit/AuditListView.vue'), meta: { titleKey: 'titles.audit', permission: 'audit:read' } },
      { path: 'me', component: () => import('../views/settings/SettingsView.vue'), meta: { titleKey: 'titles.settings', tab: true } },
      { path: 'me/tokens', component: () => import('../views/settings/TokensView.vue'), meta: { titleKey: 'titles.tokens' } },
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  const auth = useAuthStore()
  if (!auth.checked) await auth.loadMe()
  if (to.meta.public) return auth.loggedIn && to.path === '/login' ? '/' : true
  if (!auth.loggedIn) return { path: '/login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (to.meta.permission && !auth.can(to.meta.permission)) return '/'
  return true
})
