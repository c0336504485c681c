import { watch } from 'vue'
import { useI18n } from 'vue-i18n'
import { useRegisterSW } from 'virtual:pwa-register/vue'
import { showConfirmDialog, showToast } from 'vant'

/** Registers the service worker; asks before reloading into a new version. */
export function usePwaPrompts() {
  const { t } = useI18n()
  const { needRefresh, offlineReady, updateServiceWorker } = useRegisterSW()

  watch(needRefresh, async (ready) => {
    if (!ready) return
    try {
      await showConfirmDialog({
        title: t('pwa.updateTitle'),
        message: t('pwa.updateMessage'),
        confirmButtonText: t('pwa.reload'),
        cancelButtonText: t('pwa.later'),
      })
      await updateServiceWorker(true)
    } catch {
      // "Later": the waiting version takes over once every JXC tab is closed.
      needRefresh.value = false
    }
  })

  watch(offlineReady, (ready) => {
    if (ready) showToast(t('pwa.offlineReady'))
  })
}
