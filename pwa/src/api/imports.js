import { api } from '../lib/api.js'

// kind: 'products' | 'suppliers' | 'customers' | 'opening-stock'
export const templateUrl = (kind) => `/api/v1/imports/${kind}/template`

export function importRecords(kind, file, { mode, dryRun }) {
  const form = new FormData()
  form.append('file', file)
  form.append('mode', mode)
  form.append('dry_run', dryRun ? 'true' : 'false')
  return api.postForm(`/imports/${kind}`, form)
}
