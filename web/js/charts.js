// charts.js — time-series plots with uPlot, loaded from vendor/ on first
// use. When the library is missing (built without npm) the caller's
// fallback table is shown instead.
let uplot;

export async function loadUPlot() {
  if (uplot === undefined) {
    uplot = await import('../vendor/uPlot.esm.js').then((m) => m.default).catch(() => null);
  }
  return uplot;
}

const COLORS = { block: '#b42318', throttle: '#b54708', review: '#175cd3', allow: '#067647' };
const PALETTE = ['#175cd3', '#b42318', '#067647', '#b54708', '#6941c6', '#0e9384', '#c11574'];

export function color(name, i) {
  return COLORS[name] || PALETTE[i % PALETTE.length];
}

// Daily counts [{day, <key>, n}] to uPlot columns: x (seconds), one series per key.
export function dailySeries(rows, key) {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const keys = [...new Set(rows.map((r) => r[key]))].sort();
  const idx = new Map(days.map((d, i) => [d, i]));
  const cols = keys.map(() => days.map(() => 0));
  for (const r of rows) cols[keys.indexOf(r[key])][idx.get(r.day)] += r.n;
  const xs = days.map((d) => Date.parse(d + 'T00:00:00Z') / 1000);
  return { keys, data: [xs, ...cols] };
}

// A bar-ish line chart of daily counts into el; false when uPlot is missing.
export async function dailyChart(el, rows, key, title) {
  const U = await loadUPlot();
  if (!U || rows.length === 0) return false;
  const { keys, data } = dailySeries(rows, key);
  const width = Math.max(320, el.clientWidth || 600);
  new U({
    title, width, height: 220,
    scales: { x: { time: true } },
    series: [{}, ...keys.map((k, i) => ({ label: k, stroke: color(k, i), width: 2,
                                          points: { show: true } }))],
  }, data, el);
  return true;
}
