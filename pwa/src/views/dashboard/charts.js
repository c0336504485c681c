// ECharts options for the dashboard and the forecast, made for a 390 px screen first:
// short day labels, compact numbers (1.2万 / 12K), labels that hide rather than overlap,
// legends that fit, tooltips kept inside the chart.
import { i18n } from '../../i18n/index.js'
import { compact, longDay, quantity, shortDay, toNumber } from './numbers.js'

const t = (...args) => i18n.global.t(...args)
const yuan = (v) => t('dashboard.yuan', { v })

const AXIS_LABEL = { fontSize: 11, color: '#969799' }
const SPLIT_LINE = { lineStyle: { color: '#f2f3f5' } }
const TOOLTIP = {
  confine: true,
  backgroundColor: 'rgba(50, 50, 51, 0.88)',
  borderWidth: 0,
  textStyle: { color: '#fff', fontSize: 12 },
}
const LEGEND = { itemWidth: 14, itemHeight: 8, itemGap: 12, textStyle: { fontSize: 12, color: '#646566' } }
export const STATE_COLORS = {
  draft: '#c8c9cc',
  on_hold: '#ff976a',
  confirmed: '#1677ff',
  partially_shipped: '#4fc3f7',
  shipped: '#07c160',
  completed: '#0a8a4b',
  cancelled: '#ee0a24',
}

const row = (marker, name, value) => `${marker}${name}<span style="float:right;margin-left:16px;font-weight:600">${value}</span>`

/** Revenue as a line (left axis), orders as thin bars (right axis), one point a day. */
export function trendOption(trend) {
  const revenue = t('dashboard.charts.revenue')
  const orders = t('dashboard.charts.orders')
  return {
    animationDuration: 400,
    color: ['#1677ff', '#ffb27a'],
    grid: { left: 4, right: 4, top: 30, bottom: 2, containLabel: true },
    legend: { ...LEGEND, top: 0, left: 0, data: [revenue, orders] },
    tooltip: {
      ...TOOLTIP,
      trigger: 'axis',
      axisPointer: { type: 'line', lineStyle: { color: '#c8c9cc' } },
      formatter: (params) =>
        [
          longDay(trend[params[0].dataIndex].date),
          ...params.map((p) => row(p.marker, p.seriesName, p.seriesIndex === 0 ? yuan(quantity(p.value)) : p.value)),
        ].join('<br/>'),
    },
    xAxis: {
      type: 'category',
      data: trend.map((d) => d.date),
      axisLabel: { ...AXIS_LABEL, formatter: shortDay, hideOverlap: true },
      axisTick: { show: false },
      axisLine: { lineStyle: { color: '#dcdee0' } },
    },
    yAxis: [
      { type: 'value', splitNumber: 4, axisLabel: { ...AXIS_LABEL, formatter: compact }, splitLine: SPLIT_LINE },
      { type: 'value', splitNumber: 4, minInterval: 1, axisLabel: AXIS_LABEL, splitLine: { show: false } },
    ],
    series: [
      {
        name: revenue,
        type: 'line',
        data: trend.map((d) => toNumber(d.revenue) ?? 0),
        showSymbol: false,
        lineStyle: { width: 2 },
        areaStyle: { opacity: 0.08 },
        z: 3,
      },
      {
        name: orders,
        type: 'bar',
        yAxisIndex: 1,
        data: trend.map((d) => d.orders ?? 0),
        barMaxWidth: 8,
        itemStyle: { opacity: 0.5, borderRadius: [2, 2, 0, 0] },
      },
    ],
  }
}

/** Horizontal bars, largest on top, names cut short, each bar labelled on its right. */
function barsOption({ names, values, labels, tooltips, colors }) {
  return {
    animationDuration: 400,
    grid: { left: 4, right: 52, top: 4, bottom: 2, containLabel: true },
    tooltip: { ...TOOLTIP, trigger: 'item', formatter: (p) => tooltips[p.dataIndex] },
    xAxis: {
      type: 'value',
      splitNumber: 3,
      axisLabel: { ...AXIS_LABEL, formatter: compact, hideOverlap: true },
      splitLine: SPLIT_LINE,
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: names,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: '#dcdee0' } },
      axisLabel: { ...AXIS_LABEL, color: '#646566', width: 76, overflow: 'truncate' },
    },
    series: [
      {
        type: 'bar',
        data: values.map((value, i) => ({ value, itemStyle: { color: colors[i] } })),
        barMaxWidth: 18,
        itemStyle: { borderRadius: 3 },
        label: {
          show: true,
          position: 'right',
          fontSize: 11,
          color: '#646566',
          formatter: (p) => labels[p.dataIndex],
        },
      },
    ],
  }
}

