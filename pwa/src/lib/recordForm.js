import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { useRouter } from 'vue-router'
import { showNotify, showSuccessToast } from 'vant'
import { fieldErrors, problemMessage } from './problems.js'

/**
 * Create-or-edit of one record: load it, save it with its version, and put a refusal's
 * reasons under the fields (or in a notice when no field is named).
 * `create(body)` and `update(body)` call the API; `pathOf(saved)` is where a new record lives.
 */
export function useRecordForm({ isNew, load, create, update, pathOf }) {
  const { t } = useI18n()
  const router = useRouter()
  const version = ref(null)
  const errors = ref({})
  const saving = ref(false)

  async function open(fill) {
    if (isNew()) return
    const record = await load()
    version.value = record.version
    fill(record)
  }

  async function save(body, refill) {
    saving.value = true
    errors.value = {}
    try {
      if (isNew()) {
        const created = await create(body)
        router.replace(pathOf(created))
      } else {
        const saved = await update({ version: version.value, ...body })
        version.value = saved.version
        refill?.(saved)
      }
      showSuccessToast(t('common.saved'))
    } catch (error) {
      errors.value = fieldErrors(error)
      if (!Object.keys(errors.value).length || error.kind === 'stale-version') {
        showNotify({ type: 'warning', message: problemMessage(error) })
      }
    } finally {
      saving.value = false
    }
  }

  return { version, errors, saving, open, save }
}
