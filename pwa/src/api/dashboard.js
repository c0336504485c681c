import { api } from '../lib/api.js'

/** The manager's figures: sales by period, margin, stock value, alerts, 30-day trend. */
export const getDashboard = (warehouseId) => api.get('/reports/dashboard', { warehouse_id: warehouseId })

/** Forecast-based replenishment, a report page: {items, totals, total, page, per_page, notes}. */
export const getReplenishment = (query) => api.get('/reports/replenishment', query)

/** One product's demand history, hold-out check, forecast and reorder figures in a warehouse. */
export const getDemandForecast = (query) => api.get('/purchasing/demand-forecast', query)

/** Recompute every stored forecast now: {count, computed_at, seconds}. */
export const refreshForecasts = () => api.post('/purchasing/demand-forecasts/refresh', {})
