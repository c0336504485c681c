import { ref } from 'vue'

/**
 * State for a van-list fed by a paginated endpoint ({items, total, page, per_page}).
 * fetchPage({page, per_page}) returns one page; reset() starts over (new filter).
 */
export function usePagedList(fetchPage, { perPage = 20 } = {}) {
  const items = ref([])
  const total = ref(0)
  const loading = ref(false)
  const finished = ref(false)
  const failed = ref(false)
  let lastPage = 0
  // Answers that arrive after a reset belong to the old filter and are dropped.
  let generation = 0

  async function loadMore() {
    const mine = generation
    loading.value = true
    try {
      const data = await fetchPage({ page: lastPage + 1, per_page: perPage })
      if (mine !== generation) return
      lastPage += 1
      items.value.push(...data.items)
      total.value = data.total
      finished.value = items.value.length >= data.total || data.items.length < perPage
    } catch {
      if (mine === generation) failed.value = true
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  function reload() {
    generation += 1
    lastPage = 0
    items.value = []
    total.value = 0
    finished.value = false
    failed.value = false
    return loadMore()
  }

  return { items, total, loading, finished, failed, loadMore, reload }
}
