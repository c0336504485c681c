// The home screen's shortcuts: one registry, filtered by the user's permissions.
// Each area adds its entry here when its screens exist.
export const MODULES = [
  { key: 'dashboard', titleKey: 'modules.dashboard', icon: 'chart-trending-o', to: '/dashboard', permission: 'reports:read' },
  { key: 'scan', titleKey: 'modules.scan', icon: 'scan', to: '/scan', permission: 'inventory:write' },
  { key: 'newSalesOrder', titleKey: 'modules.newSalesOrder', icon: 'add-square', to: '/sales/orders/new', permission: 'sales:write' },
  { key: 'salesOrders', titleKey: 'modules.salesOrders', icon: 'orders-o', to: '/sales/orders', permission: 'sales:read' },
  { key: 'stocktakes', titleKey: 'modules.stocktakes', icon: 'todo-list-o', to: '/stocktakes', permission: 'stocktake:read' },
  { key: 'shipping', titleKey: 'modules.shipping', icon: 'send-gift-o', to: '/shipping', permission: 'inventory:write' },
  { key: 'purchaseOrders', titleKey: 'modules.purchaseOrders', icon: 'logistics', to: '/purchase-orders', permission: 'purchasing:read' },
  { key: 'reports', titleKey: 'modules.reports', icon: 'bar-chart-o', to: '/reports', permission: 'reports:read' },
  { key: 'replenishment', titleKey: 'modules.replenishment', icon: 'cart-circle-o', to: '/purchasing/replenishment', permission: 'purchasing:read' },
  { key: 'reorder', titleKey: 'modules.reorder', icon: 'replay', to: '/purchasing/reorder', permission: 'purchasing:read' },
  { key: 'receivables', titleKey: 'modules.receivables', icon: 'balance-pay', to: '/finance/receivables', permission: 'finance:read' },
  { key: 'customerInvoices', titleKey: 'modules.customerInvoices', icon: 'description', to: '/finance/invoices', permission: 'finance:read' },
  { key: 'customerReceipts', titleKey: 'modules.customerReceipts', icon: 'gold-coin-o', to: '/finance/receipts', permission: 'finance:read' },
  { key: 'payables', titleKey: 'modules.payables', icon: 'balance-o', to: '/finance/payables', permission: 'finance:read' },
  { key: 'supplierBills', titleKey: 'modules.supplierBills', icon: 'bill-o', to: '/finance/bills', permission: 'finance:read' },
  { key: 'supplierPayments', titleKey: 'modules.supplierPayments', icon: 'paid', to: '/finance/payments', permission: 'finance:read' },
  { key: 'products', titleKey: 'modules.products', icon: 'goods-collect-o', to: '/products', permission: 'catalog:read' },
  { key: 'users', titleKey: 'modules.users', icon: 'friends-o', to: '/users', permission: 'users:read' },
  { key: 'categories', titleKey: 'modules.categories', icon: 'cluster-o', to: '/categories', permission: 'catalog:read' },
  { key: 'customers', titleKey: 'modules.customers', icon: 'manager-o', to: '/customers', permission: 'partners:read' },
  { key: 'suppliers', titleKey: 'modules.suppliers', icon: 'logistics', to: '/suppliers', permission: 'partners:read' },
  { key: 'warehouses', titleKey: 'modules.warehouses', icon: 'shop-o', to: '/warehouses', permission: 'warehouses:read' },
  { key: 'openingStock', titleKey: 'modules.openingStock', icon: 'upgrade', to: '/stock/opening-import', permission: 'inventory:write' },
  { key: 'audit', titleKey: 'modules.audit', icon: 'records-o', to: '/audit', permission: 'audit:read' },
  { key: 'tokens', titleKey: 'modules.tokens', icon: 'shield-o', to: '/me/tokens', permission: null },
  { key: 'settings', titleKey: 'modules.settings', icon: 'setting-o', to: '/me', permission: null },
]

export function modulesFor(can) {
  return MODULES.filter((m) => !m.permission || can(m.permission))
}