/** Height in px for `n` horizontal bars. */
export const barsHeight = (n) => `${Math.max(120, 36 + 30 * n)}px`

/** Margin by category (month to date): the bar is the margin, the label its percentage. */
export function marginOption(rows) {
  const sorted = [...rows].sort((a, b) => (toNumber(b.margin) ?? 0) - (toNumber(a.margin) ?? 0))
  return barsOption({
    names: sorted.map((r) => r.category_name || t('dashboard.charts.noCategory')),
    values: sorted.map((r) => toNumber(r.margin) ?? 0),
    labels: sorted.map((r) => (r.margin_pct == null ? compact(r.margin) : `${quantity(r.margin_pct, 1)}%`)),
    colors: sorted.map((r) => ((toNumber(r.margin) ?? 0) < 0 ? '#ee0a24' : '#07c160')),
    tooltips: sorted.map((r) =>
      [
        `<b>${escape(r.category_name || t('dashboard.charts.noCategory'))}</b>`,
        row('', t('dashboard.charts.revenue'), yuan(quantity(r.revenue))),
        row('', t('dashboard.charts.cogs'), yuan(quantity(r.cogs))),
        row('', t('dashboard.charts.marginAmount'), yuan(quantity(r.margin))),
        row('', t('dashboard.charts.marginPct'), r.margin_pct == null ? '—' : `${quantity(r.margin_pct, 1)}%`),
      ].join('<br/>'),
    ),
  })
}

/** Stock value by warehouse: one bar each, by the warehouse's code. */
export function stockValueOption(rows) {
  const sorted = [...rows].sort((a, b) => (toNumber(b.value) ?? 0) - (toNumber(a.value) ?? 0))
  return barsOption({
    names: sorted.map((r) => r.warehouse_code),
    values: sorted.map((r) => toNumber(r.value) ?? 0),
    labels: sorted.map((r) => compact(r.value)),
    colors: sorted.map(() => '#1677ff'),
    tooltips: sorted.map((r) => `<b>${escape(r.warehouse_code)}</b> ${escape(r.warehouse_name)}<br/>${yuan(quantity(r.value))}`),
  })
}

/** Sales orders by state as a donut, the legend (with counts) beside it. */
export function ordersOption(rows) {
  const order = Object.keys(STATE_COLORS)
  const data = [...rows]
    .sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state))
    .filter((r) => r.count > 0)
    .map((r) => ({
      name: t(`sales.states.${r.state}`),
      value: r.count,
      itemStyle: { color: STATE_COLORS[r.state] || '#969799' },
    }))
  const counts = Object.fromEntries(data.map((d) => [d.name, d.value]))
  return {
    animationDuration: 400,
    tooltip: { ...TOOLTIP, trigger: 'item', formatter: (p) => row(p.marker, p.name, `${p.value} · ${quantity(p.percent, 1)}%`) },
    legend: {
      ...LEGEND,
      orient: 'vertical',
      left: '56%',
      top: 'middle',
      itemWidth: 10,
      itemHeight: 10,
      itemGap: 10,
      formatter: (name) => `${name}  ${counts[name]}`,
      textStyle: { ...LEGEND.textStyle, width: 120, overflow: 'truncate' },
    },
    series: [
      {
        type: 'pie',
        radius: ['45%', '75%'],
        center: ['28%', '50%'],
        avoidLabelOverlap: true,
        label: { show: false },
        labelLine: { show: false },
        itemStyle: { borderColor: '#fff', borderWidth: 2 },
        data,
      },
    ],
  }
}

/**
 * One product's demand: history (solid), hold-out actual (dots) vs the hold-out forecast,
 * the forecast ahead (dashed); on a second axis the stock position going down with the
 * forecast, against the reorder point (a mark line).
 */
