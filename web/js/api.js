// api.js — the cases API of `warden serve`, called with the analyst's
// bearer token. The token lives in sessionStorage (gone when the tab
// closes) and is sent only to this origin.
const KEY = 'warden.token', WHO = 'warden.me';

export function token() { return sessionStorage.getItem(KEY); }
export function setToken(t) { sessionStorage.setItem(KEY, t); sessionStorage.removeItem(WHO); }
export function logout() { sessionStorage.removeItem(KEY); sessionStorage.removeItem(WHO); }
// Who the token belongs to ({principal, role}), asked once per session.
export function cachedMe() { try { return JSON.parse(sessionStorage.getItem(WHO)); } catch (e) { return null; } }
export function keepMe(me) { sessionStorage.setItem(WHO, JSON.stringify(me)); }

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function call(method, path, body) {
  const opts = { method, headers: { Authorization: 'Bearer ' + (token() || '') } };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok) throw new ApiError(r.status, (data && data.error) || r.statusText);
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);

// Query string from an object, skipping empty values.
export function qs(obj) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? '?' + s : '';
}
