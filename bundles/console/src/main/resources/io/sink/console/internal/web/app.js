// Sink fleet console. Every text that comes from the server (and so, possibly, from a client) is
// put into the page with textContent or as an attribute value, never as HTML.
'use strict';

const state = { csrf: null, selected: null, timer: null };
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return e;
}

async function api(method, path, params) {
  const options = { method, headers: {}, credentials: 'same-origin' };
  if (method === 'POST') {
    options.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    if (state.csrf) options.headers['X-CSRF-Token'] = state.csrf;
    options.body = new URLSearchParams(params || {}).toString();
  }
  const response = await fetch('api/' + path, options);
  let body = {};
  try { body = await response.json(); } catch (e) { body = { error: 'unreadable answer' }; }
  if (response.status === 401 && path !== 'login') {
    showLogin();
  }
  if (!response.ok) throw new Error(body.error || ('HTTP ' + response.status));
  return body;
}

function showLogin(message) {
  state.csrf = null;
  clearInterval(state.timer);
  $('main-view').hidden = true;
  $('logout').hidden = true;
  $('login-view').hidden = false;
  $('login-error').textContent = message || '';
  $('status').textContent = '';
}

function showMain() {
  $('login-view').hidden = true;
  $('main-view').hidden = false;
  $('logout').hidden = false;
  refresh();
  clearInterval(state.timer);
  state.timer = setInterval(refresh, 2000);
}

function say(message) { $('message').textContent = message || ''; $('error').textContent = ''; }
function fail(e) { $('error').textContent = e.message || String(e); }

function ago(iso, now) {
  if (!iso) return '';
  const seconds = Math.max(0, Math.round((Date.parse(now) - Date.parse(iso)) / 1000));
  if (seconds < 60) return seconds + 's ago';
  if (seconds < 3600) return Math.floor(seconds / 60) + 'm ' + (seconds % 60) + 's ago';
  return Math.floor(seconds / 3600) + 'h ' + Math.floor(seconds % 3600 / 60) + 'm ago';
}

async function refresh() {
  try {
    const data = await api('GET', 'clients');
    renderClients(data);
    if (state.selected) {
      const detail = await api('GET', 'clients/' + encodeURIComponent(state.selected));
      renderClient(detail);
    }
    $('status').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    fail(e);
  }
}

function renderClients(data) {
  $('listening').textContent = data.listening ? 'Sink server listening on ' + data.listening : 'Sink server not listening';
  const body = $('clients').tBodies[0];
  const rows = [];
  for (const c of data.clients) {
    const state_ = c.connected ? el('span', { class: 'connected' }, 'connected') : el('span', { class: 'disconnected' }, 'not connected');
    const since = c.connected ? [c.since + ' (' + ago(c.since, data.now) + ')', el('br'), 'from ' + (c.peer || '?'),
      el('br'), 'application ' + (c.applicationVersion || '?')] : [''];
    const last = c.lastEvent ? (c.lastEvent.key + ' #' + c.lastEvent.offset + ', received ' + ago(c.lastEvent.receivedAt, data.now))
      + (c.events !== undefined ? ' (' + c.events + ' stored)' : '') : (c.events !== undefined ? 'none stored' : '');
    const fresh = el('span');
    for (const f of c.freshness) {
      fresh.appendChild(document.createTextNode('type ' + f.eventType + ': ' + f.timestamp));
      fresh.appendChild(el('br'));
    }
    const q = c.quarantine ? el('span', { class: 'quarantined' }, 'quarantined: ' + c.quarantine.machine + ' / ' + c.quarantine.human) : 'no';
    const tr = el('tr', { class: 'client' + (c.id === state.selected ? ' selected' : ''), 'data-client': c.id },
      el('td', {}, c.id), el('td', { class: 'state' }, state_), el('td', {}, ...since),
      el('td', {}, (c.clientInstanceId || '-') + ' / ' + (c.serverInstanceId || '-')),
      el('td', { class: 'last-event' }, last), el('td', {}, fresh), el('td', { class: 'quarantine' }, q));
    tr.addEventListener('click', () => { state.selected = c.id; say(''); refresh(); });
    rows.push(tr);
  }
  body.replaceChildren(...rows);
}

