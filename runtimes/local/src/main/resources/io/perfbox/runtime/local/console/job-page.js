// One job's page: followed until the job ends. What the job carries is redrawn in place; its controls (Re-run,
// the log download, copy id, Cancel or Delete) are made once, so a refresh never takes the keyboard focus away.

import {
  ApiError, apiKey, cancelJob, deleteJob, getDockerfile, getJob, getLeaderboard, getLogFile, getLogs, getOutput, getScan,
  logDownloadPath, submitJob,
} from './api.js';
import { el, fill, formatTime, problemText, setStatus, setText, statusBadge, textNode, visible } from './dom.js';
import { announce, every, setRefreshNote, view } from './frame.js';
import { renderFailure, renderReceipt, renderResult, renderRuns, renderScan, renderTimeline, renderWarnings } from './job-panels.js';

const JOB_REFRESH_MS = 1000;
const RANK_LIMIT = 100;

export function jobView(id, statuses) {
  const finished = statuses.finished;
  const title = el('h1', { id: 'job-title' }, 'Job');
  const badge = statusBadge('QUEUED', 'job-status');
  badge.hidden = true;
  const idText = el('code', { id: 'job-id' }, id);
  const submitted = el('span', { id: 'job-submitted' });
  const description = el('p', { id: 'job-description' });
  const lifecycle = el('span', { class: 'lifecycle', id: 'job-lifecycle' });
  const actionError = el('span', { class: 'error', id: 'job-action-error', role: 'alert' });
  const copied = el('span', { class: 'muted', id: 'copy-note' });
  const download = el('a', { class: 'button', id: 'download-log', href: logDownloadPath(id), download: 'perfbox-' + id + '.log' },
    'Download log');
  const rerun = el('button', { type: 'button', id: 'rerun-job', disabled: true,
    title: 'Submit the same Dockerfile again, as a new job' }, 'Re-run');
  const copy = el('button', { type: 'button', id: 'copy-id', class: 'secondary' }, 'Copy id');
  const timeline = el('ol', { class: 'timeline', id: 'job-timeline' });
  const failure = el('section', { class: 'panel failure', id: 'job-failure', hidden: true });
  const result = el('section', { class: 'panel result', id: 'job-result', hidden: true });
  const warnings = el('section', { class: 'panel warning', id: 'job-warnings', hidden: true });
  const runsPanel = el('section', { class: 'panel runs', id: 'job-runs-panel', hidden: true });
  const receipt = el('section', { class: 'panel', id: 'job-receipt' });
  const scan = el('section', { class: 'panel', id: 'job-scan' }, el('h2', {}, 'Scan'), el('p', { class: 'muted' }, 'Not scanned yet.'));
  const live = el('pre', { class: 'log', id: 'job-output' });
  const liveNote = el('span', { class: 'muted', id: 'job-output-note' }, '(none yet)');
  const livePanel = el('section', { class: 'panel', id: 'job-live' }, el('h2', {}, 'Output ', liveNote), live);
  const buildLog = el('pre', { class: 'log', id: 'job-build-output' });
  const runLog = el('pre', { class: 'log', id: 'job-run-output' });
  const buildPanel = el('section', { class: 'panel', id: 'job-build', hidden: true }, el('h2', {}, 'Build output'), buildLog);
  const runPanel = el('section', { class: 'panel', id: 'job-run', hidden: true }, el('h2', {}, 'Run output'), runLog);
  const dockerfile = el('pre', { class: 'dockerfile', id: 'job-dockerfile' });

  view(el('div', { class: 'job-head' }, title, badge),
    el('p', { class: 'muted job-meta', id: 'job-meta' }, idText, ' ', copy, ' ', copied, ' ', submitted),
    description,
    el('div', { class: 'actions', id: 'job-actions' }, lifecycle, rerun, download, actionError),
    timeline, failure, result, runsPanel, warnings, livePanel, buildPanel, runPanel, scan, receipt,
    el('section', { class: 'panel' }, el('h2', {}, 'Dockerfile'), dockerfile));

  let job = null;
  let dockerfileText = null;
  getDockerfile(id).then((text) => {
    dockerfileText = text;
    dockerfile.textContent = visible(text);
    rerun.disabled = false;
  }, (e) => {
    dockerfile.textContent = problemText(e);
  });

  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(id);
      copied.textContent = 'copied';
    } catch (e) {
      // No clipboard for this page (a browser's setting): the id is selected, for Ctrl-C.
      getSelection().selectAllChildren(idText);
      copied.textContent = 'selected: press Ctrl-C';
    }
  });

  rerun.addEventListener('click', async () => {
    rerun.disabled = true;
    try {
      const again = await submitJob({ name: job && job.name, description: job && job.description,
        dockerfile: dockerfileText, runs: job ? job.runs : 1 });
      location.hash = '#/jobs/' + again.id;
    } catch (e) {
      actionError.textContent = 'Re-run: ' + problemText(e);
      rerun.disabled = false;
    }
  });

  // A link saves the server's own file (text, Content-Disposition: attachment). A link cannot send a key: with one,
  // the same file is fetched with it and saved from its bytes, as bytes (never read as text or HTML).
  download.addEventListener('click', async (event) => {
    if (!apiKey()) {
      return;
    }
    event.preventDefault();
    try {
      const url = URL.createObjectURL(new Blob([await getLogFile(id)], { type: 'application/octet-stream' }));
      const a = el('a', { href: url, download: 'perfbox-' + id + '.log', hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      actionError.textContent = 'Download: ' + problemText(e);
    }
  });

  let drawn = null;
  let scanShown = false;
  let rankShown = false;
  let splitShown = { build: false, run: false };
  // The live output is read on from where the last read ended; bytes are decoded as one stream, so a character
  // split between two reads comes out whole.
  let offset = 0;
  let outputComplete = false;
  const decoder = new TextDecoder('utf-8');

  const refresh = async () => {
    let now;
    try {
      now = await getJob(id);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        view(el('h1', {}, 'Job not found'), el('p', {}, problemText(e)), el('a', { href: '#/jobs' }, 'All jobs'));
        return false;
      }
      throw e;
    }
    const before = job;
    job = now;
    const ended = finished.has(job.status);
    if (before && before.status !== job.status) {
      announce(visible(job.name || 'The job') + ' is now ' + job.status + '.');
    }
    const json = JSON.stringify(job);
    if (json !== drawn) {
      drawJob(ended, before);
      drawn = json;
    }
    renderTimeline(timeline, job, finished);

    if (!ended && !outputComplete) {
      const read = await getOutput(id, offset);
      offset = read.next;
      outputComplete = read.complete;
      appendOutput(live, decoder.decode(read.bytes, { stream: !read.complete }));
      liveNote.textContent = live.textContent ? '(live: build, then run)' : '(none yet)';
    }
    await showOutputApart(ended);
    if ((job.status === 'RUNNING' || ended) && !scanShown) {
      renderScan(scan, await getScan(id));
      scanShown = ended;
    }
    if (ended && job.status === 'SUCCEEDED' && !rankShown) {
      rankShown = await showRank();
    }
    setRefreshNote(ended ? '' : 'following the job: refreshed ' + formatTime(new Date().toISOString()));
    return !ended;
  };

  function drawJob(ended, before) {
    setText(title, job.name || '(unnamed job)');
    setStatus(badge, job.status);
    badge.hidden = false;
    setText(submitted, '· submitted ' + formatTime(job.createdAt));
    setText(description, job.description || '');
    if (!before || finished.has(before.status) !== ended) {
      drawLifecycle(ended);
    }
    renderFailure(failure, job);
    renderResult(result, job);
    rankShown = false;
    renderRuns(runsPanel, job);
    renderWarnings(warnings, job);
    renderReceipt(receipt, job);
  }

  /** The build's output once the build is over, the run's once the job ended: each apart, whole. */
  async function showOutputApart(ended) {
    const buildOver = ended || ['SCANNING', 'RUNNING'].includes(job.status);
    if ((buildOver && !splitShown.build) || (ended && !splitShown.run)) {
      const logs = await getLogs(id);
      setText(buildLog, logs.build.text);
      buildPanel.hidden = false;
      splitShown.build = true;
      if (ended) {
        setText(runLog, logs.run.text);
        runPanel.hidden = false;
        livePanel.hidden = true;
        splitShown.run = true;
      }
      buildLog.classList.toggle('empty', !logs.build.text);
      runLog.classList.toggle('empty', !logs.run.text);
    }
  }

  async function showRank() {
    let board;
    try {
      board = await getLeaderboard('performance', '', RANK_LIMIT);
    } catch (e) {
      return false;
    }
    const holder = document.getElementById('job-rank');
    if (!holder) {
      return false;
    }
    const entry = board.entries.find((e) => e.id === id);
    const direction = board.order === 'asc' ? 'lowest first' : 'highest first';
    fill(holder, entry
      ? ['rank ', el('strong', { id: 'job-rank-number' }, '#' + entry.rank), ' of ' + board.entries.length + ' on the ',
        el('a', { href: '#/leaderboard?metric=performance' }, 'leaderboard'), ' by performance (' + direction + ')']
      : ['not in the top ' + RANK_LIMIT + ' of the ', el('a', { href: '#/leaderboard?metric=performance' }, 'leaderboard'),
        ' by performance (' + direction + ')']);
    return true;
  }

  function drawLifecycle(ended) {
    const act = (label, fn, confirmText, elId) => el('button', {
      type: 'button', id: elId, class: 'danger', onclick: async () => {
        if (confirmText && !window.confirm(confirmText)) {
          return;
        }
        try {
          await fn();
          actionError.textContent = '';
          if (elId === 'delete-job') {
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
    fill(lifecycle, ended
      ? act('Delete', () => deleteJob(id), 'Delete this job, its logs and its files?', 'delete-job')
      : act('Cancel', () => cancelJob(id), null, 'cancel-job'));
  }

  let stop = every(JOB_REFRESH_MS, refresh);
  return () => stop();
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
