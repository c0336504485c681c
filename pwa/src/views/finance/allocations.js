import { computed, ref } from 'vue'
import { openBills } from '../../api/finance.js'
import { allocateOldestFirst, centsText, toCents } from './amounts.js'
import { rowErrors } from './errors.js'

/**
 * The open bills of a supplier and the share of a payment typed for each ({billId: text}),
 * for AllocationEditor; `rows` is what the API takes and `spread` puts a 422 back on the
 * bills (the server names "allocations.N.amount" by position in what was sent).
 */
export function useAllocations() {
  const bills = ref([])
  const shares = ref({})
  const errors = ref({}) // {billId: reason}
  const loading = ref(false)

  async function load(supplierId) {
    loading.value = true
    bills.value = []
    shares.value = {}
    errors.value = {}
    try {
      bills.value = await openBills(supplierId)
    } finally {
      loading.value = false
    }
  }

  const oldestFirst = (available) => {
    shares.value = allocateOldestFirst(bills.value, available)
    errors.value = {}
  }

  const clear = () => {
    shares.value = {}
    errors.value = {}
  }

  /** [{bill_id, amount}] for the bills given more than nothing, in the list's order. */
  const rows = computed(() =>
    bills.value
      .filter((bill) => (toCents(shares.value[bill.id]) ?? 0n) > 0n || (shares.value[bill.id] && toCents(shares.value[bill.id]) === null))
      .map((bill) => {
        const cents = toCents(shares.value[bill.id])
        return { bill_id: bill.id, amount: cents === null ? String(shares.value[bill.id]).trim() : centsText(cents) }
      }),
  )

  /** A refusal's reasons: those of one allocation on its bill, the rest returned. */
  function spread(problem, sent) {
    const rest = {}
    const byBill = {}
    for (const [key, reason] of Object.entries(rowErrors(problem))) {
      const match = key.match(/^allocations\.(\d+)\.\w+$/)
      const row = match && sent[Number(match[1])]
      if (row) byBill[row.bill_id] = byBill[row.bill_id] ? `${byBill[row.bill_id]}; ${reason}` : reason
      else rest[key] = reason
    }
    errors.value = byBill
    return rest
  }

  return { bills, shares, errors, loading, load, oldestFirst, clear, rows, spread }
}
