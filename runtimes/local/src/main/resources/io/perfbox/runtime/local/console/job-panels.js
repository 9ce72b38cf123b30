// The parts of a job's page drawn from the job (and its scan): timeline, failure, result, runs, warnings, receipt,
// findings. Each is redrawn whole; none holds anything a user focuses.

import { el, fill, formatDuration, formatNumber, formatTime, tableBox } from './dom.js';

const STAGES = [
  ['Queued', 'queuedAt', 'QUEUED'],
  ['Build', 'buildStartedAt', 'BUILDING'],
  ['Scan', 'scanStartedAt', 'SCANNING'],
  ['Run', 'runStartedAt', 'RUNNING'],
];

export function renderTimeline(list, job, finished) {
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
  const ended = finished.has(job.status);
  items.push(el('li', { class: 'stage stage-' + (ended ? 'end-' + job.status.toLowerCase() : 'pending'), 'data-stage': 'END' },
    el('span', { class: 'stage-name' }, ended ? job.status : 'Result'),
    el('span', { class: 'stage-time' }, s.finishedAt ? formatTime(s.finishedAt) : 'not yet'),
    el('span', { class: 'stage-took' }, s.finishedAt && s.queuedAt
      ? 'total ' + formatDuration(new Date(s.finishedAt) - new Date(s.queuedAt)) : '')));
  fill(list, ...items);
}

export function renderFailure(panel, job) {
  panel.hidden = !job.failure;
  if (job.failure) {
    fill(panel, el('h2', {}, job.status === 'CANCELLED' ? 'Cancelled' : 'Failed'),
      el('p', {}, el('span', { class: 'failure-code', id: 'failure-code' }, job.failure.code)),
      el('pre', { class: 'failure-message', id: 'failure-message' }, job.failure.message || ''));
  }
}

export function renderResult(panel, job) {
  const has = job.performance !== null && job.performance !== undefined;
  panel.hidden = !has;
  if (has) {
    const rows = Object.entries(job.metrics || {}).map(([k, v]) =>
      el('tr', {}, el('th', {}, k), el('td', { class: 'num' }, formatNumber(v))));
    fill(panel, el('h2', {}, 'Performance'),
      el('p', { class: 'performance', id: 'job-performance' }, formatNumber(job.performance)),
      el('p', { class: 'muted', id: 'job-rank' }),
      rows.length ? tableBox(el('table', { class: 'metrics', id: 'job-metrics' }, el('tbody', {}, rows))) : null);
  }
}

