// Reading barcodes: the browser's own BarcodeDetector where it has one, else the
// zxing-wasm polyfill served from our origin (works offline), else full-resolution
// frames decoded by the server. Plus what turns a stream of reads into accepted scans.
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url'
import { decodeFrame, resolveCode } from '../api/stock.js'

export const FORMATS = ['ean_13', 'ean_8', 'upc_a', 'upc_e', 'code_128', 'code_39', 'itf', 'qr_code']

// The server names symbologies its own way.
const SERVER_FORMATS = {
  'EAN-13': 'ean_13', 'EAN-8': 'ean_8', 'UPC-A': 'upc_a', 'UPC-E': 'upc_e',
  Code128: 'code_128', Code39: 'code_39', ITF: 'itf', QR: 'qr_code',
}

/** EAN-13 and UPC-A as one 13-digit GTIN (a UPC-A is the EAN-13 with a leading 0), as the server does. */
export function normaliseCode(format, text) {
  const code = String(text).trim()
  if ((format === 'ean_13' || format === 'upc_a') && /^\d{12,13}$/.test(code)) return code.padStart(13, '0')
  return code
}

function detectorDecoder(kind, detector) {
  return {
    kind,
    interval: 100,
    async detect(video) {
      const found = await detector.detect(video)
      return found.map((b) => ({ format: b.format, text: normaliseCode(b.format, b.rawValue) }))
    },
  }
}

async function nativeDecoder() {
  if (!('BarcodeDetector' in window)) return null
  try {
    const supported = await window.BarcodeDetector.getSupportedFormats()
    const formats = FORMATS.filter((f) => supported.includes(f))
    if (!formats.includes('ean_13') || !formats.includes('code_128')) return null
    return detectorDecoder('native', new window.BarcodeDetector({ formats }))
  } catch {
    return null
  }
}

async function wasmDecoder() {
  if (typeof WebAssembly !== 'object') return null
  try {
    const { BarcodeDetector, prepareZXingModule } = await import('barcode-detector/ponyfill')
    // Our own copy of the .wasm (precached by the service worker), never the package's CDN default.
    const locateFile = (path, prefix) => (path.endsWith('.wasm') ? wasmUrl : prefix + path)
    await prepareZXingModule({ overrides: { locateFile }, fireImmediately: true })
    return detectorDecoder('wasm', new BarcodeDetector({ formats: FORMATS }))
  } catch {
    return null
  }
}

function serverDecoder() {
  const canvas = document.createElement('canvas')
  return {
    kind: 'server',
    interval: 300, // a few frames a second; the loop keeps one request in flight at most
    async detect(video) {
      const { videoWidth: width, videoHeight: height } = video
      if (!width || !height) return []
      // The native size, not the on-screen one: a small code needs every pixel.
      canvas.width = width
      canvas.height = height
      canvas.getContext('2d').drawImage(video, 0, 0, width, height)
      const blob = await new Promise((done) => canvas.toBlob(done, 'image/jpeg', 0.9))
      const { codes } = await decodeFrame(blob)
      return codes.map((c) => {
        const format = SERVER_FORMATS[c.format] || c.format
        return { format, text: normaliseCode(format, c.text) }
      })
    },
  }
}

/**
 * The best decoder this browser has: {kind: 'native'|'wasm'|'server', interval, detect(video)}.
 * localStorage['jxc.decoder'] = 'server' | 'wasm' forces one (tests, troubleshooting).
 */
export async function createDecoder() {
  const forced = localStorage.getItem('jxc.decoder')
  if (forced === 'server') return serverDecoder()
  if (forced !== 'wasm') {
    const native = await nativeDecoder()
    if (native) return native
  }
  return (await wasmDecoder()) || serverDecoder()
}

// --- what a code is, remembered for codes seen lately (and so known offline) --------------

const KNOWN_KINDS = new Set(['product', 'unit', 'location'])
const resolved = new Map() // code → resolve result, most recently used last
const RESOLVED_MAX = 500

export function cachedResolution(code) {
  return resolved.get(code)
}

/** GET /scan/resolve, through the cache. Throws (ApiError .network) when offline and not cached. */
export async function resolveCached(code) {
  if (resolved.has(code)) {
    const hit = resolved.get(code)
    resolved.delete(code)
    resolved.set(code, hit)
    return hit
  }
  const result = await resolveCode(code)
  // An unknown code may be registered a minute later: ask again next time.
  if (result.kind !== 'unknown') {
    resolved.set(code, result)
    if (resolved.size > RESOLVED_MAX) resolved.delete(resolved.keys().next().value)
  }
  return result
}

export function isKnownCode(code) {
  return KNOWN_KINDS.has(resolved.get(code)?.kind)
}

async function lookUpKnown(code) {
  try {
    return KNOWN_KINDS.has((await resolveCached(code)).kind)
  } catch {
    return false
  }
}

/**
 * Turns decoded frames into scans. A code is taken after two identical reads in a row,
 * or at once when it is a known product or location (a misread is almost never one).
 * A taken code is ignored until it has been out of view for quietMs, so a label held
 * under the camera counts once.
 */
export class CodeAcceptor {
  constructor(onAccept, { quietMs = 1500, isKnown = isKnownCode, lookUp = lookUpKnown, now = () => performance.now() } = {}) {
    Object.assign(this, { onAccept, quietMs, isKnown, lookUp, now })
    this.lastSeen = new Map() // code → when it was last in a frame
    this.held = new Set() // taken, and not yet out of view long enough
    this.previous = new Set() // the codes of the last frame that had any
    this.lookingUp = new Set()
  }

  /** One decoded frame: [{format, text}]. */
  frame(codes) {
    const t = this.now()
    const current = new Map(codes.map((c) => [c.text, c.format]))
    for (const [code, format] of current) {
      const last = this.lastSeen.get(code)
      this.lastSeen.set(code, t)
      if (this.held.has(code)) {
        if (t - last < this.quietMs) continue
        this.held.delete(code)
      }
      if (this.previous.has(code) || this.isKnown(code)) this.accept(code, format)
      else this.checkKnown(code, format)
    }
    if (current.size) this.previous = new Set(current.keys())
    this.forgetOld(t)
  }

  accept(code, format) {
    this.held.add(code)
    this.lastSeen.set(code, this.now())
    this.previous.delete(code)
    this.onAccept({ text: code, format })
  }

  /** A code read once: take it as soon as the server says it is known, if still in view. */
  async checkKnown(code, format) {
    if (this.lookingUp.has(code)) return
    this.lookingUp.add(code)
    try {
      const known = await this.lookUp(code)
      const recent = this.now() - (this.lastSeen.get(code) ?? -Infinity) < this.quietMs
      if (known && recent && !this.held.has(code)) this.accept(code, format)
    } finally {
      this.lookingUp.delete(code)
    }
  }

  forgetOld(t) {
    for (const [code, seen] of this.lastSeen) {
      if (t - seen > 60000 && !this.held.has(code)) this.lastSeen.delete(code)
    }
  }
}
