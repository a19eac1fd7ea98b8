// queue.js — the review queue: cases filtered, sorted and paged by the
// server (limit/offset with the total), so it stays fast with any number
// of cases. The filters live in the URL (#/queue?status=open&...), so a
// view can be bookmarked and the back button works.
import { get, qs } from './api.js';
import { h, table, badge, fmtScore, fmtTime } from './dom.js';

const COLUMNS = [
  ['case_id', 'case'], ['account_id', 'account'], [null, 'organisation'], ['action', 'action'],
  ['score', 'score'], [null, 'reasons'], ['first_action_ts', 'first action'], ['events', 'events'],
  [null, 'status'], ['updated_at', 'updated'],
];
const FILTERS = ['status', 'action', 'reason', 'cluster', 'from', 'to', 'account'];

export async function queue(main, params) {
  const p = {
    status: params.get('status') ?? 'open', action: params.get('action') || '',
    reason: params.get('reason') || '', cluster: params.get('cluster') || '',
    from: params.get('from') || '', to: params.get('to') || '', account: params.get('account') || '',
    sort: params.get('sort') || 'score', order: params.get('order') || 'desc',
    limit: Number(params.get('limit') || 50), offset: Number(params.get('offset') || 0),
  };
  const t0 = performance.now();
  const res = await get('/v1/cases' + qs(p));
  const go = (changes) => { location.hash = '#/queue' + qs({ ...p, ...changes }); };

  const sel = (name, options) => h('select', { name, 'data-testid': 'filter-' + name },
    options.map((o) => { const e = h('option', { value: o }, o || 'any'); if (o === p[name]) e.selected = true; return e; }));
  const inp = (name, ph) => h('input', { name, value: p[name], placeholder: ph, 'data-testid': 'filter-' + name });
  const form = h('form.filters', { 'data-testid': 'filters', on: { submit: (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const ch = { offset: 0 };
    for (const k of FILTERS) ch[k] = f.get(k) || '';
    go(ch);
  } } },
    h('label', {}, 'status', sel('status', ['', 'open', 'escalated', 'appealed', 'confirmed', 'dismissed'])),
    h('label', {}, 'action', sel('action', ['', 'block', 'throttle', 'review', 'allow'])),
    h('label', {}, 'reason', inp('reason', 'e.g. screen.listed')),
    h('label', {}, 'cluster', inp('cluster', 'cluster id')),
    h('label', {}, 'account', inp('account', 'account id')),
    h('label', {}, 'first action from', inp('from', '2026-10-01')),
    h('label', {}, 'to', inp('to', '2026-11-01')),
    h('button.primary', { type: 'submit' }, 'Apply'));

  const head = COLUMNS.map(([key, label]) => {
    if (!key) return h('th', {}, label);
    const sorted = p.sort === key;
    return h('th.sortable' + (sorted ? '.sorted' : ''), { 'data-sort': key, on: { click: () =>
      go({ sort: key, order: sorted && p.order === 'desc' ? 'asc' : 'desc', offset: 0 }) } },
      label + (sorted ? (p.order === 'desc' ? ' ▼' : ' ▲') : ''));
  });
  const rows = res.items.map((c) => h('tr.row', { 'data-case': c.case_id, 'data-testid': 'queue-row',
    on: { click: () => { location.hash = '#/case/' + c.case_id; } } },
    h('td', {}, h('a', { href: '#/case/' + c.case_id }, String(c.case_id))),
    h('td.code', { 'data-testid': 'row-account' }, c.account_id),
    h('td.code', {}, c.org_id ?? ''),
    h('td', {}, badge(c.action)),
    h('td', { 'data-testid': 'row-score' }, fmtScore(c.score)),
    h('td.code', {}, (c.reasons || []).join(', ')),
    h('td', {}, fmtTime(c.first_action_ts)),
    h('td', {}, String(c.events)),
    h('td', {}, c.status + (c.appeal_status ? ' (appeal ' + c.appeal_status + ')' : '')),
    h('td', {}, fmtTime(c.updated_at))));
  const first = res.total === 0 ? 0 : Math.min(res.offset + 1, res.total);
  const last = Math.min(res.offset + res.items.length, res.total);
  const pager = h('div.pager', {},
    h('button', { type: 'button', 'data-testid': 'prev', disabled: p.offset <= 0,
      on: { click: () => go({ offset: Math.max(0, p.offset - p.limit) }) } }, '← previous'),
    h('span', {}, 'cases ', h('b', { 'data-testid': 'range' }, first + '–' + last), ' of ',
      h('b', { 'data-testid': 'queue-total' }, String(res.total))),
    h('button', { type: 'button', 'data-testid': 'next', disabled: last >= res.total,
      on: { click: () => go({ offset: p.offset + p.limit }) } }, 'next →'),
    h('span.muted', { 'data-testid': 'queue-ms' }, Math.round(performance.now() - t0) + ' ms'));
  main.append(h('h1', {}, 'Review queue'), form, pager,
              table([], rows, { 'data-testid': 'queue' }), res.items.length ? null : h('p.muted', {}, 'No cases match.'));
  main.querySelector('table[data-testid=queue] thead tr').append(...head);
}
