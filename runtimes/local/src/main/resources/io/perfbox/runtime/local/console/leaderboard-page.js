// The leaderboard: the succeeded jobs ranked by a metric, a column for every metric they carry, and the chart of
// that metric over the successive submissions. Rows are kept by job and updated in place.

import { ApiError, getHistory, getLeaderboard, listJobs } from './api.js';
import { el, fill, formatNumber, formatTime, problemText, setText, syncChildren, tableBox } from './dom.js';
import { every, view } from './frame.js';
import { historyChart } from './chart.js';

const LEADERBOARD_REFRESH_MS = 5000;
const METRIC_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const LIMITS = ['10', '25', '50', '100'];

export function leaderboardView(params) {
  const metric = METRIC_NAME.test(params.get('metric') || '') ? params.get('metric') : 'performance';
  const order = ['asc', 'desc'].includes(params.get('order')) ? params.get('order') : '';
  const limit = LIMITS.includes(params.get('limit')) ? params.get('limit') : '10';

  const metricInput = el('input', { id: 'leaderboard-metric', list: 'metric-names', value: metric, size: '16',
    pattern: '[A-Za-z0-9_.\\-]{1,64}', required: true });
  const names = el('datalist', { id: 'metric-names' }, el('option', { value: 'performance' }));
  const orderSelect = el('select', { id: 'leaderboard-order' },
    el('option', { value: 'desc' }, 'highest first'), el('option', { value: 'asc' }, 'lowest first'));
  const limitSelect = el('select', { id: 'leaderboard-limit' },
    LIMITS.map((n) => el('option', { value: n, selected: n === limit }, 'top ' + n)));
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

  const headRow = el('tr', {});
  const tbody = el('tbody', { id: 'leaderboard-body' });
  const table = el('table', { class: 'leaderboard', id: 'leaderboard-table' }, el('thead', {}, headRow), tbody);
  const empty = el('p', { class: 'muted', id: 'leaderboard-empty', hidden: true });
  const error = el('p', { class: 'error', id: 'leaderboard-error', role: 'alert' });
  const chart = el('div', { id: 'history' });
  view(el('h1', {}, 'Leaderboard'), controls, error, tableBox(table), empty,
    el('section', { class: 'panel' }, el('h2', {}, metric + ' over successive submissions'), chart));

  // The names offered are those the latest succeeded jobs carry (the API has no list of every name).
  listJobs('SUCCEEDED').then((page) => {
    const seen = new Set(['performance']);
    page.jobs.forEach((j) => Object.keys(j.metrics || {}).forEach((k) => seen.add(k)));
    fill(names, [...seen].sort().map((k) => el('option', { value: k })));
  }, () => {});

  const rows = new Map();
  let shownColumns = null;
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
    // The ranked metric first, then every other one any entry carries (performance among them), by name.
    const others = new Set();
    board.entries.forEach((entry) => {
      if (metric !== 'performance') {
        others.add('performance');
      }
      Object.keys(entry.metrics || {}).forEach((k) => k !== metric && others.add(k));
    });
    const columns = [...others].sort();
    if (JSON.stringify(columns) !== shownColumns) {
      fill(headRow, el('th', {}, '#'), el('th', {}, 'Name'),
        el('th', { class: 'num', id: 'leaderboard-value-header', 'data-metric': metric }, metric),
        columns.map((m) => el('th', { class: 'num metric-header', 'data-metric': m }, m)),
        el('th', { class: 'num', title: 'relative spread of the runs, (max − min) / |median|' }, 'Spread'),
        el('th', {}, 'Submitted'), el('th', {}, 'Id'));
      shownColumns = JSON.stringify(columns);
    }
    const seen = new Set();
    syncChildren(tbody, board.entries.map((entry) => {
      seen.add(entry.id);
      let row = rows.get(entry.id);
      if (!row) {
        row = newRow(entry);
        rows.set(entry.id, row);
      }
      updateRow(row, entry, columns);
      return row.tr;
    }));
    [...rows.keys()].filter((id) => !seen.has(id)).forEach((id) => rows.delete(id));
    empty.hidden = board.entries.length > 0;
    empty.textContent = 'No succeeded job carries "' + metric + '" yet.';
    const history = await getHistory(metric);
    fill(chart, historyChart(history.points, board.order));
  };
  return every(LEADERBOARD_REFRESH_MS, refresh);
}

function newRow(entry) {
  const cell = (cls) => el('td', { class: cls });
  const link = el('a', { href: '#/jobs/' + entry.id });
  const row = {
    tr: el('tr', { class: 'leaderboard-row', 'data-job-id': entry.id }),
    link,
    rank: cell('rank'),
    name: el('td', { class: 'col-name' }, link),
    value: cell('num col-value'),
    metrics: new Map(),
    spread: cell('num col-spread'),
    created: cell('col-created'),
    id: cell('mono col-id'),
  };
  return row;
}

function updateRow(row, entry, columns) {
  setText(row.rank, entry.rank);
  setText(row.link, entry.name || '(unnamed)');
  setText(row.value, formatNumber(entry.value));
  const metricCells = columns.map((m) => {
    if (!row.metrics.has(m)) {
      row.metrics.set(m, el('td', { class: 'num col-metric', 'data-metric': m }));
    }
    const v = m === 'performance' ? entry.performance : (entry.metrics || {})[m];
    setText(row.metrics.get(m), formatNumber(v));
    return row.metrics.get(m);
  });
  row.spread.title = entry.runs + (entry.runs === 1 ? ' run' : ' runs');
  setText(row.spread, entry.runs > 1 && entry.spread !== null ? (entry.spread * 100).toFixed(2) + ' %' : '–');
  setText(row.created, formatTime(entry.createdAt));
  setText(row.id, entry.id.substring(0, 8));
  syncChildren(row.tr, [row.rank, row.name, row.value, ...metricCells, row.spread, row.created, row.id]);
}
