// case.js — one case: what was decided and why (reasons, findings with
// their evidence, screening matches beside the listed entry they matched),
// the account's activity and actions over time, its cluster, the audit
// trail, notes and appeals, and the analyst's actions. A decision carries
// the case version it was made on; if the case changed meanwhile the
// server answers 409 and the page reloads the case.
import { get, post, ApiError } from './api.js';
import { h, table, badge, fmtScore, fmtTime, flash } from './dom.js';
import { timeline } from './timeline.js';
import { clusterGraph } from './graph.js';

export async function casePage(main, id, me, rerender) {
  const x = await get('/v1/cases/' + encodeURIComponent(id));
  const c = x.case;
  const canWrite = me.role === 'analyst' || me.role === 'admin';
  const timelineBox = h('div', { 'data-testid': 'timeline' });
  const clusterBox = h('div', { 'data-testid': 'cluster' });
  main.append(
    h('h1', {}, 'Case ', h('span', { 'data-testid': 'case-id' }, String(c.case_id)), ' · ',
      h('span.code', { 'data-testid': 'case-account' }, c.account_id)),
    h('div.cards', {},
      h('div.card', {}, h('div.n', {}, badge(c.action)), h('div.l', { 'data-testid': 'case-action' }, c.action)),
      h('div.card', {}, h('div.n', { 'data-testid': 'case-score' }, fmtScore(c.score)), h('div.l', {}, 'score')),
      h('div.card', {}, h('div.n', { 'data-testid': 'case-status' }, c.status), h('div.l', {}, 'status')),
      h('div.card', {}, h('div.n', { 'data-testid': 'case-version' }, String(c.version)), h('div.l', {}, 'version')),
      h('div.card', {}, h('div.n', { 'data-testid': 'case-events' }, String(c.events)), h('div.l', {}, 'events'))),
    h('p', {}, 'Reasons: ', (c.reasons || []).map((r, i) => [i ? ', ' : '', h('span.code', { 'data-testid': 'case-reason' }, r)]),
      ' · first action ', fmtTime(c.first_action_ts), ' · cluster ', c.cluster_id ? h('span.code', {}, c.cluster_id) : 'none'),
    h('div.grid2', {}, accountPanel(x.account), orgPanel(x.org, c.org_id)),
    screening(x.findings, x.org),
    h('div.panel', {}, h('h2', {}, 'Activity and actions over time'), timelineBox),
    canWrite ? decisionPanel(c, rerender) : h('p.muted', {}, 'Read-only (viewer).'),
    appealsPanel(c, x.appeals, canWrite, rerender),
    notesPanel(c, x.notes, canWrite, rerender),
    h('div.panel', {}, h('h2', {}, 'Cluster'), clusterBox),
    h('div.panel', {}, h('h2', {}, 'Findings and evidence'),
      table(['time', 'detector', 'reason', 'score', 'action', 'evidence'], x.findings.map((f) =>
        h('tr', {}, h('td', {}, fmtTime(f.ts)), h('td', {}, f.detector), h('td.code', {}, f.code),
          h('td', {}, fmtScore(f.score)), h('td', {}, badge(f.action)),
          h('td', {}, h('pre.evidence', {}, JSON.stringify(f.evidence, null, 2))))), { 'data-testid': 'findings' })),
    h('div.panel', {}, h('h2', {}, 'Audit trail'),
      table(['at', 'who', 'change', 'action', 'status', 'detail'], x.audit.map((a) =>
        h('tr', {}, h('td', {}, fmtTime(a.at)), h('td', {}, a.actor), h('td.code', {}, a.reason),
          h('td', {}, a.from_action + ' → ' + a.to_action),
          h('td', {}, a.from_status ? a.from_status + ' → ' + a.to_status : ''),
          h('td', {}, a.detail ?? ''))), { 'data-testid': 'audit' })));
  await timeline(timelineBox, x.findings, x.audit);
  await clusterGraph(clusterBox, c.cluster_id, c.account_id).catch((e) =>
    clusterBox.append(h('p.muted', {}, 'Cluster not available: ' + e.message)));
}

function kv(rows) {
  return table([], rows.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) =>
    h('tr', {}, h('th', {}, k), h('td', {}, String(v)))));
}

