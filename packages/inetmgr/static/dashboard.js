// The poolhost dashboard: IIS Manager's Application Pools, Worker Processes and Current Requests views
// and the event log, fed by the change stream (/api/poolhost/stream). Actions go to the status API
// with the administration token (from #token=… in the address printed by poolhost start, or typed in).
'use strict';

const historySeconds = 300;
const tokenKey = 'poolhost.administrationToken';
const state = { latest: null, previous: null, history: { time: [], pools: new Map() }, chart: null, chartPools: '' };

// --- token ---------------------------------------------------------------------------------------

function readTokenFromAddress() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(tokenKey, decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname);
  }
}

function token() {
  return sessionStorage.getItem(tokenKey) || '';
}

function showTokenState() {
  document.getElementById('token-state').textContent = token() ? 'actions enabled' : 'no token: read-only';
  // The tables are redrawn each second with the buttons that apply.
  if (state.latest) {
    renderPools(state.latest, state.previous);
    renderWorkers(state.latest);
  }
}

document.getElementById('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('token');
  if (input.value.trim()) sessionStorage.setItem(tokenKey, input.value.trim());
  input.value = '';
  showTokenState();
});

// --- actions -------------------------------------------------------------------------------------

async function act(method, path, body) {
  const result = document.getElementById('action-result');
  result.textContent = `${method} ${path} …`;
  const response = await fetch(path, {
    method,
    headers: { 'Access-Token': `Bearer ${token()}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const reply = await response.json().catch(() => ({}));
  result.textContent = `${method} ${path}: ${response.status} ${reply.result ?? reply.title ?? ''}`;
  result.dataset.status = String(response.status);
}

document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const pool = button.dataset.pool && encodeURIComponent(button.dataset.pool);
  const pid = button.dataset.pid;
  switch (button.dataset.action) {
    case 'start-pool':
      return void act('PATCH', `/api/webserver/application-pools/${pool}`, { status: 'started' });
    case 'stop-pool':
      return void act('PATCH', `/api/webserver/application-pools/${pool}`, { status: 'stopped' });
    case 'recycle-pool':
      return void act('POST', `/api/webserver/application-pools/${pool}/recycle`);
    case 'recycle-worker':
      return void act('POST', `/api/webserver/worker-processes/${pid}/recycle`);
    case 'kill-worker':
      if (confirm(`End worker process ${pid} now? Its requests in flight fail.`)) void act('DELETE', `/api/webserver/worker-processes/${pid}`);
  }
});

// --- rendering -----------------------------------------------------------------------------------

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

// The tables are rebuilt on every state message (once a second), but each action button is the same
// element from one rebuild to the next: a click is a press and a release on one element, and a button
// replaced between the two (a slow machine, a long press) would swallow the click.
const buttons = new Map();

function button(label, action, data, applies = true) {
  const key = `${action} ${Object.values(data).join(' ')}`;
  let element = buttons.get(key);
  if (!element) {
    element = document.createElement('button');
    element.textContent = label;
    element.dataset.action = action;
    Object.assign(element.dataset, data);
    buttons.set(key, element);
  }
  element.disabled = !token() || !applies;
  return element;
}

/** Forgets the buttons of pools and workers that are gone (called after each rebuild). */
function forgetDetachedButtons() {
  for (const [key, element] of buttons) if (!element.isConnected) buttons.delete(key);
}

function fillTable(id, rows) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren(...rows);
}

function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return '–';
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

function formatTraffic(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1048576) return `${(bytes / 1024).toFixed(1)} KB`;
  return formatBytes(bytes);
}

function formatUptime(startedAt, now) {
  const seconds = Math.max(0, Math.floor((now - Date.parse(startedAt)) / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s}s` : `${s}s`;
}

function renderPools(current, previous) {
  const elapsed = previous ? (current.time - previous.time) / 1000 : 0;
  const before = new Map((previous?.applicationPools ?? []).map((pool) => [pool.name, pool]));
  fillTable(
    'pools',
    current.applicationPools.map((pool) => {
      const row = document.createElement('tr');
      row.dataset.pool = pool.name;
      const last = before.get(pool.name);
      const rate = last && elapsed > 0 ? ((pool.arrivals - last.arrivals) / elapsed).toFixed(1) : '–';
      const actions = document.createElement('td');
      actions.append(
        button('Start', 'start-pool', { pool: pool.name }, pool.state === 'Disabled'),
        button('Stop', 'stop-pool', { pool: pool.name }, pool.state !== 'Disabled'),
        button('Recycle', 'recycle-pool', { pool: pool.name }, pool.state === 'Running'),
      );
      row.append(
        cell(pool.name),
        cell(pool.state, `state-${pool.state.replace(' ', '.')}`),
        cell(String(pool.workers), 'number'),
        cell(String(pool.queueSize), 'number queue-size'),
        cell(rate, 'number'),
        cell(String(pool.rejected), 'number'),
        cell(String(pool.recycles), 'number'),
        cell(String(pool.failures), 'number'),
        actions,
      );
      return row;
    }),
  );
}

function renderSites(current, previous) {
  const elapsed = previous ? (current.time - previous.time) / 1000 : 0;
  const before = new Map((previous?.sites ?? []).map((site) => [site.id, site]));
  fillTable(
    'sites',
    current.sites.map((site) => {
      const row = document.createElement('tr');
      row.dataset.site = site.name;
      const group = site.urlGroup;
      const last = before.get(site.id)?.urlGroup;
      const rate = group && last && elapsed > 0 ? ((group.allRequests - last.allRequests) / elapsed).toFixed(1) : '–';
      const count = (value) => (value === undefined || value === null ? '–' : String(value));
      row.append(
        cell(site.name),
        cell(site.state, `state-${site.state}`),
        cell(count(group?.currentConnections), 'number connections'),
        cell(count(group?.maxConnections), 'number'),
        cell(count(group?.connectionAttempts), 'number'),
        cell(rate, 'number'),
        cell(count(group?.allRequests), 'number all-requests'),
        cell(count(group?.getRequests), 'number get-requests'),
        cell(count(group?.headRequests), 'number'),
        cell(count(site.notFoundErrors), 'number'),
        cell(group ? formatTraffic(group.bytesSent) : '–', 'number'),
        cell(group ? formatTraffic(group.bytesReceived) : '–', 'number'),
      );
      return row;
    }),
  );
}

function renderWorkers(current) {
  fillTable(
    'workers',
    current.workers.map((worker) => {
      const row = document.createElement('tr');
      row.dataset.pid = String(worker.pid);
      row.dataset.pool = worker.applicationPool;
      const actions = document.createElement('td');
      actions.append(button('Recycle', 'recycle-worker', { pid: String(worker.pid) }), button('Kill', 'kill-worker', { pid: String(worker.pid) }));
      row.append(
        cell(String(worker.pid), 'number pid'),
        cell(worker.applicationPool),
        cell(worker.state, `state-${worker.state}`),
        cell(worker.cpuPercent === null ? '–' : worker.cpuPercent.toFixed(1), 'number'),
        cell(formatBytes(worker.memoryBytes), 'number'),
        cell(String(worker.requestsServed), 'number'),
        cell(String(worker.activeRequests), 'number'),
        cell(formatUptime(worker.startedAt, current.time), 'number'),
        actions,
      );
      return row;
    }),
  );
}

function renderRequests(current) {
  fillTable(
    'requests',
    current.requests.map((request) => {
      const row = document.createElement('tr');
      row.append(
        cell(request.url),
        cell(request.method),
        cell(request.client_ip_address),
        cell(request.pipeline_stage),
        cell(request.module_name),
        cell(`${request.time_elapsed} ms`, 'number'),
        cell(request.worker_process.id, 'number'),
      );
      return row;
    }),
  );
}

// Listener -> queue -> workers, one lane per pool, with the rates between them (for teaching: a web
// garden spreading load, a crash whose queued requests wait for the replacement, a recycle's overlap).
function renderFlow(current, previous) {
  const elapsed = previous ? (current.time - previous.time) / 1000 : 0;
  const rate = (now, before) => (elapsed > 0 && before !== undefined ? ((now - before) / elapsed).toFixed(1) : '–');
  const beforePools = new Map((previous?.applicationPools ?? []).map((pool) => [pool.name, pool]));
  const beforeWorkers = new Map((previous?.workers ?? []).map((worker) => [worker.pid, worker]));
  const box = (className, text) => {
    const element = document.createElement('div');
    element.className = `box ${className}`;
    element.textContent = text;
    return element;
  };
  const arrow = (text) => {
    const element = document.createElement('span');
    element.className = 'arrow';
    element.textContent = `${text} →`;
    return element;
  };
  const lanes = current.applicationPools.map((pool) => {
    const lane = document.createElement('div');
    lane.className = 'lane';
    lane.dataset.pool = pool.name;
    const last = beforePools.get(pool.name);
    const workers = current.workers.filter((worker) => worker.applicationPool === pool.name);
    const served = workers.reduce((sum, worker) => sum + worker.requestsServed - (beforeWorkers.get(worker.pid)?.requestsServed ?? worker.requestsServed), 0);
    const queueClass = pool.state !== 'Running' ? 'queue stopped' : pool.queueSize > 0 ? 'queue busy' : 'queue';
    const workerBoxes = document.createElement('div');
    workerBoxes.className = 'workers';
    workerBoxes.append(...(workers.length ? workers.map((worker) => box('worker', `w3wp ${worker.pid}: ${worker.activeRequests} in flight`)) : [box('worker', 'no worker')]));
    lane.append(
      box('listener', 'httpsys'),
      arrow(`${rate(pool.arrivals, last?.arrivals)}/s`),
      box(queueClass, `${pool.name}: ${pool.queueSize} waiting${pool.state !== 'Running' ? ` (${pool.state})` : ''}`),
      arrow(''),
      workerBoxes,
      arrow(`${elapsed > 0 ? (served / elapsed).toFixed(1) : '–'}/s done`),
    );
    return lane;
  });
  document.getElementById('flow').replaceChildren(...lanes);
}

function addEvent(event) {
  const list = document.getElementById('events');
  const item = document.createElement('li');
  item.className = event.level;
  item.textContent = `${event.time.slice(11, 19)}  ${event.eventId}  ${event.message}`;
  list.prepend(item);
  while (list.children.length > 200) list.lastChild.remove();
}

// --- queue depth chart (uPlot, served from this address) ------------------------------------------

function recordHistory(current) {
  const { history } = state;
  history.time.push(current.time / 1000);
  for (const pool of current.applicationPools) {
    if (!history.pools.has(pool.name)) history.pools.set(pool.name, new Array(history.time.length - 1).fill(null));
  }
  for (const [name, values] of history.pools) {
    const pool = current.applicationPools.find((candidate) => candidate.name === name);
    values.push(pool ? pool.queueSize : null);
  }
  while (history.time.length > historySeconds) {
    history.time.shift();
    for (const values of history.pools.values()) values.shift();
  }
}

function drawChart() {
  const { history } = state;
  const names = [...history.pools.keys()];
  const data = [history.time, ...names.map((name) => history.pools.get(name))];
  const container = document.getElementById('queue-chart');
  if (!state.chart || state.chartPools !== names.join('\n')) {
    state.chart?.destroy();
    const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
    state.chart = new uPlot(
      {
        width: Math.max(400, container.clientWidth || 800),
        height: 180,
        scales: { y: { range: (_u, _min, max) => [0, Math.max(5, max)] } },
        series: [{}, ...names.map((name, index) => ({ label: name, stroke: palette[index % palette.length], width: 2 }))],
        axes: [{}, { label: 'queued requests' }],
      },
      data,
      container,
    );
    state.chartPools = names.join('\n');
  } else {
    state.chart.setData(data);
  }
}

// --- change stream -------------------------------------------------------------------------------

function connect() {
  const source = new EventSource('/api/poolhost/stream');
  const status = document.getElementById('connection');
  source.addEventListener('open', () => (status.textContent = 'live'));
  source.addEventListener('error', () => (status.textContent = 'reconnecting…'));
  source.addEventListener('state', (message) => {
    const current = JSON.parse(message.data);
    state.previous = state.latest;
    state.latest = current;
    status.textContent = current.unavailable.length ? `live (not answering: ${current.unavailable.join(', ')})` : 'live';
    renderPools(current, state.previous);
    renderSites(current, state.previous);
    renderFlow(current, state.previous);
    renderWorkers(current);
    forgetDetachedButtons();
    renderRequests(current);
    recordHistory(current);
    drawChart();
  });
  source.addEventListener('journal', (message) => addEvent(JSON.parse(message.data)));
}

readTokenFromAddress();
showTokenState();
window.addEventListener('hashchange', () => {
  readTokenFromAddress();
  showTokenState();
});
connect();
