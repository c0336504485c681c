import { createRouter, createWebHistory } from 'vue-router'
import { useAuthStore } from '@/stores/auth'

// meta: titleKey (i18n key for the NavBar and document title), permission (needed to open),
// public (reachable signed out), backTo (sub-page: where the back arrow goes without history).
const routes = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/auth/LoginView.vue'),
    meta: { titleKey: 'nav.login', public: true },
  },
  {
    path: '/',
    component: () => import('@/components/AppLayout.vue'),
    children: [
      {
        path: '',
        name: 'home',
        component: () => import('@/views/home/HomeView.vue'),
        meta: { titleKey: 'nav.home' },
      },
      {
        // Grouping record, so the Users tab stays active on the user sub-pages.
        path: 'users',
        children: [
          {
            path: '',
            name: 'users',
            component: () => import('@/views/users/UserListView.vue'),
            meta: { titleKey: 'nav.users', permission: 'users:read' },
          },
          {
            path: 'new',
            name: 'user-new',
            component: () => import('@/views/users/UserEditView.vue'),
            meta: { titleKey: 'nav.userNew', permission: 'users:write', backTo: '/users' },
          },
          {
            path: ':id(\\d+)',
            name: 'user-edit',
            component: () => import('@/views/users/UserEditView.vue'),
            props: (route) => ({ id: Number(route.params.id) }),
            meta: { titleKey: 'nav.userEdit', permission: 'users:read', backTo: '/users' },
          },
        ],
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('@/views/audit/AuditListView.vue'),
        meta: { titleKey: 'nav.audit', permission: 'audit:read', backTo: '/' },
      },
      {
        path: 'settings',
        children: [
          {
            path: '',
            name: 'settings',
            component: () => import('@/views/settings/SettingsView.vue'),
            meta: { titleKey: 'nav.settings' },
          },
          {
            path: 'tokens',
            name: 'tokens',
            component: () => import('@/views/settings/TokensView.vue'),
            meta: { titleKey: 'nav.tokens', backTo: '/settings' },
          },
        ],
      },
    ],
  },
  { path: '/:unknown(.*)*', redirect: '/' },
]

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
})

/** Only same-app paths are accepted as a post-login target (no open redirect). */
export function safeRedirect(target) {
  return typeof target === 'string' && target.startsWith('/') && !target.startsWith('//') ? target : '/'
}

router.beforeEach(async (to) => {
  const auth = useAuthStore()
  await auth.ensureLoaded()

  if (to.meta.public) {
    if (to.name === 'login' && auth.isLoggedIn) return safeRedirect(to.query.redirect)
    return true
  }
  if (!auth.isLoggedIn) {
    return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  if (to.meta.permission && !auth.can(to.meta.permission)) return { name: 'home' }
  return true
})

