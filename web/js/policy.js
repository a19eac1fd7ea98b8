// policy.js — the policy the server runs now: its file and hash, shadow
// mode, restricted jurisdictions, rules with the response controls they
// pass to the gateway (strip reasoning, a max_tokens cap), and allowlist
// sizes (including the accounts allowlisted on review).
import { get } from './api.js';
import { h, table, badge } from './dom.js';

export async function policy(main) {
  const p = await get('/v1/policy');
  main.append(h('h1', {}, 'Current policy'),
    h('div.panel', {}, table([], [
      h('tr', {}, h('th', {}, 'file'), h('td.code', { 'data-testid': 'policy-path' }, p.path ?? '(built-in)')),
      h('tr', {}, h('th', {}, 'sha256'), h('td.code', {}, p.sha256)),
      h('tr', {}, h('th', {}, 'mode'), h('td', { 'data-testid': 'policy-mode' }, p.shadow ? 'shadow (decides, never enforces)' : 'enforcing')),
      h('tr', {}, h('th', {}, 'restricted jurisdictions'), h('td', {}, (p.restricted || []).join(', ') || 'none')),
      h('tr', {}, h('th', {}, 'restricted address / billing'), h('td', {}, p.restricted_ip_action + ' / ' + p.restricted_billing_action)),
      h('tr', {}, h('th', {}, 'allowlists'), h('td', { 'data-testid': 'policy-allowlists' },
        `${p.allowlists.accounts} accounts, ${p.allowlists.orgs} organisations, ${p.allowlists.networks} networks, ` +
        `${p.allowlists.review} (account, reason) pairs from review`))])),
    h('h2', {}, 'Rules'),
    table(['reason code', 'min score', 'action', 'response controls'], p.rules.map((r) =>
      h('tr', {}, h('td.code', {}, r.code), h('td', {}, String(r.min_score)), h('td', {}, badge(r.action)),
        h('td', { 'data-testid': 'rule-controls' }, controls(r)))), { 'data-testid': 'rules' }));
}

// What the gateway is told to do to the answer while the rule applies.
function controls(r) {
  const c = [];
  if (r.strip_reasoning) c.push('strip reasoning');
  if (r.max_tokens > 0) c.push(`max_tokens ${r.max_tokens}`);
  return c.join(', ') || 'none';
}
