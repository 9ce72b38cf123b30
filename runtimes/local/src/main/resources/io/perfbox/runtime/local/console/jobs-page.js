// The job list: newest first, refreshed by itself. A refresh updates the rows in place (a row that is already there
// stays the same element), so keyboard focus and a selection survive it; a status that changed is said once through
// the live region.

import { listJobs } from './api.js';
import { el, formatNumber, formatTime, setStatus, setText, statusBadge, visible } from './dom.js';
import { announce, every, setRefreshNote, view } from './frame.js';

const LIST_REFRESH_MS = 2000;
/** The first command of a new user, shown on an empty list (as the README prints it). */
export const FIRST_COMMAND = './perfbox submit Dockerfile --wait';

const COLUMNS = [['name', 'Name'], ['status', 'Status'], ['performance', 'Performance'], ['failure', 'Failure'],
  ['created', 'Submitted'], ['id', 'Id']];

export function jobsView(params, statuses) {
  const status = statuses.all.includes(params.get('status')) ? params.get('status') : '';
  let pages = 1;
  const select = el('select', { id: 'status-filter', 'aria-label': 'Status' },
    el('option', { value: '' }, 'all statuses'),
    statuses.all.map((s) => el('option', { value: s, selected: s === status }, s)));
  select.addEventListener('change', () => {
    location.hash = '#/jobs' + (select.value ? '?status=' + select.value : '');
  });
  const tbody = el('tbody', { id: 'jobs-body' });
  const more = el('button', { type: 'button', id: 'more-jobs', hidden: true }, 'Show more');
  const empty = status
    ? el('p', { class: 'muted', id: 'jobs-empty', hidden: true }, 'No ' + status + ' jobs.')
    : el('section', { class: 'panel empty', id: 'jobs-empty', hidden: true },
      el('h2', {}, 'No jobs yet'),
      el('p', {}, 'Submit a Dockerfile from a shell in the perfbox checkout:'),
      el('pre', { class: 'command', id: 'first-command' }, FIRST_COMMAND),
      el('p', {}, 'or on the ', el('a', { href: '#/submit' }, 'Submit'), ' page. The container writes its result to ',
        el('code', {}, '/data/perf.json'), ', e.g. ', el('code', {}, '{"perf":0.99}'), '.'));
  const updated = el('span', { class: 'muted', id: 'jobs-updated' });
  const table = el('table', { class: 'jobs', id: 'jobs-table' },
    el('thead', {}, el('tr', {}, COLUMNS.map(([, h]) => el('th', {}, h)))), tbody);
  view(el('h1', {}, 'Jobs'), el('div', { class: 'toolbar' }, el('label', {}, 'Status ', select), updated),
    table, empty, more);

  const rows = new Map();
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
    const changed = [];
    const seen = new Set();
    jobs.forEach((job, i) => {
      seen.add(job.id);
      let row = rows.get(job.id);
      if (!row) {
        row = newRow(job);
        rows.set(job.id, row);
      } else if (row.status !== job.status) {
        changed.push(visible(job.name || 'Job ' + job.id.substring(0, 8)) + ' is now ' + job.status + '.');
      }
      updateRow(row, job);
      // Only a row out of place moves: a new row is put in before the others, which stay where they are.
      if (tbody.children[i] !== row.tr) {
        tbody.insertBefore(row.tr, tbody.children[i] || null);
      }
    });
    for (const [id, row] of rows) {
      if (!seen.has(id)) {
        row.tr.remove();
        rows.delete(id);
      }
    }
    if (changed.length) {
      announce(changed.join(' '));
    }
    table.hidden = jobs.length === 0;
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

function newRow(job) {
  const cell = (key, label, extra) => el('td', { class: 'col-' + key + (extra ? ' ' + extra : ''), 'data-label': label });
  const cells = {};
  for (const [key, label] of COLUMNS) {
    cells[key] = cell(key, label, key === 'performance' ? 'num' : key === 'id' ? 'mono' : '');
  }
  const link = el('a', { href: '#/jobs/' + job.id });
  cells.name.append(link);
  const badge = statusBadge(job.status);
  cells.status.append(badge);
  const tr = el('tr', { 'data-job-id': job.id, class: 'job-row' }, COLUMNS.map(([key]) => cells[key]));
  return { tr, cells, link, badge, status: null };
}

function updateRow(row, job) {
  setText(row.link, job.name || '(unnamed)');
  setStatus(row.badge, job.status);
  row.status = job.status;
  setText(row.cells.performance, formatNumber(job.performance));
  setText(row.cells.failure, job.failure ? job.failure.code : '');
  setText(row.cells.created, formatTime(job.createdAt));
  setText(row.cells.id, job.id.substring(0, 8));
}