/** A job of several runs: each completed run's value and duration, and their median, min, max and spread. */
export function renderRuns(panel, job) {
  const results = job.runResults || [];
  panel.hidden = !(job.runs > 1);
  if (panel.hidden) {
    return;
  }
  const s = job.runSummary;
  const spread = !s ? '' : s.spread === null ? '–' : (s.spread * 100).toFixed(2) + ' %';
  const num = (id, v) => el('span', { class: 'num', id }, v);
  fill(panel, el('h2', {}, 'Runs ', el('span', { class: 'muted', id: 'job-runs-count' }, results.length + ' of ' + job.runs)),
    s ? el('p', { id: 'job-runs-summary' }, 'median ', num('job-runs-median', formatNumber(s.median)),
      ' · min ', num('job-runs-min', formatNumber(s.min)), ' · max ', num('job-runs-max', formatNumber(s.max)),
      ' · spread ', num('job-runs-spread', spread)) : null,
    tableBox(el('table', { class: 'metrics', id: 'job-runs' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Run'), el('th', { class: 'num' }, 'Value'), el('th', { class: 'num' }, 'Took'))),
      el('tbody', {}, results.map((r) => el('tr', { class: 'job-run' }, el('td', {}, r.run),
        el('td', { class: 'num' }, formatNumber(r.value)),
        el('td', { class: 'num' }, r.durationSeconds === null ? '' : r.durationSeconds.toFixed(2) + ' s')))))));
}

export function renderWarnings(panel, job) {
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
export function renderReceipt(panel, job) {
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
  fill(panel, el('h2', {}, 'Receipt'), el('table', { class: 'metrics receipt', id: 'receipt-table' }, el('tbody', {}, rows)));
}

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
const rankOf = (severity) => (SEVERITIES.indexOf(severity) < 0 ? SEVERITIES.length : SEVERITIES.indexOf(severity));

/**
 * The findings that block a run: those at or above the vulnerability threshold the scan was judged by (with a fix
 * only, when unfixed ones are not held against it); none when the report names no thresholds.
 */
export function blockingFindings(report, findings) {
  const t = report.thresholds;
  if (!t || !t.vulnerabilities) {
    return new Set();
  }
  return new Set(findings.filter((f) => rankOf(f.severity) <= rankOf(t.vulnerabilities)
    && (!t.ignoreUnfixed || f.fixedVersion)));
}

/** The scan: counts, then the findings most severe first (by id within a severity), the blocking ones marked. */
export function renderScan(panel, report) {
  if (!report.scanned) {
    fill(panel, el('h2', {}, 'Scan'), el('p', { class: 'muted' }, 'Not scanned.'));
    return;
  }
  const findings = report.findings.slice().sort((a, b) => rankOf(a.severity) - rankOf(b.severity)
    || String(a.vulnerabilityId).localeCompare(String(b.vulnerabilityId)));
  const blocking = blockingFindings(report, findings);
  const counts = Object.entries(report.counts || {}).map(([sev, n]) =>
    el('span', { class: 'count sev-' + sev.toLowerCase() }, sev + ' ' + n));
  const rows = findings.map((f) => el('tr', {
    class: 'finding sev-' + String(f.severity).toLowerCase() + (blocking.has(f) ? ' blocking' : ''),
    'data-blocking': blocking.has(f) ? 'true' : 'false',
  },
  el('td', { class: 'mono' }, f.vulnerabilityId), el('td', {}, f.severity),
  el('td', { class: 'col-blocking' }, blocking.has(f) ? 'blocks the run' : ''), el('td', {}, f.packageName),
  el('td', { class: 'mono' }, f.installedVersion || ''), el('td', { class: 'mono' }, f.fixedVersion || '—'),
  el('td', {}, f.title || '')));
  fill(panel, el('h2', {}, 'Scan'),
    el('p', { class: 'muted' }, (report.scanner || 'scanner') + ' ' + (report.scannerVersion || '') + ' · ',
      findings.length + ' finding' + (findings.length === 1 ? '' : 's'),
      blocking.size ? ' · ' + blocking.size + ' blocked the run' : ''),
    el('p', { class: 'counts' }, counts),
    rows.length ? tableBox(el('table', { class: 'findings', id: 'scan-findings' },
      el('thead', {}, el('tr', {}, ['Vulnerability', 'Severity', 'Blocking', 'Package', 'Installed', 'Fixed in', 'Title']
        .map((h) => el('th', {}, h)))),
      el('tbody', {}, rows))) : null,
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
  const rows = found.map((m) => el('tr', { class: 'misconfiguration sev-' + String(m.severity).toLowerCase()
    + (m.blocking ? ' blocking' : '') },
  el('td', { class: 'mono' }, m.id), el('td', {}, m.severity), el('td', {}, m.blocking ? 'blocking' : 'warning'),
  el('td', { class: 'mono' }, lines(m)), el('td', {}, m.title || ''), el('td', {}, m.message || '')));
  return el('div', { id: 'scan-misconfigurations' },
    el('h3', {}, 'Dockerfile checks'),
    el('p', { class: 'muted' }, found.length + ' misconfiguration' + (found.length === 1 ? '' : 's') + ' · '
      + (threshold ? 'those at or above ' + threshold + ' block the run' : 'warnings only: none blocks the run')),
    tableBox(el('table', { class: 'findings' },
      el('thead', {}, el('tr', {}, ['Check', 'Severity', 'Effect', 'Line', 'Title', 'What to change']
        .map((h) => el('th', {}, h)))),
      el('tbody', {}, rows))));
}
