// console_browser.mjs — the review console in a real browser (Debian's
// chromium driven by playwright-core), run by test_console_browser.sh
// against a real `warden serve`. It logs in, walks overview → queue → case
// → decision → appeal, compares what the page shows with what the API
// answers, checks that an organisation name containing <script> is shown as
// text and never runs, that no request leaves the server's origin and the
// Content-Security-Policy is never violated, saves screenshots, and times
// page loads against a cases.db of 100,000 cases.
//
// Environment: URL, URL_BIG (the 100,000-case server), TOKEN (analyst),
// VIEWER_TOKEN, SCRIPT_CASE (case id whose organisation has <script> in its
// name), SCRIPT_ORG (that name), SCREEN_CASE (a screening case), CLUSTER_CASE
// (a case with cluster data), SHOTS (screenshot directory), PLAYWRIGHT (path
// of the playwright-core package). Prints one line per check, exits 1 on any
// failure.
import { createRequire } from 'node:module';
import os from 'node:os';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT);
const env = (k) => { if (!process.env[k]) throw new Error('missing ' + k); return process.env[k]; };
const URL = env('URL'), URL_BIG = env('URL_BIG'), TOKEN = env('TOKEN');

let failed = 0, passed = 0;
function check(what, ok, detail) {
  if (ok) passed++; else { failed++; console.log('FAIL: ' + what + (detail !== undefined ? ' (' + detail + ')' : '')); }
}
async function api(base, path, token = TOKEN, body) {
  const r = await fetch(base + path, { method: body ? 'POST' : 'GET',
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined });
  return r.json();
}
const text = async (page, sel) => (await page.locator(sel).first().textContent()).trim();

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const origins = new Set(), problems = [];
function watch(page, base) {
  page.on('request', (r) => { const u = new globalThis.URL(r.url()); if (u.origin !== new globalThis.URL(base).origin) origins.add(u.origin); });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
}

