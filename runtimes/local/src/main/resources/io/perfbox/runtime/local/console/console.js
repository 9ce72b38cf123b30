// perfbox's web console: plain JavaScript modules over the HTTP API, no build step, no library, nothing inline
// (the page's Content-Security-Policy allows scripts of this server only). This one routes; each page is a module
// of its own (jobs-page, job-page, submit-page, leaderboard-page) over api (the calls), dom (building the page as
// text) and frame (the live region, the banner, the refresh loop).

import { statuses } from './api.js';
import { el, problemText } from './dom.js';
import { every, setRefreshNote, setUpBanner, view } from './frame.js';
import { jobView } from './job-page.js';
import { jobsView } from './jobs-page.js';
import { setUpKeyPanel } from './key.js';
import { leaderboardView } from './leaderboard-page.js';
import { submitView } from './submit-page.js';

let stopView = () => {};
let routed = 0;

function route() {
  stopView();
  setRefreshNote('');
  const hash = location.hash.replace(/^#/, '') || '/jobs';
  const [path, query] = hash.split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean);
  let section = parts[0] || 'jobs';
  if (!['jobs', 'submit', 'leaderboard'].includes(section)) {
    section = 'jobs';
  }
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.nav === section));
  if (section === 'submit') {
    stopView = submitView();
    return;
  }
  if (section === 'leaderboard') {
    stopView = leaderboardView(params);
    return;
  }
  // The job pages need the statuses openapi.json lists (which of them are final): read first, tried again until
  // the server answers.
  const mine = ++routed;
  let stopped = false;
  let stopInner = () => {};
  const stopWait = every(2000, async () => {
    let known;
    try {
      known = await statuses();
    } catch (e) {
      view(el('h1', {}, 'Jobs'), el('p', { class: 'muted', id: 'view-waiting' }, 'Waiting for the server: ' + problemText(e)));
      throw e;
    }
    if (!stopped && mine === routed) {
      stopInner = section === 'jobs' && parts[1] ? jobView(decodeURIComponent(parts[1]), known) : jobsView(params, known);
    }
    return false;
  });
  stopView = () => {
    stopped = true;
    stopWait();
    stopInner();
  };
}

window.addEventListener('hashchange', route);
setUpBanner();
setUpKeyPanel(route);
route();
