import { ref } from 'vue'

/** Infinite-scroll state over a paged API list ({items, total, page, per_page}). */
export function usePagedList(fetchPage) {
  const items = ref([])
  const loading = ref(false)
  const finished = ref(false)
  const failed = ref(false)
  let page = 0

  async function loadMore() {
    loading.value = true
    try {
      const result = await fetchPage(page + 1)
      page = result.page
      items.value.push(...result.items)
      finished.value = items.value.length >= result.total || result.items.length === 0
    } catch {
      failed.value = true
    } finally {
      loading.value = false
    }
  }

  function reset() {
    items.value = []
    page = 0
    finished.value = false
    failed.value = false
  }

  return { items, loading, finished, failed, loadMore, reset }
}
