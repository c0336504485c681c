import { api } from '../lib/api.js'

export const listBalances = (query) => api.get('/stock/balances', query)
export const listLedger = (query) => api.get('/stock/ledger', query)
export const resolveCode = (code) => api.get('/scan/resolve', { code })

/** Barcodes in one camera frame (a JPEG blob), decoded by the server. */
export function decodeFrame(blob) {
  const form = new FormData()
  form.append('image', blob, 'frame.jpg')
  return api.postForm('/scan/decode', form)
}

export const MOVEMENTS_PATH = '/stock/movements'
export const MOVEMENT_TYPES = ['in', 'out', 'transfer', 'write_off']
export const WRITE_OFF_REASONS = ['damaged', 'expired', 'lost', 'other']
