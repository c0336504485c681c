// The one registry of app areas. Home's shortcut grid is drawn from it, filtered by
// the signed-in user's permissions (no `permission` = everyone). New areas add an entry here.
export const MODULES = [
  { key: 'users', titleKey: 'modules.users', icon: 'friends-o', to: '/users', permission: 'users:read' },
  { key: 'audit', titleKey: 'modules.audit', icon: 'records-o', to: '/audit', permission: 'audit:read' },
  { key: 'tokens', titleKey: 'modules.tokens', icon: 'lock', to: '/settings/tokens' },
  { key: 'settings', titleKey: 'modules.settings', icon: 'setting-o', to: '/settings' },
]

export function modulesFor(can) {
  return MODULES.filter((module) => can(module.permission))
}
