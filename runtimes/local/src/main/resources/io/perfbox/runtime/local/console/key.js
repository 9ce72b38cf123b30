// The API key of a server started with --require-keys: asked for when the API answers 401, kept for this tab only
// (sessionStorage), forgotten on request.

import { apiKey, setApiKey } from './api.js';

function showKeyState() {
  document.getElementById('key-state').hidden = !apiKey();
}

function askForKey(message) {
  setApiKey(null);
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

/** Wires the key panel; onKey runs when a key was given or forgotten (the view starts again). */
export function setUpKeyPanel(onKey) {
  window.addEventListener('perfbox:unauthorized', (e) => askForKey(e.detail));
  document.getElementById('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = document.getElementById('key-input');
    const key = input.value.trim();
    if (!key) {
      return;
    }
    setApiKey(key);
    input.value = '';
    document.getElementById('key-error').textContent = '';
    document.getElementById('key-panel').hidden = true;
    showKeyState();
    onKey();
  });
  document.getElementById('forget-key').addEventListener('click', () => {
    setApiKey(null);
    showKeyState();
    onKey();
  });
  showKeyState();
}
