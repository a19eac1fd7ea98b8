// timeline.js — a case's activity over time: each finding as a point at
// its score, and the account's action level as a step line (allow 0,
// review 1, throttle 2, block 3) from the audit trail, review decisions
// included. uPlot when it is there, else a table.
import { h, table, fmtTime } from './dom.js';
import { loadUPlot } from './charts.js';

const LEVEL = { allow: 0, review: 1, throttle: 2, block: 3 };

function xRange(xs) {
  const lo = Math.min(...xs), hi = Math.max(...xs), pad = Math.max(3600, (hi - lo) * 0.05);
  return [lo - pad, hi + pad];
}

export async function timeline(el, findings, audit) {
  const pts = [];
  for (const f of findings) pts.push({ t: Date.parse(f.ts) / 1000, score: f.score, level: null });
  for (const a of audit) {
    const ts = a.actor === 'warden' ? a.event_ts : a.at;
    if (a.to_action in LEVEL) pts.push({ t: Date.parse(ts) / 1000, score: null, level: LEVEL[a.to_action] });
  }
  pts.sort((x, y) => x.t - y.t);
  const U = await loadUPlot();
  if (!U || pts.length === 0) {
    el.append(pts.length ? table(['time', 'finding score', 'action level'], pts.map((p) =>
      h('tr', {}, h('td', {}, fmtTime(new Date(p.t * 1000).toISOString())), h('td', {}, p.score ?? ''),
        h('td', {}, p.level ?? '')))) : h('p.muted', {}, 'No activity recorded.'));
    return;
  }
  // carry the action level forward so the step line is continuous
  let level = 0;
  const xs = [], scores = [], levels = [];
  for (const p of pts) {
    if (p.level !== null) level = p.level;
    xs.push(p.t); scores.push(p.score); levels.push(level);
  }
  new U({
    width: Math.max(320, el.clientWidth || 700), height: 240,
    // a margin either side (an hour at least), so one point is not stretched over years
    scales: { x: { time: true, auto: false, range: xRange(xs) },
              score: { range: [0, 1] }, level: { range: [0, 3] } },
    axes: [{}, { scale: 'score', label: 'finding score' },
      { scale: 'level', side: 1, label: 'action', grid: { show: false },
        values: (u, vals) => vals.map((v) => ['allow', 'review', 'throttle', 'block'][v] ?? '') }],
    series: [{},
      { label: 'finding score', scale: 'score', stroke: '#175cd3', width: 0, points: { show: true, size: 7 } },
      { label: 'action', scale: 'level', stroke: '#b42318', width: 2, paths: U.paths.stepped({ align: 1 }),
        points: { show: false } }],
  }, [xs, scores, levels], el);
}
