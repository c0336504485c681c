import { ref, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { today } from './dates.js'

/**
 * The tab of a payables/receivables screen and the ageing's day, kept in the address
 * (?view=ageing&as_of=…), so "back" from a statement returns to them. The first tab is
 * the one shown when the address names none.
 */
export function useLedgerTabs(names) {
  const route = useRoute()
  const router = useRouter()
  const tab = ref(names.includes(route.query.view) ? route.query.view : names[0])
  const asOf = ref(typeof route.query.as_of === 'string' ? route.query.as_of : today())

  watch([tab, asOf], () => {
    let query = {}
    if (tab.value === 'ageing') query = { view: 'ageing', as_of: asOf.value }
    else if (tab.value !== names[0]) query = { view: tab.value }
    router.replace({ query })
  })
  return { tab, asOf }
}
