// The page around the views: where a view draws, the refresh note, the one live region (status changes only), the
// banner for a server that does not answer, and the refresh loop every view runs on.

import { ApiError, Unreachable } from './api.js';
import { fill, problemText } from './dom.js';

export function view(...children) {
  fill(document.getElementById('view'), ...children);
}

export function setRefreshNote(text) {
  document.getElementById('refresh-note').textContent = text || '';
}

/**
 * Says one sentence to a screen reader through the page's only polite live region: a job's status that changed,
 * never the table it is in.
 */
export function announce(sentence) {
  const region = document.getElementById('announce');
  region.textContent = sentence;
}

function showBanner(shown) {
  const banner = document.getElementById('server-banner');
  if (banner.hidden === !shown) {
    return;
  }
  banner.hidden = !shown;
  if (shown) {
    document.getElementById('server-banner-origin').textContent = location.origin;
  }
}

/** The banner follows every call: shown when one got no answer, gone with the next that did. */
export function setUpBanner() {
  window.addEventListener('perfbox:unreachable', () => showBanner(true));
  window.addEventListener('perfbox:reachable', () => showBanner(false));
}

/** Runs fn now and then every ms while the view lasts (until fn returns false); returns the stop function. */
export function every(ms, fn) {
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
      // No answer: the banner says so; the loop keeps trying, and the page comes back with the server.
      setRefreshNote(e instanceof Unreachable ? 'retrying…' : 'Could not refresh: ' + problemText(e));
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
