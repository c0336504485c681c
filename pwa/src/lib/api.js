// The one HTTP client for the JXC backend. Everything under /api/v1 goes through `request`.

const BASE = '/api/v1'
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** An error answer from the backend (problem+json) or a network failure (status 0). */
export class ApiError extends Error {
  constructor({ status, type, title, detail, errors, network = false }) {
    super(detail || title || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.type = type || 'about:blank'
    this.title = title || ''
    this.detail = detail || ''
    this.errors = errors || {}
    this.network = network
  }
}

// The app wires these in main.js so this module needs no knowledge of stores or the router.
const hooks = {
  csrfToken: () => null,
  onNetworkError: () => {},
  onReachable: () => {},
  onUnauthorized: () => {},
}

export function configureApi(overrides) {
  Object.assign(hooks, overrides)
}

/**
 * crypto.randomUUID only exists in secure contexts; a shop server reached over plain
 * http on the LAN is not one, so fall back to a v4 UUID built from getRandomValues.
 */
export function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = (bytes[6] & 0x0f) | 0x40
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function queryString(query) {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.append(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

async function readBody(response) {
  const text = await response.text()
  if (!text) return null
  const type = response.headers.get('Content-Type') || ''
  if (type.includes('json')) {
    try {
      return JSON.parse(text)
    } catch {
      return null
    }
  }
  return null
}

/**
 * Send one request.
 * options: query (object), body (JSON-serialisable), idempotencyKey, signal,
 * skipAuthRedirect (a 401 is expected, e.g. login or the boot-time /auth/me).
 */
export async function request(method, path, options = {}) {
  const { query, body, idempotencyKey, signal, skipAuthRedirect = false } = options
  const headers = { Accept: 'application/json, application/problem+json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (UNSAFE_METHODS.has(method)) {
    const csrf = hooks.csrfToken()
    if (csrf) headers['X-CSRF-Token'] = csrf
    headers['Idempotency-Key'] = idempotencyKey || newIdempotencyKey()
  }

  let response
  try {
    response = await fetch(BASE + path + queryString(query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    })
  } catch (cause) {
    if (cause?.name === 'AbortError') throw cause
    hooks.onNetworkError()
    throw new ApiError({ status: 0, title: 'Network error', detail: cause?.message, network: true })
  }

  // Gateways answer 502/503/504 when the backend itself is down: that is "offline" too.
  if ([502, 503, 504].includes(response.status)) {
    hooks.onNetworkError()
  } else {
    hooks.onReachable()
  }

  const data = await readBody(response)
  if (response.ok) return data

  const problem = data && typeof data === 'object' ? data : {}
  const error = new ApiError({
    status: response.status,
    type: problem.type,
    title: problem.title || response.statusText,
    detail: problem.detail,
    errors: problem.errors,
    network: [502, 503, 504].includes(response.status),
  })
  if (response.status === 401 && !skipAuthRedirect) hooks.onUnauthorized()
  throw error
}

export const http = {
  get: (path, options) => request('GET', path, options),
  post: (path, body, options) => request('POST', path, { ...options, body }),
  put: (path, body, options) => request('PUT', path, { ...options, body }),
  patch: (path, body, options) => request('PATCH', path, { ...options, body }),
  delete: (path, options) => request('DELETE', path, options),
}