export function forecastOption(data, days) {
  const history = days ? data.history.slice(-days) : data.history
  const dates = [...history.map((d) => d.date), ...data.forecast.map((d) => d.date)]
  const at = new Map(dates.map((d, i) => [d, i]))
  const blank = () => dates.map(() => null)

  const demand = blank()
  history.forEach((d) => (demand[at.get(d.date)] = toNumber(d.qty)))
  const holdoutActual = blank()
  const holdoutForecast = blank()
  for (const h of data.holdout || []) {
    if (!at.has(h.date)) continue
    holdoutActual[at.get(h.date)] = toNumber(h.actual)
    holdoutForecast[at.get(h.date)] = toNumber(h.forecast)
  }
  const ahead = blank()
  const last = history.length - 1
  if (last >= 0) ahead[last] = demand[last] // the dashed line starts where the history ends
  data.forecast.forEach((d) => (ahead[at.get(d.date)] = toNumber(d.qty)))

  const rop = toNumber(data.reorder_point)
  let stock = toNumber(data.position)
  const projected = blank()
  if (stock !== null && last >= 0) {
    projected[last] = stock
    for (const d of data.forecast) {
      stock -= toNumber(d.qty) ?? 0
      // Runs out at 0: what is short then is what the order must cover.
      projected[at.get(d.date)] = Math.max(0, Math.round(stock * 100) / 100)
    }
  }
  const hasStock = stock !== null && last >= 0
  const stockTop = Math.max(rop ?? 0, toNumber(data.position) ?? 0, toNumber(data.order_up_to) ?? 0)
  const name = (key) => t(`dashboard.series.${key}`)

  const series = [
    { name: name('demand'), type: 'line', data: demand, showSymbol: false, lineStyle: { width: 1.5 }, color: '#1677ff', z: 2 },
    {
      name: name('holdoutActual'),
      type: 'line',
      data: holdoutActual,
      showSymbol: true,
      symbol: 'circle',
      symbolSize: 4,
      showAllSymbol: true,
      lineStyle: { width: 0 },
      color: '#0b3f99',
      z: 4,
    },
    { name: name('holdoutForecast'), type: 'line', data: holdoutForecast, showSymbol: false, lineStyle: { width: 2 }, color: '#ff976a', z: 3 },
    { name: name('forecast'), type: 'line', data: ahead, showSymbol: false, lineStyle: { width: 2, type: 'dashed' }, color: '#7232dd', z: 3 },
  ]
  if (hasStock) {
    series.push({
      name: name('projected'),
      type: 'line',
      yAxisIndex: 1,
      data: projected,
      showSymbol: false,
      step: false,
      lineStyle: { width: 1.5 },
      color: '#07c160',
      markLine: rop === null ? undefined : {
        silent: true,
        symbol: 'none',
        lineStyle: { color: '#ee0a24', type: 'dashed', width: 1 },
        label: {
          position: 'insideEndTop',
          fontSize: 11,
          color: '#ee0a24',
          backgroundColor: 'rgba(255, 255, 255, 0.85)',
          padding: [1, 3],
          borderRadius: 3,
          formatter: `${name('reorderPoint')} ${quantity(rop)}`,
        },
        data: [{ yAxis: rop }],
      },
    })
  }

  return {
    animationDuration: 400,
    grid: { left: 4, right: 4, top: 24, bottom: 52, containLabel: true },
    legend: { ...LEGEND, bottom: 0, left: 0, right: 0, itemGap: 10 },
    tooltip: {
      ...TOOLTIP,
      trigger: 'axis',
      axisPointer: { type: 'line', lineStyle: { color: '#c8c9cc' } },
      formatter: (params) => {
        const shown = params.filter((p) => p.value !== null && p.value !== undefined)
        if (!shown.length) return ''
        return [longDay(dates[params[0].dataIndex]), ...shown.map((p) => row(p.marker, p.seriesName, quantity(p.value)))].join('<br/>')
      },
    },
    xAxis: {
      type: 'category',
      data: dates,
      boundaryGap: false,
      axisLabel: { ...AXIS_LABEL, formatter: shortDay, hideOverlap: true },
      axisTick: { show: false },
      axisLine: { lineStyle: { color: '#dcdee0' } },
    },
    yAxis: [
      {
        type: 'value',
        name: t('dashboard.axes.perDay'),
        nameGap: 8,
        nameTextStyle: { ...AXIS_LABEL, align: 'left' },
        splitNumber: 4,
        axisLabel: { ...AXIS_LABEL, formatter: compact },
        splitLine: SPLIT_LINE,
      },
      {
        type: 'value',
        show: hasStock,
        name: t('dashboard.axes.stock'),
        nameGap: 8,
        nameTextStyle: { ...AXIS_LABEL, align: 'right' },
        min: 0,
        max: hasStock ? niceCeil(stockTop * 1.1) : undefined,
        alignTicks: true,
        axisLabel: { ...AXIS_LABEL, formatter: compact },
        splitLine: { show: false },
      },
    ],
    series,
  }
}

/** The next round number up: 123 → 150, 61 → 70, 8 → 8. */
function niceCeil(value) {
  if (!(value > 0)) return 1
  const step = 10 ** Math.floor(Math.log10(value)) / 2
  return Math.ceil(value / step) * step
}

function escape(text) {
  return String(text ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])
}
