// main.js — log-in and routing. Without a token in sessionStorage the
// log-in form is shown; a token is checked with /v1/whoami before it is
// kept. Routes: #/overview, #/queue?filters, #/case/ID, #/appeals, #/policy.
import { get, token, setToken, logout, cachedMe, keepMe, ApiError } from './api.js';
import { h, clear, flash } from './dom.js';
import { overview } from './overview.js';
import { queue } from './queue.js';
import { casePage } from './case.js';
import { policy } from './policy.js';
import { appeals } from './appeals.js';

const main = document.getElementById('main');
let me = null;

function loginForm(msg) {
  document.getElementById('nav').hidden = true;
  document.getElementById('logout').hidden = true;
  document.getElementById('who').textContent = '';
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', 'data-testid': 'token', required: true });
  clear(main).append(h('div.login.panel', {}, h('h1', {}, 'Log in'),
    h('p.muted', {}, 'Your analyst token (from the operator of this Warden server).'),
    msg ? h('p.flash', {}, msg) : null,
    h('form.stack', { 'data-testid': 'login-form', on: { submit: async (e) => {
      e.preventDefault();
      setToken(input.value.trim());
      await route();
    } } }, h('label', {}, 'token', input), h('button.primary', { type: 'submit', 'data-testid': 'login' }, 'Log in'))));
}

async function route() {
  if (!token()) return loginForm();
  try {
    // the role shown and the forms offered; the server checks every request anyway
    if (!me) me = cachedMe();
    if (!me) keepMe((me = await get('/v1/whoami')));
  } catch (e) {
    logout();
    me = null;
    return loginForm(e instanceof ApiError && e.status === 401 ? 'That token is not valid.' : e.message);
  }
  document.getElementById('nav').hidden = false;
  document.getElementById('logout').hidden = false;
  document.getElementById('who').textContent = me.principal + ' (' + me.role + ')';
  const [path, query] = (location.hash.replace(/^#/, '') || '/overview').split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean);
  for (const a of document.querySelectorAll('[data-nav]'))
    a.classList.toggle('active', a.dataset.nav === parts[0] || (parts[0] === 'case' && a.dataset.nav === 'queue'));
  const page = h('div', { 'data-page': parts[0] || 'overview' });
  clear(main).append(page); // attached first: charts and the graph measure their box
  try {
    if (parts[0] === 'queue') await queue(page, params);
    else if (parts[0] === 'case' && parts[1]) await casePage(page, parts[1], me, route);
    else if (parts[0] === 'appeals') await appeals(page, params);
    else if (parts[0] === 'policy') await policy(page);
    else await overview(page);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { logout(); me = null; return loginForm('Your session ended.'); }
    page.append(h('p.flash', {}, 'Could not load: ' + e.message));
  }
  performance.mark('warden-rendered'); // the browser test reads page-load times from this
  document.body.dataset.ready = location.hash || '#/overview';
}

document.getElementById('logout').addEventListener('click', () => { logout(); me = null; location.hash = ''; loginForm(); });
window.addEventListener('hashchange', () => { flash(''); route(); });
route();
