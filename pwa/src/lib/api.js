// The one HTTP client: JSON in and out, CSRF and Idempotency-Key on writes,
// problem+json turned into ApiError.
import { useAppStore } from '../stores/app.js'
import { newIdempotencyKey } from './ids.js'

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

let csrfToken = null
let onUnauthorized = () => {}

export function setCsrfToken(token) {
  csrfToken = token
}

/** Called on a 401 from anything but the login itself (the session ended). */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler
}

export class ApiError extends Error {
  constructor({ status = 0, type = '', title = '', detail = '', errors = {}, network = false }) {
    super(detail || title || `HTTP ${status}`)
    Object.assign(this, { status, type, title, detail, errors, network })
  }

  /** The reasons for one field, joined, for an inline message. */
  fieldError(field) {
    return (this.errors?.[field] || []).join('; ')
  }

  /** The problem type's name, e.g. "stale-version" from "urn:jxc:problem:stale-version". */
  get kind() {
    return this.type.split(':').pop()
  }
}

export async function request(method, path, { body, file, form, query, idempotencyKey } = {}) {
  const app = useAppStore()
  const url = new URL('/api/v1' + path, window.location.origin)
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, value)
  }
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (file !== undefined) headers['Content-Type'] = file.type
  if (WRITE_METHODS.has(method)) {
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken
    headers['Idempotency-Key'] = idempotencyKey || newIdempotencyKey()
  }

  let response
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      // A FormData body sets its own multipart Content-Type (with the boundary).
      body: form ?? file ?? (body === undefined ? undefined : JSON.stringify(body)),
    })
  } catch {
    app.setReachable(false)
    throw new ApiError({ network: true })
  }
  app.setReachable(true)

  if (response.status === 204) return null
  const data = await response.json().catch(() => null)
  if (response.ok) return data
  const error = new ApiError({ status: response.status, ...(data || {}) })
  error.body = data // problem members beyond the standard ones (e.g. an import's rows)
  if (response.status === 401 && path !== '/auth/login') onUnauthorized()
  throw error
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, body, options) => request('POST', path, { body, ...options }),
  patch: (path, body, options) => request('PATCH', path, { body, ...options }),
  put: (path, body, options) => request('PUT', path, { body, ...options }),
  /** Send a file (a picture) as the request body, with its own content type. */
  putFile: (path, file, options) => request('PUT', path, { file, ...options }),
  postForm: (path, form, options) => request('POST', path, { form, ...options }),
  delete: (path, options) => request('DELETE', path, options),
}
