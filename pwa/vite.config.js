import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { VitePWA } from 'vite-plugin-pwa'

const BACKEND = 'http://127.0.0.1:5000'

export default defineConfig({
  base: '/',
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  plugins: [
    vue(),
    // Vant components used in templates are imported (with their CSS) on demand.
    Components({ resolvers: [VantResolver()], dts: false }),
    VitePWA({
      registerType: 'prompt',
      includeAssets: ['icons/apple-touch-icon.png'],
      manifest: {
        name: 'JXC 进销存',
        short_name: 'JXC',
        description: 'Purchase, sales and inventory',
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
        globPatterns: ['**/*.{js,css,html,png,svg,woff2,wasm}'],
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/socket\.io/],
        cleanupOutdatedCaches: true,
        // API data must always come from the server: no runtime caching of /api.
        runtimeCaching: [],
      },
    }),
  ],
  server: {
    proxy: {
      '/api': { target: BACKEND, changeOrigin: false },
      '/socket.io': { target: BACKEND, ws: true },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true },
})
