export const ROLES = ['admin', 'manager', 'purchaser', 'sales', 'warehouse', 'finance', 'clerk']

// Roles that see every warehouse when none are assigned; the others work only in theirs.
export const UNSCOPED_ROLES = ['admin', 'manager', 'finance']

/** Translated role name; an unknown role from a newer backend shows as its raw name. */
export function roleLabel(t, te, role) {
  const key = `roles.${role}`
  return te(key) ? t(key) : role
}
