import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { VitePWA } from 'vite-plugin-pwa'

const backend = 'http://127.0.0.1:5000'

const pwa = {
  registerType: 'prompt',
  includeAssets: ['icons/*.png'],
  manifest: {
    name: 'JXC 进销存',
    short_name: 'JXC',
    description: 'Purchase, sales and inventory 进销存',
    lang: 'zh-CN',
    theme_color: '#1677ff',
    background_color: '#f7f8fa',
    display: 'standalone',
    start_url: '/',
    scope: '/',
    icons: [
      { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  },
  workbox: {
    globPatterns: ['**/*.{js,css,html,png,svg,ico,woff2,wasm,webmanifest}'],
    // The barcode decoder's .wasm (about 1.1 MB) must be precached, or camera scanning dies
    // offline; Workbox silently skips files over its 2 MB default, so leave room to grow.
    maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
    navigateFallback: '/index.html',
    // The API and the socket are live data: never answered from the cache.
    navigateFallbackDenylist: [/^\/api\//, /^\/socket\.io/],
    cleanupOutdatedCaches: true,
    // The first visit is controlled at once, so the app opens offline from then on;
    // updates still wait for the user's yes (registerType 'prompt').
    clientsClaim: true,
    // Pushed alerts while the app is closed (public/push-sw.js).
    importScripts: ['/push-sw.js'],
  },
}

export default defineConfig({
  plugins: [vue(), Components({ resolvers: [VantResolver({ importStyle: false })] }), VitePWA(pwa)],
  server: {
    proxy: {
      '/api': backend,
      '/socket.io': { target: backend, ws: true },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true },
})
