import { computed, ref } from 'vue'
import { allocateOldestFirst, centsText, toCents } from './amounts.js'
import { rowErrors } from './errors.js'
import { SIDES } from './sides.js'

/**
 * The open documents of a partner — a supplier's bills or a customer's invoices — and the
 * share of a payment or receipt typed for each ({docId: text}), for AllocationEditor; `rows`
 * is what the API takes ([{bill_id | invoice_id, amount}]) and `spread` puts a 422 back on
 * the documents (the server names "allocations.N.amount" by position in what was sent).
 */
export function useAllocations(party = 'supplier') {
  const side = SIDES[party]
  const key = `${side.doc}_id`
  const docs = ref([])
  const shares = ref({})
  const errors = ref({}) // {docId: reason}
  const loading = ref(false)

  async function load(partyId) {
    loading.value = true
    docs.value = []
    shares.value = {}
    errors.value = {}
    try {
      docs.value = (await side.openDocs(partyId)).filter((doc) => (toCents(doc.open) ?? 0n) > 0n)
    } finally {
      loading.value = false
    }
  }

  const oldestFirst = (available) => {
    shares.value = allocateOldestFirst(docs.value, available)
    errors.value = {}
  }

  const clear = () => {
    shares.value = {}
    errors.value = {}
  }

  /** [{<doc>_id, amount}] for the documents given more than nothing, in the list's order. */
  const rows = computed(() =>
    docs.value
      .filter((doc) => (toCents(shares.value[doc.id]) ?? 0n) > 0n || (shares.value[doc.id] && toCents(shares.value[doc.id]) === null))
      .map((doc) => {
        const cents = toCents(shares.value[doc.id])
        return { [key]: doc.id, amount: cents === null ? String(shares.value[doc.id]).trim() : centsText(cents) }
      }),
  )

  /** A refusal's reasons: those of one allocation on its document, the rest returned. */
  function spread(problem, sent) {
    const rest = {}
    const byDoc = {}
    for (const [field, reason] of Object.entries(rowErrors(problem))) {
      const match = field.match(/^allocations\.(\d+)\.\w+$/)
      const row = match && sent[Number(match[1])]
      if (row) byDoc[row[key]] = byDoc[row[key]] ? `${byDoc[row[key]]}; ${reason}` : reason
      else rest[field] = reason
    }
    errors.value = byDoc
    return rest
  }

  return { docs, shares, errors, loading, load, oldestFirst, clear, rows, spread }
}
