export default {
  app: { name: 'JXC', fullName: 'JXC Stock' },
  common: {
    save: 'Save', cancel: 'Cancel', create: 'Create', edit: 'Edit', delete: 'Delete',
    confirm: 'Confirm', close: 'Close', copy: 'Copy', copied: 'Copied', reload: 'Reload',
    later: 'Later', search: 'Search', loading: 'Loading…', noMore: 'No more', empty: 'Nothing here yet',
    retry: 'Retry', back: 'Back', yes: 'Yes', no: 'No', all: 'All', required: 'Required',
    saved: 'Saved', networkError: 'No connection to the server', unknownError: 'Something went wrong',
  },
  offline: { banner: 'Offline — showing what this device has', ready: 'Ready to work offline' },
  update: { title: 'Update available', message: 'A new version of JXC is ready.', reload: 'Reload now', later: 'Later' },
  tabs: { home: 'Home', users: 'Users', me: 'Me' },
  titles: {
    login: 'Log in', home: 'Home', users: 'Users', newUser: 'New user', editUser: 'Edit user',
    audit: 'Audit log', settings: 'Me', tokens: 'API tokens',
  },
  login: {
    title: 'JXC Stock', subtitle: 'Purchase · Sales · Inventory',
    username: 'Username', password: 'Password', submit: 'Log in',
    usernameRequired: 'Enter your username', passwordRequired: 'Enter your password',
    failed: 'Login failed',
  },
  roles: {
    admin: 'Admin', manager: 'Manager', purchaser: 'Purchaser', sales: 'Sales',
    warehouse: 'Warehouse staff', finance: 'Finance', clerk: 'Stocktake clerk',
  },
  home: {
    greeting: 'Hello, {name}', warehouses: 'Warehouses', allWarehouses: 'All warehouses',
    shortcuts: 'Shortcuts', server: 'Server', version: 'version {version}', offline: 'offline',
  },
  modules: { users: 'Users', audit: 'Audit log', tokens: 'API tokens', settings: 'Settings' },
  users: {
    search: 'Search username or name', username: 'Username', displayName: 'Name', password: 'Password',
    newPassword: 'New password', newPasswordHint: 'Leave empty to keep the current password',
    roles: 'Roles', warehouses: 'Warehouses', active: 'Active', disabled: 'Disabled',
    lastLogin: 'Last login', never: 'never', pickRoles: 'Choose roles', pickWarehouses: 'Choose warehouses',
    noWarehouses: 'None (all warehouses)', stale: 'Someone else changed this user. Reload and try again.',
    passwordRule: 'At least 8 characters',
  },
  audit: {
    filterEntity: 'Filter by record type', anyEntity: 'All records', before: 'Before', after: 'After',
    system: 'system',
    entities: { users: 'User', api_tokens: 'API token', warehouses: 'Warehouse' },
    actions: { create: 'created', update: 'changed', delete: 'deleted', login: 'logged in', login_failed: 'failed login', login_refused: 'refused login' },
  },
  settings: {
    language: 'Language', tokens: 'API tokens', version: 'Version', logout: 'Log out',
    logoutConfirm: 'Log out of JXC on this device?', signedInAs: 'Signed in as {name}',
  },
  tokens: {
    intro: 'Tokens let scanners, scripts and other systems use the API as you.',
    name: 'Token name', namePlaceholder: 'e.g. Warehouse scanner 1', create: 'Create token',
    createdTitle: 'Copy your token now', createdWarning: 'It will not be shown again.',
    created: 'Created {date}', lastUsed: 'Last used {date}', neverUsed: 'Never used',
    copyFailed: 'Could not copy: select the token and copy it by hand.',
    revoke: 'Revoke', revokeConfirm: 'Revoke "{name}"? Anything using it stops working at once.',
  },
}