function accountPanel(a) {
  return h('div.panel', {}, h('h2', {}, 'Account'), a ? kv([
    ['created', fmtTime(a.created_at)], ['billing country', a.billing_country], ['card country', a.card_country],
    ['payment fingerprint', a.payment_fingerprint], ['email domain', a.email_domain], ['sign-up address', a.signup_ip],
    ['program', a.program], ['reseller', a.reseller ? 'yes' : 'no']]) : h('p.muted', {}, 'Not in the account registry.'));
}

function orgPanel(o, orgId) {
  return h('div.panel', {}, h('h2', {}, 'Organisation'), o
    ? h('div', {}, h('p', {}, h('b', { 'data-testid': 'org-name' }, o.name)), kv([
        ['id', o.org_id], ['aliases', (o.aliases || []).join('; ')], ['country', o.country], ['domain', o.domain]]))
    : h('p.muted', {}, orgId ? 'Organisation ' + orgId + ' is not in the registry.' : 'No organisation.'));
}

// Screening findings: the organisation as registered beside the list entry it matched.
function screening(findings, org) {
  const hits = findings.filter((f) => f.code.startsWith('screen.') && f.evidence && typeof f.evidence === 'object');
  if (!hits.length) return null;
  return h('div.panel', { 'data-testid': 'screening' }, h('h2', {}, 'Screening matches'), hits.map((f) => {
    const e = f.evidence, m = e.match || {};
    const ex = m.explain || {};
    return h('div', {},
      h('div.side', {},
        h('div', {}, h('div.muted', {}, 'Organisation (our registry)'),
          h('p', {}, h('b', { 'data-testid': 'screen-org' }, e.name ?? (org && org.name) ?? '')),
          org && org.aliases && org.aliases.length ? h('p', {}, 'aliases: ' + org.aliases.join('; ')) : null,
          org ? h('p', {}, 'country ' + (org.country || '?') + ' · ' + (org.domain || '')) : null,
          e.restricted_share ? h('p', {}, 'restricted ownership: ' + e.restricted_share + ' %') : null),
        h('div', {}, h('div.muted', {}, 'Listed entry'),
          m.name ? h('p', {}, h('b', { 'data-testid': 'screen-listed' }, m.name)) : h('p', {}, e.chain ?? ''),
          m.list ? h('p', {}, m.list + ' #' + (m.source_id ?? '') + ' · ' + (m.program ?? '') + ' · ' + (m.kind ?? '')) : null,
          m.score !== undefined ? h('p', {}, 'match score ' + fmtScore(m.score)) : null)),
      e.chain ? h('p.code', {}, e.chain) : null,
      ex.tokens ? table(['our token', 'listed token', 'similarity', 'weight'], ex.tokens.map((t) =>
        h('tr', {}, h('td.code', {}, t.query), h('td.code', {}, t.listed), h('td', {}, fmtScore(t.sim)), h('td', {}, fmtScore(t.weight))))) : null,
      ex.method ? h('p.muted', {}, 'method ' + ex.method + ', name score ' + fmtScore(ex.name_score) +
        ', normalised "' + (ex.query_core ?? '') + '" vs "' + (ex.listed_core ?? '') + '"') : null);
  }));
}

async function act(fn, okMsg, rerender) {
  try {
    await fn();
    flash(okMsg, true);
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) flash('The case changed since you opened it; it has been reloaded. Decide again.');
    else flash(e.message);
  }
  await rerender();
}

function decisionPanel(c, rerender) {
  const note = h('textarea', { name: 'note', required: true, 'data-testid': 'decision-note', placeholder: 'why (kept in the audit trail)' });
  const verb = h('select', { name: 'decision', 'data-testid': 'decision' },
    ['confirm', 'dismiss', 'escalate'].map((v) => h('option', { value: v }, v)));
  const boxes = (c.reasons || []).map((r) => h('input', { type: 'checkbox', value: r, 'data-testid': 'allow-reason' }));
  const allow = h('div', { hidden: true }, h('div.muted', {}, 'Also allowlist this account for:'),
    boxes.map((b, i) => h('label.chk', {}, b, h('span.code', {}, c.reasons[i]))));
  verb.addEventListener('change', () => { allow.hidden = verb.value !== 'dismiss'; });
  const form = h('form.stack', { 'data-testid': 'decision-form', on: { submit: (e) => {
    e.preventDefault();
    const body = { decision: verb.value, version: c.version, note: note.value };
    const picked = boxes.filter((b) => b.checked).map((b) => b.value);
    if (verb.value === 'dismiss' && picked.length) body.allowlist = picked;
    act(() => post('/v1/cases/' + c.case_id + '/decision', body), 'Decision recorded: ' + verb.value, rerender);
  } } }, h('label', {}, 'decision', verb), allow, h('label', {}, 'note', note),
    h('div', {}, h('button.primary', { type: 'submit', 'data-testid': 'decide' }, 'Record decision'),
      h('span.muted', {}, ' on version ' + c.version)));
  return h('div.panel', {}, h('h2', {}, 'Decision'), form);
}

