import { onBeforeUnmount, watch } from 'vue'

/** Calls `callback` once `source` has stopped changing for `delay` ms (search-as-you-type). */
export function useDebouncedWatch(source, callback, delay = 350) {
  let timer = null
  watch(source, () => {
    clearTimeout(timer)
    timer = setTimeout(callback, delay)
  })
  onBeforeUnmount(() => clearTimeout(timer))
}