function renderClient(data) {
  $('client-view').hidden = false;
  $('client-name').textContent = data.client.id;
  const kinds = $('sensor-kind');
  const current = kinds.value;
  if (kinds.options.length !== data.kinds.length) {
    kinds.replaceChildren(...data.kinds.map((k) => el('option', { value: k }, k)));
    if (current) kinds.value = current;
  }
  $('add').disabled = !data.services.sensors;
  const rows = data.sensors.map((s) => {
    const rename = el('input', { class: 'rename', placeholder: 'new name' });
    const renameButton = el('button', { type: 'button', class: 'rename-button' }, 'Rename');
    renameButton.addEventListener('click', () => act('clients/' + enc(data.client.id) + '/sensors/' + enc(s.id) + '/rename', { name: rename.value }));
    const remove = el('button', { type: 'button', class: 'remove-button' }, 'Remove');
    remove.addEventListener('click', () => act('clients/' + enc(data.client.id) + '/sensors/' + enc(s.id) + '/remove'));
    const delivery = (s.removed ? 'removal ' : '') + s.delivery + (s.nackReason ? ': ' + s.nackReason : '');
    return el('tr', { 'data-sensor': s.id }, el('td', { class: 'name' }, s.name), el('td', {}, s.id), el('td', {}, s.kind),
      el('td', {}, s.periodMillis), el('td', { class: 'delivery delivery-' + s.delivery }, delivery),
      el('td', {}, s.removed ? '' : rename, s.removed ? '' : renameButton, s.removed ? '' : remove));
  });
  // not while the operator types a new name into the table (the input would be replaced)
  const typing = document.activeElement && document.activeElement.tagName === 'INPUT' && $('sensors').contains(document.activeElement);
  if (!typing) $('sensors').tBodies[0].replaceChildren(...rows);
  $('readings').replaceChildren(...data.readings.map(chart));
  if (data.readings.length === 0) $('readings').appendChild(el('p', { class: 'muted' }, 'no readings stored'));
}

function enc(s) { return encodeURIComponent(s); }

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

// One sensor's latest readings: temperature (orange) and humidity (blue) against their order.
function chart(series) {
  const w = 320, h = 120, pad = 6;
  const points = series.points;
  const values = points.flatMap((p) => [p.temperature, p.humidity]);
  const min = Math.min(...values), max = Math.max(...values);
  const span = max - min || 1;
  const x = (i) => pad + (points.length < 2 ? 0 : i * (w - 2 * pad) / (points.length - 1));
  const y = (v) => h - pad - (v - min) * (h - 2 * pad) / span;
  const line = (field) => points.map((p, i) => x(i).toFixed(1) + ',' + y(p[field]).toFixed(1)).join(' ');
  const s = svg('svg', { width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, role: 'img' });
  s.appendChild(svg('polyline', { class: 't', points: line('temperature') }));
  s.appendChild(svg('polyline', { class: 'h', points: line('humidity') }));
  const last = points[points.length - 1];
  return el('div', { class: 'chart', 'data-key': series.key },
    el('div', { class: 'label' }, series.label + (series.serverConfigured ? ' (server)' : '')),
    s,
    el('div', { class: 'latest' }, 'latest: temperature ' + last.temperature + ', humidity ' + last.humidity
      + ' at ' + last.timestamp + ' (' + points.length + ' shown, min ' + min + ', max ' + max + ')'));
}

async function act(path, params) {
  try {
    const done = await api('POST', path, params);
    say(done.message || ('done: ' + (done.name || '') + ' ' + (done.delivery || '')));
    await refresh();
  } catch (e) {
    fail(e);
  }
}

function selectedPath(action) { return 'clients/' + enc(state.selected) + '/' + action; }

document.addEventListener('DOMContentLoaded', async () => {
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const s = await api('POST', 'login', { password: $('password').value });
      $('password').value = '';
      state.csrf = s.csrfToken;
      showMain();
    } catch (e) {
      showLogin(e.message);
    }
  });
  $('logout').addEventListener('click', async () => {
    try { await api('POST', 'logout'); } catch (e) { /* the session may be gone already */ }
    showLogin('logged out');
  });
  $('add-sensor').addEventListener('submit', (event) => {
    event.preventDefault();
    act(selectedPath('sensors'), { name: $('sensor-name').value, kind: $('sensor-kind').value, periodMillis: $('sensor-period').value });
  });
  $('quarantine').addEventListener('click', () => act(selectedPath('quarantine'), { machine: $('q-machine').value, human: $('q-human').value }));
  $('unquarantine').addEventListener('click', () => act(selectedPath('unquarantine')));
  $('forget').addEventListener('click', () => act(selectedPath('forget')));
  $('resume').addEventListener('click', () => act(selectedPath('resume')));
  try {
    const s = await api('GET', 'session');
    if (s.authenticated) {
      state.csrf = s.csrfToken;
      showMain();
    } else {
      showLogin(s.passwordConfigured ? '' : 'No console password is configured (PID io.sink.console, passwordHash).');
    }
  } catch (e) {
    showLogin(e.message);
  }
});
