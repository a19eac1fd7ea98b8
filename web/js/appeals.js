// appeals.js — the appeals list: open ones first to decide, then decided.
import { get, qs } from './api.js';
import { h, table, fmtTime } from './dom.js';

export async function appeals(main, params) {
  const status = params.get('status') || 'open';
  const res = await get('/v1/appeals' + qs({ status: status === 'all' ? '' : status, limit: 200 }));
  main.append(h('h1', {}, 'Appeals'),
    h('p', {}, ['open', 'upheld', 'denied', 'all'].map((s) => [h('a', { href: '#/appeals?status=' + s }, s === status ? '[' + s + ']' : s), ' '])),
    h('p', {}, h('b', { 'data-testid': 'appeals-total' }, String(res.total)), ' appeals'),
    table(['#', 'case', 'account', 'opened', 'by', 'statement', 'status'], res.items.map((a) =>
      h('tr.row', { on: { click: () => { location.hash = '#/case/' + a.case_id; } } },
        h('td', {}, String(a.appeal_id)), h('td', {}, h('a', { href: '#/case/' + a.case_id }, String(a.case_id))),
        h('td.code', {}, a.account_id ?? ''), h('td', {}, fmtTime(a.opened_at)), h('td', {}, a.opened_by),
        h('td', {}, a.statement), h('td', {}, a.status)))));
}
