import { ref } from 'vue'

/** Infinite-scroll state over a paged API list ({items, total, page, per_page}). */
export function usePagedList(fetchPage) {
  const items = ref([])
  const loading = ref(false)
  const finished = ref(false)
  const failed = ref(false)
  let page = 0
  // A new search while a page is still on its way: that late page belongs to the old one.
  let generation = 0

  async function loadMore() {
    const mine = generation
    loading.value = true
    try {
      const result = await fetchPage(page + 1)
      if (mine !== generation) return
      page = result.page
      items.value.push(...result.items)
      finished.value = items.value.length >= result.total || result.items.length === 0
    } catch {
      if (mine === generation) failed.value = true
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  function reset() {
    generation += 1
    items.value = []
    page = 0
    finished.value = false
    failed.value = false
    loading.value = false
  }

  return { items, loading, finished, failed, loadMore, reset }
}