function appealsPanel(c, appeals, canWrite, rerender) {
  const open = appeals.find((a) => a.status === 'open');
  const parts = [h('h2', {}, 'Appeals')];
  parts.push(appeals.length
    ? table(['#', 'opened', 'by', 'statement', 'status', 'decided'], appeals.map((a) => h('tr', { 'data-testid': 'appeal-row' },
        h('td', {}, String(a.appeal_id)), h('td', {}, fmtTime(a.opened_at)), h('td', {}, a.opened_by),
        h('td', {}, a.statement), h('td', { 'data-testid': 'appeal-status' }, a.status),
        h('td', {}, a.decided_by ? a.decided_by + ', ' + fmtTime(a.decided_at) : ''))))
    : h('p.muted', {}, 'No appeal.'));
  if (canWrite && open) {
    const note = h('textarea', { required: true, 'data-testid': 'appeal-note' });
    const verb = h('select', { 'data-testid': 'appeal-decision' }, ['uphold', 'deny'].map((v) => h('option', { value: v }, v)));
    const all = h('input', { type: 'checkbox', 'data-testid': 'appeal-allowlist' });
    parts.push(h('form.stack', { 'data-testid': 'appeal-decide-form', on: { submit: (e) => {
      e.preventDefault();
      const body = { decision: verb.value, version: open.version, note: note.value };
      if (verb.value === 'uphold' && all.checked) body.allowlist = true;
      act(() => post('/v1/appeals/' + open.appeal_id + '/decision', body), 'Appeal ' + (verb.value === 'uphold' ? 'upheld' : 'denied'), rerender);
    } } }, h('label', {}, 'decide appeal #' + open.appeal_id, verb),
      h('label.chk', {}, all, 'on uphold, allowlist the account for every reason of the case'),
      h('label', {}, 'note', note), h('div', {}, h('button.primary', { type: 'submit', 'data-testid': 'appeal-decide' }, 'Decide appeal'))));
  } else if (canWrite && c.action !== 'allow') {
    const st = h('textarea', { required: true, 'data-testid': 'appeal-statement', placeholder: "the account owner's statement" });
    parts.push(h('form.stack', { 'data-testid': 'appeal-open-form', on: { submit: (e) => {
      e.preventDefault();
      act(() => post('/v1/cases/' + c.case_id + '/appeals', { statement: st.value, version: c.version }), 'Appeal opened', rerender);
    } } }, h('label', {}, 'open an appeal', st), h('div', {}, h('button', { type: 'submit', 'data-testid': 'appeal-open' }, 'Open appeal'))));
  }
  return h('div.panel', {}, parts);
}

function notesPanel(c, notes, canWrite, rerender) {
  const text = h('textarea', { required: true, 'data-testid': 'note-text' });
  return h('div.panel', {}, h('h2', {}, 'Notes'),
    notes.length ? h('ul', { 'data-testid': 'notes' }, notes.map((n) => h('li', {}, h('b', {}, n.principal), ' ', h('span.muted', {}, fmtTime(n.at)), ': ', n.text)))
      : h('p.muted', {}, 'No notes.'),
    canWrite ? h('form.stack', { on: { submit: (e) => {
      e.preventDefault();
      act(() => post('/v1/cases/' + c.case_id + '/notes', { text: text.value }), 'Note added', rerender);
    } } }, text, h('div', {}, h('button', { type: 'submit', 'data-testid': 'add-note' }, 'Add note'))) : null);
}
