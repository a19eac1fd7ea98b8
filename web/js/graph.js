// graph.js — a cluster drawn as a graph: its accounts and the identifiers
// (payment fingerprint, sign-up address) that two or more of them share,
// under the link detector's record of it (members, edges by kind),
// with cytoscape from vendor/. Without the library, a table of the same.
import { get } from './api.js';
import { h, table } from './dom.js';

let cyto;
async function loadCytoscape() {
  if (cyto === undefined) cyto = await import('../vendor/cytoscape.esm.min.js').then((m) => m.default).catch(() => null);
  return cyto;
}

export async function clusterGraph(el, clusterId, currentAccount) {
  if (!clusterId) {
    el.append(h('p.muted', { 'data-testid': 'no-cluster' }, 'No cluster data for this account.'));
    return;
  }
  const c = await get('/v1/clusters/' + encodeURIComponent(clusterId));
  // identifiers shared by two or more accounts of the cluster
  const byValue = new Map();
  for (const l of c.links) {
    const k = l.kind + '\u0000' + l.value;
    if (!byValue.has(k)) byValue.set(k, { kind: l.kind, value: l.value, accounts: new Set() });
    byValue.get(k).accounts.add(l.account_id);
  }
  const shared = [...byValue.values()].filter((v) => v.accounts.size > 1);
  el.append(h('p', {}, 'Cluster ', h('span.code', {}, clusterId), ': ', String(c.accounts.length),
    ' accounts with a case, ', String(shared.length), ' shared identifiers.'));
  // the link detector's own record: every member (also those without a
  // case) and the edges that joined them, by kind
  const r = c.record;
  if (r) {
    const kinds = Object.entries(r.edge_kinds || {}).map(([k, n]) => k + ' ' + n).join(', ') || 'none';
    el.append(h('p', { 'data-testid': 'cluster-record' }, String(r.members), ' members, ',
      String(r.actioned_members), ' actioned on their own evidence, cluster action ', h('span.code', {}, r.action),
      '; linked by ', kinds, '.'));
    const withCase = new Set(c.accounts.map((a) => a.account_id));
    const without = (r.member_ids || []).filter((m) => !withCase.has(m));
    if (without.length)
      el.append(h('p.muted', {}, 'Members without a case: ', without.join(', ')));
  }
  const cy = await loadCytoscape();
  if (!cy) {
    el.append(table(['account', 'case', 'action', 'status'], c.accounts.map((a) =>
      h('tr', {}, h('td.code', {}, a.account_id), h('td', {}, String(a.case_id)), h('td', {}, a.action), h('td', {}, a.status)))));
    return;
  }
  const box = h('div.graph', { 'data-testid': 'cluster-graph' });
  el.append(box);
  const elements = [];
  for (const a of c.accounts)
    elements.push({ data: { id: 'a:' + a.account_id, label: a.account_id, kind: 'account',
                            current: a.account_id === currentAccount ? 1 : 0, case_id: a.case_id } });
  shared.forEach((s, i) => {
    elements.push({ data: { id: 'i:' + i, label: s.kind + ': ' + s.value, kind: 'identifier' } });
    for (const acc of s.accounts) elements.push({ data: { id: 'e:' + i + ':' + acc, source: 'a:' + acc, target: 'i:' + i } });
  });
  const g = cy({
    container: box, elements,
    layout: { name: 'cose', animate: false },
    style: [
      { selector: 'node', style: { label: 'data(label)', 'font-size': 9, 'text-valign': 'bottom' } },
      { selector: 'node[kind = "account"]', style: { 'background-color': '#175cd3' } },
      { selector: 'node[current = 1]', style: { 'background-color': '#b42318' } },
      { selector: 'node[kind = "identifier"]', style: { shape: 'round-rectangle', 'background-color': '#98a2b3' } },
      { selector: 'edge', style: { width: 1, 'line-color': '#98a2b3' } },
    ],
  });
  g.on('tap', 'node[kind = "account"]', (e) => { location.hash = '#/case/' + e.target.data('case_id'); });
}
