// dom.js — building the page safely. Every string from the API goes into
// the DOM as a text node (textContent), never as markup: an account id or
// an organisation name with HTML in it shows as the characters it is.

// h('tag.class', {attr: value}, child...) — children are nodes or strings
// (strings become text nodes); attributes are set one by one, and event
// handlers only through on: {click: fn}.
export function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'text') el.textContent = String(v);
    else if (k.startsWith('on')) throw new Error('event handlers go in on: {}');
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function badge(action) {
  return h('span.badge.' + (['allow', 'review', 'throttle', 'block'].includes(action) ? action : 'x'),
           {}, action ?? '');
}

export function table(head, rows, attrs) {
  return h('table', attrs || {}, h('thead', {}, h('tr', {}, head.map((t) => h('th', {}, t)))),
           h('tbody', {}, rows));
}

export function fmtScore(x) {
  return typeof x === 'number' ? x.toFixed(2) : '';
}

export function fmtTime(s) {
  return s ? String(s).replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}

// Show a message under the header: ok (green) or error (red).
export function flash(msg, ok) {
  const el = document.getElementById('flash');
  el.textContent = msg || '';
  el.hidden = !msg;
  el.classList.toggle('ok', !!ok);
}
