// overview.js — the overview: how many cases and how many wait for review,
// open appeals, actions and review decisions per day, top reasons, and the
// runs behind the cases (a shadow run shows what the policy would do
// without enforcing it).
import { get } from './api.js';
import { h, table, badge, fmtTime } from './dom.js';
import { dailyChart } from './charts.js';

function card(label, n, testid) {
  return h('div.card', {}, h('div.n', { 'data-testid': testid }, String(n)), h('div.l', {}, label));
}

export async function overview(main) {
  const o = await get('/v1/overview');
  const t = o.totals[0] || { cases: 0, queue: 0, open_appeals: 0, allowlisted: 0 };
  const maxReason = Math.max(1, ...o.top_reasons.map((r) => r.n));
  const actionsChart = h('div', { 'data-testid': 'chart-actions' });
  const decisionsChart = h('div', { 'data-testid': 'chart-decisions' });
  const shadowRuns = o.runs.filter((r) => r.shadow);
  main.append(
    h('h1', {}, 'Overview'),
    h('div.cards', {},
      card('cases', t.cases, 'total-cases'),
      card('in the review queue', t.queue, 'queue-size'),
      card('open appeals', t.open_appeals, 'open-appeals'),
      card('allowlisted on review', t.allowlisted, 'allowlisted')),
    h('div.grid2', {},
      h('div.panel', {}, h('h2', {}, 'Accounts actioned per day (first action)'), actionsChart),
      h('div.panel', {}, h('h2', {}, 'Review decisions per day'), decisionsChart)),
    h('div.grid2', {},
      h('div.panel', {}, h('h2', {}, 'Top reasons'),
        table(['reason', 'cases', ''], o.top_reasons.map((r) => {
          const bar = h('div.bar');
          bar.style.width = Math.round((100 * r.n) / maxReason) + '%';
          return h('tr', {}, h('td.code', {}, r.reason), h('td', { 'data-testid': 'reason-n' }, String(r.n)),
                   h('td', {}, bar));
        }), { 'data-testid': 'top-reasons' })),
      h('div.panel', {}, h('h2', {}, 'Cases by status and action'),
        table(['status', 'cases'], o.by_status.map((r) => h('tr', {}, h('td', {}, r.status), h('td', {}, String(r.n))))),
        h('br'),
        table(['action', 'cases'], o.by_action.map((r) => h('tr', {}, h('td', {}, badge(r.action)), h('td', {}, String(r.n))))))),
    h('div.panel', {}, h('h2', {}, 'Runs and shadow mode'),
      h('p.muted', {}, shadowRuns.length
        ? 'Shadow runs decide and record without enforcing: their cases show what the policy would do.'
        : 'No shadow run recorded: every run below enforced its policy.'),
      o.shadow_by_action.length
        ? table(['shadow-mode action', 'accounts'], o.shadow_by_action.map((r) => h('tr', {}, h('td', {}, badge(r.action)), h('td', {}, String(r.n)))))
        : null,
      table(['run', 'started', 'policy', 'mode', 'events', 'accounts', 'actioned'],
        o.runs.map((r) => h('tr', {}, h('td', {}, String(r.run_id)), h('td', {}, fmtTime(r.started_at)),
          h('td.code', {}, r.policy ?? ''), h('td', {}, r.shadow ? 'shadow' : 'enforced'),
          h('td', {}, String(r.events ?? '')), h('td', {}, String(r.accounts ?? '')),
          h('td', {}, String(r.actioned ?? '')))))));
  if (!(await dailyChart(actionsChart, o.actions_per_day, 'action', '')))
    actionsChart.append(fallback(o.actions_per_day, 'action'));
  if (!(await dailyChart(decisionsChart, o.decisions_per_day, 'decision', '')))
    decisionsChart.append(o.decisions_per_day.length ? fallback(o.decisions_per_day, 'decision')
                                                     : h('p.muted', {}, 'No review decisions yet.'));
}

function fallback(rows, key) {
  return table(['day', key, 'n'], rows.map((r) => h('tr', {}, h('td', {}, r.day), h('td', {}, r[key]), h('td', {}, String(r.n)))));
}