try {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await ctx.newPage();
  watch(page, URL);

  // ---- log in: a wrong token is refused, the right one is kept
  await page.goto(URL + '/');
  await page.fill('[data-testid=token]', 'not-a-valid-token-000');
  await page.click('[data-testid=login]');
  await page.waitForSelector('text=That token is not valid.');
  check('wrong token refused on the login form', true);
  await page.fill('[data-testid=token]', TOKEN);
  await page.click('[data-testid=login]');
  await page.waitForSelector('[data-testid=total-cases]');
  check('token kept in sessionStorage only',
    await page.evaluate((t) => sessionStorage.getItem('warden.token') === t && !localStorage.length && !document.cookie, TOKEN));

  // ---- overview: the numbers are the API's
  const ov = await api(URL, '/v1/overview');
  check('overview: cases = API', await text(page, '[data-testid=total-cases]') === String(ov.totals[0].cases));
  check('overview: queue size = API', await text(page, '[data-testid=queue-size]') === String(ov.totals[0].queue));
  check('overview: open appeals = API', await text(page, '[data-testid=open-appeals]') === String(ov.totals[0].open_appeals));
  const reasonNs = await page.locator('[data-testid=reason-n]').allTextContents();
  check('overview: top reasons = API', JSON.stringify(reasonNs) === JSON.stringify(ov.top_reasons.map((r) => String(r.n))));
  await page.waitForSelector('[data-testid=chart-actions] canvas');
  check('overview: actions per day drawn (uPlot canvas)', true);

  // ---- queue: default view, sorting, filtering, paging — each equal to the API
  await page.click('a[data-nav=queue]');
  await page.waitForSelector('[data-testid=queue-total]');
  let q = await api(URL, '/v1/cases?status=open&sort=score&order=desc&limit=50');
  check('queue: total = API', await text(page, '[data-testid=queue-total]') === String(q.total), await text(page, '[data-testid=queue-total]') + ' vs ' + q.total);
  check('queue: rows on the page = API', await page.locator('[data-testid=queue-row]').count() === q.items.length);
  check('queue: first row = API', await text(page, '[data-testid=row-account]') === q.items[0].account_id);
  await page.click('th[data-sort=events]');
  await page.waitForURL(/sort=events/);
  await page.waitForSelector('th.sorted[data-sort=events]');
  q = await api(URL, '/v1/cases?status=open&sort=events&order=desc&limit=50');
  check('queue: sorted by events = API', JSON.stringify(await page.locator('[data-testid=row-account]').allTextContents()) === JSON.stringify(q.items.map((c) => c.account_id)));
  await page.selectOption('[data-testid=filter-action]', 'block');
  await page.click('form[data-testid=filters] button');
  await page.waitForURL(/action=block/);
  await page.waitForSelector('[data-testid=queue-total]');
  q = await api(URL, '/v1/cases?status=open&action=block&sort=events&order=desc&limit=50');
  check('queue: filtered by action = API', await text(page, '[data-testid=queue-total]') === String(q.total));
  await page.goto(URL + '/#/queue?limit=10');
  await page.waitForSelector('[data-testid=queue-row]');
  await page.click('[data-testid=next]');
  await page.waitForURL(/offset=10/);
  await page.waitForSelector('[data-testid=range]:has-text("11–")');
  q = await api(URL, '/v1/cases?status=open&sort=score&order=desc&limit=10&offset=10');
  check('queue: second page = API', JSON.stringify(await page.locator('[data-testid=row-account]').allTextContents()) === JSON.stringify(q.items.map((c) => c.account_id)));
  await page.goto(URL + '/#/queue');
  await page.waitForSelector('[data-testid=queue-row]');
  await page.screenshot({ path: process.env.SHOTS + '/console-queue.png' });

  // ---- a screening case: the organisation beside the listed entry
  await page.goto(URL + '/#/case/' + env('SCREEN_CASE'));
  await page.waitForSelector('[data-testid=screening]');
  const sc = await api(URL, '/v1/cases/' + env('SCREEN_CASE'));
  const hit = sc.findings.find((f) => f.code.startsWith('screen.') && f.evidence.match);
  if (hit) check('screening: listed entry shown = evidence', await text(page, '[data-testid=screen-listed]') === hit.evidence.match.name);
  check('screening: our organisation shown', (await text(page, '[data-testid=screen-org]')).length > 0);
  await page.waitForSelector('[data-testid=timeline] canvas');
  check('case: timeline drawn', true);
  await page.screenshot({ path: process.env.SHOTS + '/console-case.png', fullPage: true,
                         clip: { x: 0, y: 0, width: 1400, height: 1900 } });

  // ---- the cluster graph, and a case without cluster data
  await page.goto(URL + '/#/case/' + env('CLUSTER_CASE'));
  await page.waitForSelector('[data-testid=cluster-graph] canvas');
  check('cluster drawn as a graph (cytoscape canvas)', true);
  const cc = await api(URL, '/v1/cases/' + env('CLUSTER_CASE'));
  const cl = await api(URL, '/v1/clusters/' + encodeURIComponent(cc.case.cluster_id));
  check('cluster: the link record shown when the run wrote one',
        await page.locator('[data-testid=cluster-record]').count() === (cl.record ? 1 : 0));
  if (cl.record)
    check('cluster: member count = record', (await text(page, '[data-testid=cluster-record]')).startsWith(String(cl.record.members) + ' members'));

  // ---- the case whose organisation name carries <script>: walk through from the queue
  const id = env('SCRIPT_CASE');
  const before = await api(URL, '/v1/cases/' + id);
  await page.goto(URL + '/#/queue?status=&account=' + encodeURIComponent(before.case.account_id));
  await page.waitForSelector('[data-testid=queue-row]');
  await page.click('[data-testid=queue-row]');
  await page.waitForSelector('[data-testid=case-version]');
  check('case: opened from the queue', await text(page, '[data-testid=case-id]') === id);
  check('case: <script> organisation name shown as text', await text(page, '[data-testid=org-name]') === env('SCRIPT_ORG'));
  check('case: the <script> never ran', await page.evaluate(() => window.__xss === undefined));
  check('case: no script element from data', await page.evaluate(() => document.querySelectorAll('main script').length === 0));
  check('case: version = API', await text(page, '[data-testid=case-version]') === String(before.case.version));
  check('case: status = API', await text(page, '[data-testid=case-status]') === before.case.status);
  check('case: findings = API', await page.locator('[data-testid=findings] tbody tr').count() === before.findings.length);
  check('case: no cluster data said so', await page.locator('[data-testid=no-cluster]').count() === (before.case.cluster_id ? 0 : 1));

  // ---- decision: escalate with a note
  await page.selectOption('[data-testid=decision]', 'escalate');
  await page.fill('[data-testid=decision-note]', 'needs a second look <b>bold?</b>');
  await page.click('[data-testid=decide]');
  await page.waitForSelector('[data-testid=case-status]:has-text("escalated")');
  let now = await api(URL, '/v1/cases/' + id);
  check('decision: status escalated (API)', now.case.status === 'escalated');
  check('decision: version shown = API', await text(page, '[data-testid=case-version]') === String(now.case.version));
  const audit = await api(URL, '/v1/audit?case_id=' + id + '&limit=1');
  check('decision: audited with the principal', audit.items[0].actor === 'alice' && audit.items[0].reason === 'review.escalate' &&
    audit.items[0].from_status === before.case.status && audit.items[0].to_status === 'escalated');
  check('decision: note shown as text', (await page.locator('[data-testid=notes]').textContent()).includes('needs a second look <b>bold?</b>'));

  // ---- a stale decision: someone else decided meanwhile; the page gets 409 and reloads
  await api(URL, '/v1/cases/' + id + '/notes', TOKEN, { text: 'unrelated note' }); // notes do not change the version
  const other = await api(URL, '/v1/cases/' + id + '/decision', TOKEN, { decision: 'confirm', version: now.case.version, note: 'confirmed elsewhere' });
  check('stale setup: another decision went through', other.version === now.case.version + 1);
  await page.selectOption('[data-testid=decision]', 'dismiss');
  await page.fill('[data-testid=decision-note]', 'dismissing on stale data');
  await page.click('[data-testid=decide]');
  await page.waitForSelector('#flash:has-text("changed since you opened it")');
  check('stale decision: 409 shown, case reloaded', await text(page, '[data-testid=case-version]') === String(other.version));
  check('stale decision: nothing written', (await api(URL, '/v1/cases/' + id)).case.status === 'confirmed');

  // ---- appeal: open it, then uphold it with the allowlist
  await page.fill('[data-testid=appeal-statement]', 'We are a university lab; see contract.');
  await page.click('[data-testid=appeal-open]');
  await page.waitForSelector('[data-testid=appeal-status]:has-text("open")');
  now = await api(URL, '/v1/cases/' + id);
  check('appeal: case appealed (API)', now.case.status === 'appealed' && now.appeals.length === 1);
  check('appeal: shown in the appeals list', (await api(URL, '/v1/appeals?status=open')).items.some((a) => String(a.case_id) === id));
  await page.selectOption('[data-testid=appeal-decision]', 'uphold');
  await page.check('[data-testid=appeal-allowlist]');
  await page.fill('[data-testid=appeal-note]', 'contract checks out');
  await page.click('[data-testid=appeal-decide]');
  await page.waitForSelector('[data-testid=appeal-status]:has-text("upheld")');
  now = await api(URL, '/v1/cases/' + id);
  check('appeal upheld: case dismissed, action lifted (API)', now.case.status === 'dismissed' && now.case.action === 'allow');
  check('appeal upheld: reasons allowlisted (API)', now.review_allowlist.length === (now.case.reasons || []).length);
  check('appeal upheld: page shows the API status', await text(page, '[data-testid=case-status]') === 'dismissed');

  // ---- policy page
  await page.click('a[data-nav=policy]');
  await page.waitForSelector('[data-testid=rules]');
  const pol = await api(URL, '/v1/policy');
  check('policy: rules = API', await page.locator('[data-testid=rules] tbody tr').count() === pol.rules.length);
  const ci = pol.rules.findIndex((r) => r.strip_reasoning && r.max_tokens === 256);
  check('policy: a rule with response controls (API)', ci >= 0 && pol.rules.filter((r) => r.strip_reasoning || r.max_tokens).length === 1);
  const cells = await page.locator('[data-testid=rule-controls]').allTextContents();
  check('policy: its controls shown on its row, none on the others',
    cells[ci] === 'strip reasoning, max_tokens 256' && cells.every((c, i) => i === ci || c === 'none'));
  check('policy: review allowlist size shown', (await text(page, '[data-testid=policy-allowlists]')).includes(pol.allowlists.review + ' (account, reason)'));

  // ---- a viewer reads but has no decision form
  const vctx = await browser.newContext();
  const vpage = await vctx.newPage();
  watch(vpage, URL);
  await vpage.addInitScript((t) => sessionStorage.setItem('warden.token', t), env('VIEWER_TOKEN'));
  await vpage.goto(URL + '/#/case/' + env('SCREEN_CASE'));
  await vpage.waitForSelector('text=Read-only (viewer).');
  check('viewer: no decision form', await vpage.locator('[data-testid=decision-form]').count() === 0);
  await vctx.close();

  // ---- 100,000 cases: page loads, timed in the browser
  const bctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const bpage = await bctx.newPage();
  watch(bpage, URL_BIG);
  await bpage.addInitScript((t) => sessionStorage.setItem('warden.token', t), TOKEN);
  // page load: from the browser's navigation start to the page drawn with
  // its data (the console marks 'warden-rendered'); wall: as the test saw it
  const timed = async (url, sel) => {
    const t0 = Date.now();
    await bpage.goto(url);
    await bpage.waitForSelector(sel);
    const wall = Date.now() - t0;
    const ms = await bpage.evaluate(() => performance.getEntriesByName('warden-rendered')[0].startTime);
    return { ms: Math.round(ms), wall };
  };
  await timed(URL_BIG + '/#/overview', '[data-testid=total-cases]'); // first visit: the browser's own start-up
  const big = await api(URL_BIG, '/v1/overview');
  check('100k: overview shows the API total', await text(bpage, '[data-testid=total-cases]') === String(big.totals[0].cases));
  const tOverview = await timed(URL_BIG + '/?o#/overview', '[data-testid=total-cases]');
  const tQueue = await timed(URL_BIG + '/?q#/queue', '[data-testid=queue-row]');
  const bq = await api(URL_BIG, '/v1/cases?status=open&sort=score&order=desc&limit=50');
  check('100k: queue total = API', await text(bpage, '[data-testid=queue-total]') === String(bq.total));
  const tDeep = await timed(URL_BIG + '/?d#/queue?offset=50000&sort=events', '[data-testid=range]:has-text("50001–")');
  const tCase = await timed(URL_BIG + '/?c#/case/' + bq.items[0].case_id, '[data-testid=case-version]');
  const f = (t) => `${t.ms} ms (${t.wall} ms as the test saw it)`;
  console.log(`page load with ${big.totals[0].cases} cases: overview ${f(tOverview)}, queue ${f(tQueue)}, ` +
              `queue page at offset 50000 ${f(tDeep)}, case ${f(tCase)}`);
  // The budget is a second; on a machine busier than its cores (other
  // tests, builds) the figure measures the machine, so the check only
  // catches a page gone pathological (5 s) and says so.
  const busy = os.loadavg()[0] > os.cpus().length;
  const budget = busy ? 5000 : 1000;
  if (busy) console.log(`machine busy (load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores): page budget ${budget} ms`);
  check('100k: overview loads within budget', tOverview.ms < budget, tOverview.ms);
  check('100k: queue loads within budget', tQueue.ms < budget, tQueue.ms);
  check('100k: a deep queue page loads within budget', tDeep.ms < budget, tDeep.ms);
  check('100k: a case loads within budget', tCase.ms < budget, tCase.ms);
  await bctx.close();

  check('no request left the server origin', origins.size === 0, [...origins].join(' '));
  // expected: the wrong token at log-in (401) and the stale decision (409)
  const unexpected = problems.filter((m) => !/status of (401|409)/.test(m));
  check('no console errors, no CSP violations', unexpected.length === 0, unexpected.join(' | '));
  check('the expected 401 and 409 were seen', problems.length - unexpected.length === 2, problems.length - unexpected.length);
} catch (e) {
  failed++;
  console.log('FAIL: ' + (e.stack || e));
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
