// perfbox's web console: plain JavaScript over the HTTP API, no build step, no library.
// Every piece of job data is put into the page as text (textContent), never as HTML: names, logs and Dockerfiles are
// the customer's own text.
'use strict';

(() => {
  const KEY_STORAGE = 'perfbox.apiKey';
  const STATUSES = ['QUEUED', 'BUILDING', 'SCANNING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
  const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
  const LIST_REFRESH_MS = 2000;
  const JOB_REFRESH_MS = 1000;
  const PAGE_SIZE = 50;

  // ---------------------------------------------------------------------------------------------------------------
  // The API: every call goes through api(), which adds the key and the console's header.

  class ApiError extends Error {
    constructor(status, problem) {
      super(problem && problem.detail ? problem.detail : 'HTTP ' + status);
      this.status = status;
      this.problem = problem || null;
    }
  }

  function apiKey() {
    return sessionStorage.getItem(KEY_STORAGE);
  }

  /**
   * One request to this server. A state-changing call carries X-Perfbox-Console: 1, which the server requires of a
   * browser's POST or DELETE (a page of another origin cannot add it). A 401 opens the key panel.
   */
  async function api(method, path, options = {}) {
    const headers = Object.assign({ Accept: options.accept || 'application/json' }, options.headers || {});
    const key = apiKey();
    if (key) {
      headers['x-api-key'] = key;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      headers['X-Perfbox-Console'] = '1';
    }
    if (options.body !== undefined) {
      headers['Content-Type'] = options.contentType || 'application/json';
    }
    const response = await fetch(path, { method, headers, body: options.body, cache: 'no-store', credentials: 'omit' });
    if (!response.ok) {
      let problem = null;
      try {
        problem = await response.json();
      } catch (ignored) {
        // not a problem document: the status says enough
      }
      if (response.status === 401) {
        askForKey(key ? 'The server refused this key: ' + (problem && problem.detail || 'unauthenticated') : null);
      }
      throw new ApiError(response.status, problem);
    }
    return response;
  }

  async function apiJson(method, path, options) {
    return (await api(method, path, options)).json();
  }

  // The routes the pages read, one function each, so that a change of contract is made in one place.

  function listJobs(status, nextToken) {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (status) {
      q.set('status', status);
    }
    if (nextToken) {
      q.set('nextToken', nextToken);
    }
    return apiJson('GET', '/jobs?' + q);
  }

  const getJob = (id) => apiJson('GET', '/jobs/' + encodeURIComponent(id));
  const getScan = (id) => apiJson('GET', '/jobs/' + encodeURIComponent(id) + '/scan');
  const getDockerfile = async (id) =>
    (await api('GET', '/jobs/' + encodeURIComponent(id) + '/dockerfile', { accept: 'text/plain' })).text();

  /**
   * The job's output from a byte offset (build, then run), as it is produced: {bytes, next, complete}. next is where
   * the following read starts; complete: the job has ended and nothing more will come. A bounded log's dropped middle
   * comes as one line saying how much was left out.
   */
  async function getOutput(id, offset) {
    const response = await api('GET', '/jobs/' + encodeURIComponent(id) + '/logs?offset=' + offset,
      { accept: 'text/plain' });
    const next = Number(response.headers.get('Perfbox-Next-Offset'));
    return {
      bytes: new Uint8Array(await response.arrayBuffer()),
      next: Number.isFinite(next) ? next : offset,
      complete: response.headers.get('Perfbox-Log-Complete') === 'true',
    };
  }

  /**
   * The tenant's leaderboard: {metric, order, entries: [{rank, id, name, value, performance, metrics, createdAt, runs,
   * spread}]}.
   */
  function getLeaderboard(metric, order, limit) {
    const q = new URLSearchParams({ metric, limit: String(limit) });
    if (order) {
      q.set('order', order);
    }
    return apiJson('GET', '/leaderboard?' + q);
  }

  /** The metric over the tenant's successive submissions, oldest first: {metric, points: [{id, name, createdAt, value}]}. */
  function getHistory(metric) {
    return apiJson('GET', '/leaderboard/history?' + new URLSearchParams({ metric, limit: '100' }));
  }

  function submitJob(name, description, dockerfile, runs) {
    const body = { dockerfile };
    if (runs && runs !== 1) {
      body.runs = runs;
    }
    if (name) {
      body.name = name;
    }
    if (description) {
      body.description = description;
    }
    return apiJson('POST', '/jobs', { body: JSON.stringify(body), headers: { 'Idempotency-Key': newId() } });
  }

  const cancelJob = (id) => apiJson('POST', '/jobs/' + encodeURIComponent(id) + '/cancel');
  const deleteJob = (id) => apiJson('DELETE', '/jobs/' + encodeURIComponent(id));

  function newId() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    const b = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The page: small helpers, then one function per view.

  /** An element with attributes and children; strings become text nodes. */
  // Control characters a job wrote (ESC, OSC, C1, bidi overrides, a bare carriage return) shown as visible escapes
  // (\u001b), as the CLI shows them: inert in a page, they would still hide or reorder what is read, or be copied
  // into a terminal. Newlines, tabs and CR LF pass.
  const CONTROLS = /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

  function visible(text) {
    return String(text).replace(CONTROLS, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  }

  /** A text node of job data, its control characters made visible. */
  function textNode(value) {
    return document.createTextNode(visible(value));
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) {
        continue;
      }
      if (k === 'class') {
        node.className = v;
      } else if (k.startsWith('on')) {
        node.addEventListener(k.substring(2), v);
      } else {
        node.setAttribute(k, v === true ? '' : v);
      }
    }
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child instanceof Node ? child : textNode(child));
      }
    }
    return node;
  }

  /** Replaces the node's children (the DOM's replaceChildren would write a null as the text "null"). */
  function fill(node, ...children) {
    node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)
      .map((c) => (c instanceof Node ? c : textNode(c))));
  }

  const two = (n) => String(n).padStart(2, '0');

  function formatTime(iso) {
    if (!iso) {
      return '';
    }
    const d = new Date(iso);
    return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate()) + ' '
      + two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds());
  }

  function formatDuration(ms) {
    if (ms < 0 || !Number.isFinite(ms)) {
      return '';
    }
    if (ms < 10000) {
      return (ms / 1000).toFixed(1) + ' s';
    }
    const s = Math.round(ms / 1000);
    return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }

  const formatNumber = (v) => (v === null || v === undefined ? '' : String(v));

  function statusBadge(status, id) {
    return el('span', { class: 'status status-' + status.toLowerCase(), id }, status);
  }

  function problemText(error) {
    if (error instanceof ApiError && error.problem) {
      return (error.problem.title ? error.problem.title + ': ' : '') + (error.problem.detail || '');
    }
    return error && error.message ? error.message : String(error);
  }

  function setRefreshNote(text) {
    document.getElementById('refresh-note').textContent = text || '';
  }

  /** Runs fn now and then every ms while the view lasts; returns the stop function. */
  function every(ms, fn) {
    let stopped = false;
    let timer = null;
    const tick = async () => {
      try {
        const again = await fn();
        if (again === false) {
          return;
        }
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
          // Waits for a key: the key form starts the view again.
          return;
        }
        setRefreshNote('Could not refresh: ' + problemText(e));
      }
      if (!stopped) {
        timer = setTimeout(tick, ms);
      }
    };
    tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  // --- the job list ---------------------------------------------------------------------------------------------

  function jobsView(params) {
    const status = STATUSES.includes(params.get('status')) ? params.get('status') : '';
    let pages = 1;
    const select = el('select', { id: 'status-filter', 'aria-label': 'Status' },
      el('option', { value: '' }, 'all statuses'),
      STATUSES.map((s) => el('option', { value: s, selected: s === status }, s)));
    select.addEventListener('change', () => {
      location.hash = '#/jobs' + (select.value ? '?status=' + select.value : '');
    });
    const tbody = el('tbody', { id: 'jobs-body' });
    const more = el('button', { type: 'button', id: 'more-jobs', hidden: true }, 'Show more');
    const empty = el('p', { class: 'muted', id: 'jobs-empty', hidden: true },
      status ? 'No ' + status + ' jobs.' : 'No jobs yet. ', status ? null : el('a', { href: '#/submit' }, 'Submit one.'));
    const updated = el('span', { class: 'muted', id: 'jobs-updated' });
    view(el('h1', {}, 'Jobs'),
      el('div', { class: 'toolbar' }, el('label', {}, 'Status ', select), updated),
      el('table', { class: 'jobs', id: 'jobs-table' },
        el('thead', {}, el('tr', {}, ['Name', 'Status', 'Performance', 'Failure', 'Submitted', 'Id']
          .map((h) => el('th', {}, h)))),
        tbody),
      empty, more);

    const refresh = async () => {
      const jobs = [];
      let token = null;
      for (let page = 0; page < pages; page++) {
        const result = await listJobs(status, token);
        jobs.push(...result.jobs);
        token = result.nextToken;
        if (!token) {
          break;
        }
      }
      fill(tbody, ...jobs.map(jobRow));
      empty.hidden = jobs.length > 0;
      more.hidden = !token;
      updated.textContent = 'newest first · refreshed ' + formatTime(new Date().toISOString());
      setRefreshNote('');
    };
    more.addEventListener('click', () => {
      pages++;
      refresh();
    });
    return every(LIST_REFRESH_MS, refresh);
  }

  function jobRow(job) {
    const link = el('a', { href: '#/jobs/' + job.id }, job.name || '(unnamed)');
    return el('tr', { 'data-job-id': job.id, class: 'job-row' },
      el('td', { class: 'col-name' }, link),
      el('td', { class: 'col-status' }, statusBadge(job.status)),
      el('td', { class: 'col-performance num' }, formatNumber(job.performance)),
      el('td', { class: 'col-failure' }, job.failure ? job.failure.code : ''),
      el('td', { class: 'col-created' }, formatTime(job.createdAt)),
      el('td', { class: 'col-id mono' }, job.id.substring(0, 8)));
  }

  // --- one job --------------------------------------------------------------------------------------------------

  const STAGES = [
    ['Queued', 'queuedAt', 'QUEUED'],
    ['Build', 'buildStartedAt', 'BUILDING'],
    ['Scan', 'scanStartedAt', 'SCANNING'],
    ['Run', 'runStartedAt', 'RUNNING'],
  ];

  function jobView(id) {
    const title = el('h1', { id: 'job-title' }, 'Job');
    const status = el('span', { id: 'job-status-holder' });
    const meta = el('p', { class: 'muted mono', id: 'job-meta' }, id);
    const description = el('p', { id: 'job-description' });
    const actions = el('div', { class: 'actions', id: 'job-actions' });
    const actionError = el('span', { class: 'error', id: 'job-action-error', role: 'alert' });
    const timeline = el('ol', { class: 'timeline', id: 'job-timeline' });
    const failure = el('section', { class: 'panel failure', id: 'job-failure', hidden: true });
    const result = el('section', { class: 'panel result', id: 'job-result', hidden: true });
    const warnings = el('section', { class: 'panel warning', id: 'job-warnings', hidden: true });
    const runsPanel = el('section', { class: 'panel runs', id: 'job-runs-panel', hidden: true });
    const receipt = el('section', { class: 'panel', id: 'job-receipt' });
    const scan = el('section', { class: 'panel', id: 'job-scan' }, el('h2', {}, 'Scan'),
      el('p', { class: 'muted' }, 'Not scanned yet.'));
    const output = el('pre', { class: 'log', id: 'job-output' });
    const outputNote = el('span', { class: 'muted', id: 'job-output-note' }, '(none yet)');
    const dockerfile = el('pre', { class: 'dockerfile', id: 'job-dockerfile' });

    view(el('div', { class: 'job-head' }, title, status), meta, description, el('div', {}, actions, actionError),
      timeline, failure, result, runsPanel, warnings,
      el('section', { class: 'panel' }, el('h2', {}, 'Output ', outputNote), output),
      scan, receipt,
      el('section', { class: 'panel' }, el('h2', {}, 'Dockerfile'), dockerfile));

    getDockerfile(id).then((text) => {
      dockerfile.textContent = visible(text);
    }, (e) => {
      dockerfile.textContent = problemText(e);
    });

    let scanShown = false;
    let lastStatus = null;
    // The output is read on from where the last read ended; bytes are decoded as one stream, so a character split
    // between two reads comes out whole.
    let offset = 0;
    let outputComplete = false;
    const decoder = new TextDecoder('utf-8');
    const refresh = async () => {
      let job;
      try {
        job = await getJob(id);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          view(el('h1', {}, 'Job not found'), el('p', {}, problemText(e)), el('a', { href: '#/jobs' }, 'All jobs'));
          return false;
        }
        throw e;
      }
      title.textContent = visible(job.name || '(unnamed job)');
      fill(status, statusBadge(job.status, 'job-status'));
      meta.textContent = job.id + ' · submitted ' + formatTime(job.createdAt);
      description.textContent = visible(job.description || '');
      if (job.status !== lastStatus) {
        renderActions(job);
      }
      lastStatus = job.status;
      renderTimeline(timeline, job);
      renderFailure(failure, job);
      renderResult(result, job);
      renderRuns(runsPanel, job);
      renderWarnings(warnings, job);
      renderReceipt(receipt, job);

      if (!outputComplete) {
        const read = await getOutput(id, offset);
        offset = read.next;
        outputComplete = read.complete;
        appendOutput(output, decoder.decode(read.bytes, { stream: !read.complete }));
        outputNote.textContent = output.textContent ? (outputComplete ? '' : '(live)') : outputComplete ? '(none)' : '(none yet)';
      }
      const passedScan = job.status === 'RUNNING' || TERMINAL.has(job.status);
      if (passedScan && !scanShown) {
        renderScan(scan, await getScan(id));
        scanShown = TERMINAL.has(job.status);
      }
      setRefreshNote(TERMINAL.has(job.status) ? '' : 'following the job: refreshed ' + formatTime(new Date().toISOString()));
      return !TERMINAL.has(job.status) || !outputComplete;
    };

    function renderActions(job) {
      fill(actions);
      actionError.textContent = '';
      const act = (label, fn, confirmText, elId) => el('button', {
        type: 'button', id: elId, onclick: async () => {
          if (confirmText && !window.confirm(confirmText)) {
            return;
          }
          try {
            await fn();
            actionError.textContent = '';
            if (fn === deleteCurrent) {
              location.hash = '#/jobs';
            } else {
              stop();
              stop = every(JOB_REFRESH_MS, refresh);
            }
          } catch (e) {
            actionError.textContent = problemText(e);
          }
        },
      }, label);
      const deleteCurrent = () => deleteJob(id);
      if (!TERMINAL.has(job.status)) {
        actions.append(act('Cancel', () => cancelJob(id), null, 'cancel-job'));
      } else {
        actions.append(act('Delete', deleteCurrent, 'Delete this job, its logs and its files?', 'delete-job'));
      }
    }

    let stop = every(JOB_REFRESH_MS, refresh);
    return () => stop();
  }

  function renderTimeline(list, job) {
    const s = job.stages || {};
    const reached = STAGES.filter(([, key]) => s[key]);
    const items = STAGES.map(([label, key, stageStatus], i) => {
      const at = s[key];
      const next = STAGES.slice(i + 1).map(([, k]) => s[k]).find(Boolean) || s.finishedAt;
      let state = at ? 'done' : 'pending';
      if (at && job.status === stageStatus) {
        state = 'current';
      } else if (at && reached[reached.length - 1][1] === key && job.status === 'FAILED') {
        state = 'failed';
      } else if (at && reached[reached.length - 1][1] === key && job.status === 'CANCELLED') {
        state = 'cancelled';
      }
      const took = at && next ? formatDuration(new Date(next) - new Date(at))
        : at && state === 'current' ? formatDuration(Date.now() - new Date(at)) + ' so far' : '';
      return el('li', { class: 'stage stage-' + state, 'data-stage': stageStatus },
        el('span', { class: 'stage-name' }, label),
        el('span', { class: 'stage-time' }, at ? formatTime(at) : 'not reached'),
        el('span', { class: 'stage-took' }, took));
    });
    const end = TERMINAL.has(job.status) ? job.status : 'Result';
    items.push(el('li', {
      class: 'stage stage-' + (TERMINAL.has(job.status) ? 'end-' + job.status.toLowerCase() : 'pending'),
      'data-stage': 'END',
    }, el('span', { class: 'stage-name' }, end),
    el('span', { class: 'stage-time' }, s.finishedAt ? formatTime(s.finishedAt) : 'not yet'),
    el('span', { class: 'stage-took' }, s.finishedAt && s.queuedAt
      ? 'total ' + formatDuration(new Date(s.finishedAt) - new Date(s.queuedAt)) : '')));
    fill(list, ...items);
  }

  function renderFailure(panel, job) {
    panel.hidden = !job.failure;
    if (job.failure) {
      fill(panel, el('h2', {}, job.status === 'CANCELLED' ? 'Cancelled' : 'Failed'),
        el('p', {}, el('span', { class: 'failure-code', id: 'failure-code' }, job.failure.code)),
        el('pre', { class: 'failure-message', id: 'failure-message' }, job.failure.message || ''));
    }
  }

  function renderResult(panel, job) {
    const has = job.performance !== null && job.performance !== undefined;
    panel.hidden = !has;
    if (has) {
      const rows = Object.entries(job.metrics || {}).map(([k, v]) =>
        el('tr', {}, el('th', {}, k), el('td', { class: 'num' }, formatNumber(v))));
      fill(panel, el('h2', {}, 'Performance'),
        el('p', { class: 'performance', id: 'job-performance' }, formatNumber(job.performance)),
        rows.length ? el('table', { class: 'metrics', id: 'job-metrics' }, el('tbody', {}, rows)) : null);
    }
  }

  /** A job of several runs: each completed run's value and duration, and their median, min, max and spread. */
  function renderRuns(panel, job) {
    const results = job.runResults || [];
    panel.hidden = !(job.runs > 1);
    if (panel.hidden) {
      return;
    }
    const s = job.runSummary;
    const spread = !s ? '' : s.spread === null ? '–' : (s.spread * 100).toFixed(2) + ' %';
    fill(panel, el('h2', {}, 'Runs ', el('span', { class: 'muted', id: 'job-runs-count' },
      results.length + ' of ' + job.runs)),
    s ? el('p', { id: 'job-runs-summary' }, 'median ', el('span', { class: 'num', id: 'job-runs-median' },
      formatNumber(s.median)), ' · min ', el('span', { class: 'num', id: 'job-runs-min' }, formatNumber(s.min)),
    ' · max ', el('span', { class: 'num', id: 'job-runs-max' }, formatNumber(s.max)),
    ' · spread ', el('span', { class: 'num', id: 'job-runs-spread' }, spread)) : null,
    el('table', { class: 'metrics', id: 'job-runs' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Run'), el('th', { class: 'num' }, 'Value'),
        el('th', { class: 'num' }, 'Took'))),
      el('tbody', {}, results.map((r) => el('tr', { class: 'job-run' }, el('td', {}, r.run),
        el('td', { class: 'num' }, formatNumber(r.value)),
        el('td', { class: 'num' }, r.durationSeconds === null ? '' : r.durationSeconds.toFixed(2) + ' s'))))));
  }

  function renderWarnings(panel, job) {
    const list = job.warnings || [];
    panel.hidden = list.length === 0;
    fill(panel, el('h2', {}, 'Warnings'), el('ul', {}, list.map((w) => el('li', {}, w))));
  }

  function bytesText(b) {
    if (typeof b !== 'number') {
      return null;
    }
    return b % 1073741824 === 0 ? b / 1073741824 + ' GiB' : b % 1048576 === 0 ? b / 1048576 + ' MiB' : b + ' bytes';
  }

  /** The run receipt: what produced the number, one row per part the job has (as text nodes, like all job data). */
  function renderReceipt(panel, job) {
    const r = job.receipt;
    if (!r || typeof r !== 'object') {
      fill(panel, el('h2', {}, 'Receipt'),
        el('p', { class: 'muted', id: 'receipt-none' }, 'No receipt: the job was submitted before perfbox kept them.'));
      return;
    }
    const str = (v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);
    const rows = [];
    const row = (key, label, value) => {
      if (value !== null && value !== undefined && value !== '') {
        rows.push(el('tr', { id: 'receipt-' + key }, el('th', {}, label), el('td', { class: 'mono' }, value)));
      }
    };
    row('perfbox', 'perfbox', str(r.perfboxVersion));
    row('dockerfile', 'Dockerfile sha256', str(r.dockerfileSha256));
    row('image', 'Image', str(r.imageDigest));
    (Array.isArray(r.baseImages) ? r.baseImages : []).forEach((b, i) => {
      row('base-' + i, 'Base image', [str(b && b.name), str(b && b.digest)].filter((x) => x).join(' '));
    });
    const sc = r.scanner && typeof r.scanner === 'object' ? r.scanner : null;
    if (sc) {
      row('scanner', 'Scanner', [str(sc.name), str(sc.version)].filter((x) => x).join(' ')
        + (str(sc.dbUpdatedAt) ? ', DB updated ' + str(sc.dbUpdatedAt) : '')
        + (str(sc.dbDownloadedAt) ? ', DB downloaded ' + str(sc.dbDownloadedAt) : ''));
    }
    const l = r.limits && typeof r.limits === 'object' ? r.limits : null;
    if (l) {
      row('limits', 'Limits', [
        bytesText(l.memoryBytes) && 'memory ' + bytesText(l.memoryBytes),
        typeof l.cpus === 'number' && 'cpus ' + l.cpus,
        typeof l.pids === 'number' && 'pids ' + l.pids,
        typeof l.timeoutSeconds === 'number' && 'time ' + l.timeoutSeconds + ' s',
        bytesText(l.dataBytes) && '/data ' + bytesText(l.dataBytes),
        bytesText(l.writableLayerBytes) && 'writable layer ' + bytesText(l.writableLayerBytes),
      ].filter((x) => x).join(', '));
    }
    row('cpuset', 'cpuset', str(r.cpuset));
    row('runtime', 'Runtime', str(r.containerRuntime));
    row('cpu', 'Host CPU', str(r.hostCpuModel));
    row('kernel', 'Kernel', str(r.kernel));
    fill(panel, el('h2', {}, 'Receipt'), el('table', { class: 'metrics', id: 'receipt-table' }, el('tbody', {}, rows)));
  }

  function renderScan(panel, report) {
    if (!report.scanned) {
      fill(panel, el('h2', {}, 'Scan'), el('p', { class: 'muted' }, 'Not scanned.'));
      return;
    }
    const counts = Object.entries(report.counts || {}).map(([sev, n]) =>
      el('span', { class: 'count sev-' + sev.toLowerCase() }, sev + ' ' + n));
    const rows = report.findings.map((f) => el('tr', { class: 'finding sev-' + f.severity.toLowerCase() },
      el('td', { class: 'mono' }, f.vulnerabilityId), el('td', {}, f.severity), el('td', {}, f.packageName),
      el('td', { class: 'mono' }, f.installedVersion || ''), el('td', { class: 'mono' }, f.fixedVersion || '—'),
      el('td', {}, f.title || '')));
    fill(panel, el('h2', {}, 'Scan'),
      el('p', { class: 'muted' }, (report.scanner || 'scanner') + ' ' + (report.scannerVersion || '') + ' · ',
        report.findings.length + ' finding' + (report.findings.length === 1 ? '' : 's')),
      el('p', { class: 'counts' }, counts),
      rows.length ? el('table', { class: 'findings', id: 'scan-findings' },
        el('thead', {}, el('tr', {}, ['Vulnerability', 'Severity', 'Package', 'Installed', 'Fixed in', 'Title']
          .map((h) => el('th', {}, h)))),
        el('tbody', {}, rows)) : null,
      misconfigurationSection(report));
  }

  /**
   * The Dockerfile's misconfigurations (Trivy's Dockerfile checks, e.g. DS002): warnings, but for those at or above
   * the server's misconfiguration threshold ("blocking"); null when there are none.
   */
  function misconfigurationSection(report) {
    const found = Array.isArray(report.misconfigurations) ? report.misconfigurations : [];
    if (!found.length) {
      return null;
    }
    const threshold = report.thresholds && report.thresholds.misconfigurations;
    const lines = (m) => (m.startLine ? String(m.startLine) + (m.endLine > m.startLine ? '–' + m.endLine : '') : '');
    const rows = found.map((m) => el('tr', { class: 'misconfiguration sev-' + String(m.severity).toLowerCase() },
      el('td', { class: 'mono' }, m.id), el('td', {}, m.severity), el('td', {}, m.blocking ? 'blocking' : 'warning'),
      el('td', { class: 'mono' }, lines(m)), el('td', {}, m.title || ''), el('td', {}, m.message || '')));
    return el('div', { id: 'scan-misconfigurations' },
      el('h3', {}, 'Dockerfile checks'),
      el('p', { class: 'muted' }, found.length + ' misconfiguration' + (found.length === 1 ? '' : 's') + ' · '
        + (threshold ? 'those at or above ' + threshold + ' block the run' : 'warnings only: none blocks the run')),
      el('table', { class: 'findings' },
        el('thead', {}, el('tr', {}, ['Check', 'Severity', 'Effect', 'Line', 'Title', 'What to change']
          .map((h) => el('th', {}, h)))),
        el('tbody', {}, rows)));
  }

  /** Adds output, keeping the reader's place: it follows the end only when the reader is at the end. */
  function appendOutput(pre, text) {
    // A carriage return that ends a chunk waits for the next one: it may be the first half of CR LF.
    text = (pre.heldReturn ? '\r' : '') + (text || '');
    pre.heldReturn = text.endsWith('\r');
    if (pre.heldReturn) {
      text = text.slice(0, -1);
    }
    if (!text) {
      return;
    }
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.append(textNode(text));
    if (atEnd) {
      pre.scrollTop = pre.scrollHeight;
    }
  }

  // --- submit ---------------------------------------------------------------------------------------------------

  const EXAMPLE = "FROM debian:bookworm\nCMD echo '{\"perf\":0.99}' > /data/perf.json\n";

  function submitView() {
    const name = el('input', { id: 'submit-name', name: 'name', maxlength: '200', placeholder: 'e.g. model v3' });
    const description = el('input', { id: 'submit-description', name: 'description', maxlength: '2000' });
    const runs = el('input', { id: 'submit-runs', name: 'runs', type: 'number', min: '1', max: '10', step: '1',
      value: '1' });
    const dockerfile = el('textarea', { id: 'submit-dockerfile', name: 'dockerfile', rows: '14', spellcheck: 'false',
      required: true });
    dockerfile.value = EXAMPLE;
    const file = el('input', { type: 'file', id: 'submit-file', accept: '.dockerfile,text/plain,*' });
    file.addEventListener('change', async () => {
      if (file.files.length) {
        dockerfile.value = await file.files[0].text();
      }
    });
    const error = el('p', { class: 'error', id: 'submit-error', role: 'alert' });
    const button = el('button', { type: 'submit', id: 'submit-button' }, 'Submit');
    const form = el('form', { id: 'submit-form', class: 'submit-form' },
      el('label', {}, 'Name', name),
      el('label', {}, 'Description', description),
      el('label', {}, 'Runs (1–10; the performance is their median)', runs),
      el('label', {}, 'Dockerfile', dockerfile),
      el('label', { class: 'file' }, 'or load a file ', file),
      el('p', { class: 'muted' }, 'The container writes its result to /data/perf.json, e.g. {"perf":0.99}.'),
      el('div', {}, button), error);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      button.disabled = true;
      error.textContent = '';
      try {
        const job = await submitJob(name.value.trim(), description.value.trim(), dockerfile.value,
          Number(runs.value || '1'));
        location.hash = '#/jobs/' + job.id;
      } catch (e) {
        error.textContent = problemText(e);
      } finally {
        button.disabled = false;
      }
    });
    view(el('h1', {}, 'Submit a Dockerfile'), form);
    return () => {};
  }

  // --- the leaderboard ------------------------------------------------------------------------------------------

  const LEADERBOARD_REFRESH_MS = 5000;
  const METRIC_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

  function leaderboardView(params) {
    const metric = METRIC_NAME.test(params.get('metric') || '') ? params.get('metric') : 'performance';
    const order = ['asc', 'desc'].includes(params.get('order')) ? params.get('order') : '';
    const limit = ['10', '25', '50', '100'].includes(params.get('limit')) ? params.get('limit') : '10';

    const metricInput = el('input', { id: 'leaderboard-metric', list: 'metric-names', value: metric, size: '16',
      pattern: '[A-Za-z0-9_.\\-]{1,64}', required: true });
    const names = el('datalist', { id: 'metric-names' }, el('option', { value: 'performance' }));
    const orderSelect = el('select', { id: 'leaderboard-order' },
      el('option', { value: 'desc' }, 'highest first'), el('option', { value: 'asc' }, 'lowest first'));
    const limitSelect = el('select', { id: 'leaderboard-limit' },
      ['10', '25', '50', '100'].map((n) => el('option', { value: n, selected: n === limit }, 'top ' + n)));
    const go = () => {
      const q = new URLSearchParams({ metric: metricInput.value.trim() || 'performance', order: orderSelect.value,
        limit: limitSelect.value });
      location.hash = '#/leaderboard?' + q;
    };
    const controls = el('form', { class: 'leaderboard-controls', id: 'leaderboard-form' },
      el('label', {}, 'Metric', metricInput, names),
      el('label', {}, 'Direction', orderSelect),
      el('label', {}, 'Show', limitSelect),
      el('button', { type: 'submit' }, 'Rank'));
    controls.addEventListener('submit', (e) => {
      e.preventDefault();
      go();
    });
    orderSelect.addEventListener('change', go);
    limitSelect.addEventListener('change', go);

    const valueHeader = el('th', { class: 'num', id: 'leaderboard-value-header' }, metric);
    const tbody = el('tbody', { id: 'leaderboard-body' });
    const empty = el('p', { class: 'muted', id: 'leaderboard-empty', hidden: true });
    const error = el('p', { class: 'error', id: 'leaderboard-error', role: 'alert' });
    const chart = el('div', { id: 'history' });
    view(el('h1', {}, 'Leaderboard'), controls, error,
      el('table', { class: 'leaderboard', id: 'leaderboard-table' },
        el('thead', {}, el('tr', {}, el('th', {}, '#'), el('th', {}, 'Name'), valueHeader,
          el('th', { class: 'num', title: 'relative spread of the runs, (max − min) / |median|' }, 'Spread'),
          el('th', {}, 'Submitted'), el('th', {}, 'Id'))),
        tbody),
      empty,
      el('section', { class: 'panel' }, el('h2', {}, metric + ' over successive submissions'), chart));

    // The names offered are those the latest succeeded jobs carry (the API has no list of every name).
    listJobs('SUCCEEDED').then((page) => {
      const seen = new Set(['performance']);
      page.jobs.forEach((j) => Object.keys(j.metrics || {}).forEach((k) => seen.add(k)));
      fill(names, [...seen].sort().map((k) => el('option', { value: k })));
    }, () => {});

    const refresh = async () => {
      let board;
      try {
        board = await getLeaderboard(metric, order, limit);
      } catch (e) {
        if (e instanceof ApiError && e.status === 400) {
          error.textContent = problemText(e);
          return false;
        }
        throw e;
      }
      error.textContent = '';
      orderSelect.value = board.order;
      fill(tbody, board.entries.map((entry) => el('tr', { class: 'leaderboard-row', 'data-job-id': entry.id },
        el('td', { class: 'rank' }, entry.rank),
        el('td', { class: 'col-name' }, el('a', { href: '#/jobs/' + entry.id }, entry.name || '(unnamed)')),
        el('td', { class: 'num col-value' }, formatNumber(entry.value)),
        el('td', { class: 'num col-spread', title: entry.runs + (entry.runs === 1 ? ' run' : ' runs') },
          entry.runs > 1 && entry.spread !== null ? (entry.spread * 100).toFixed(2) + ' %' : '–'),
        el('td', {}, formatTime(entry.createdAt)),
        el('td', { class: 'mono' }, entry.id.substring(0, 8)))));
      empty.hidden = board.entries.length > 0;
      empty.textContent = 'No succeeded job carries "' + metric + '" yet.';
      const history = await getHistory(metric);
      fill(chart, historyChart(history.points, board.order));
    };
    return every(LEADERBOARD_REFRESH_MS, refresh);
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      node.setAttribute(k, v);
    }
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== undefined) {
        node.append(child instanceof Node ? child : textNode(child));
      }
    }
    return node;
  }

  /**
   * The metric over successive submissions (oldest on the left), and the best so far as a dashed step line, best
   * being the higher value for desc and the lower for asc. Each point names its job in a tooltip.
   */
  function historyChart(points, order) {
    if (points.length === 0) {
      return el('p', { class: 'muted', id: 'history-empty' }, 'No submissions to chart yet.');
    }
    const W = 1000;
    const H = 260;
    const left = 60;
    const right = 20;
    const top = 15;
    const bottom = 35;
    const values = points.map((p) => p.value);
    let lo = Math.min(...values);
    let hi = Math.max(...values);
    if (lo === hi) {
      const pad = Math.abs(lo) * 0.1 || 1;
      lo -= pad;
      hi += pad;
    }
    const x = (i) => left + (points.length === 1 ? (W - left - right) / 2 : i * (W - left - right) / (points.length - 1));
    const y = (v) => top + (hi - v) * (H - top - bottom) / (hi - lo);
    const better = order === 'asc' ? Math.min : Math.max;
    let best = values[0];
    const bestLine = values.map((v, i) => {
      best = better(best, v);
      return (i === 0 ? 'M' : 'L') + x(i).toFixed(1) + ',' + y(best).toFixed(1);
    }).join(' ');
    const ticks = [hi, (hi + lo) / 2, lo];
    const labelEvery = Math.max(1, Math.ceil(points.length / 10));
    return svg('svg', { class: 'chart', id: 'history-chart', viewBox: '0 0 ' + W + ' ' + H, role: 'img',
      'aria-label': 'value over successive submissions' },
    ticks.map((t) => [svg('line', { class: 'grid', x1: left, x2: W - right, y1: y(t), y2: y(t) }),
      svg('text', { x: left - 6, y: y(t) + 4, 'text-anchor': 'end' }, Number(t.toPrecision(4)))]),
    svg('line', { class: 'axis', x1: left, x2: left, y1: top, y2: H - bottom }),
    svg('line', { class: 'axis', x1: left, x2: W - right, y1: H - bottom, y2: H - bottom }),
    svg('path', { class: 'best', d: bestLine }),
    svg('path', { class: 'series', d: values.map((v, i) => (i === 0 ? 'M' : 'L') + x(i).toFixed(1) + ',' + y(v).toFixed(1)).join(' ') }),
    points.map((p, i) => svg('circle', { cx: x(i).toFixed(1), cy: y(p.value).toFixed(1), r: 4, class: 'point',
      'data-job-id': p.id, 'data-value': p.value },
    svg('title', {}, (p.name || p.id.substring(0, 8)) + ': ' + p.value + ' (' + formatTime(p.createdAt) + ')'))),
    points.map((p, i) => (i % labelEvery === 0 || i === points.length - 1
      ? svg('text', { x: x(i), y: H - bottom + 18, 'text-anchor': 'middle' }, '#' + (i + 1)) : null)),
    svg('text', { x: W - right, y: H - 4, 'text-anchor': 'end' }, 'submission (oldest first) · dashed: best so far'));
  }

  // --- the key --------------------------------------------------------------------------------------------------

  function askForKey(message) {
    sessionStorage.removeItem(KEY_STORAGE);
    showKeyState();
    const panel = document.getElementById('key-panel');
    if (message) {
      document.getElementById('key-error').textContent = message;
    }
    if (panel.hidden) {
      panel.hidden = false;
      document.getElementById('key-input').focus();
    }
  }

  function showKeyState() {
    document.getElementById('key-state').hidden = !apiKey();
  }

  function setUpKeyPanel() {
    document.getElementById('key-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const input = document.getElementById('key-input');
      const key = input.value.trim();
      if (!key) {
        return;
      }
      sessionStorage.setItem(KEY_STORAGE, key);
      input.value = '';
      document.getElementById('key-error').textContent = '';
      document.getElementById('key-panel').hidden = true;
      showKeyState();
      route();
    });
    document.getElementById('forget-key').addEventListener('click', () => {
      sessionStorage.removeItem(KEY_STORAGE);
      showKeyState();
      route();
    });
    showKeyState();
  }

  // --- routing --------------------------------------------------------------------------------------------------

  function view(...children) {
    fill(document.getElementById('view'), ...children);
  }

  let stopView = () => {};

  function route() {
    stopView();
    setRefreshNote('');
    const hash = location.hash.replace(/^#/, '') || '/jobs';
    const [path, query] = hash.split('?');
    const params = new URLSearchParams(query || '');
    const parts = path.split('/').filter(Boolean);
    let section = parts[0] || 'jobs';
    if (section === 'jobs' && parts[1]) {
      stopView = jobView(decodeURIComponent(parts[1]));
    } else if (section === 'submit') {
      stopView = submitView();
    } else if (section === 'leaderboard') {
      stopView = leaderboardView(params);
    } else {
      section = 'jobs';
      stopView = jobsView(params);
    }
    document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.nav === section));
  }

  window.addEventListener('hashchange', route);
  document.addEventListener('DOMContentLoaded', () => {
    setUpKeyPanel();
    route();
  });
})();
