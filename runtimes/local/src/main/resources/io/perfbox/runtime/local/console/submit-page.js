// Submitting a Dockerfile: typed or loaded from a file; the new job's page opens.

import { submitJob } from './api.js';
import { el, problemText } from './dom.js';
import { view } from './frame.js';

const EXAMPLE = "FROM debian:bookworm\nCMD echo '{\"perf\":0.99}' > /data/perf.json\n";

export function submitView() {
  const name = el('input', { id: 'submit-name', name: 'name', maxlength: '200', placeholder: 'e.g. model v3' });
  const description = el('input', { id: 'submit-description', name: 'description', maxlength: '2000' });
  const runs = el('input', { id: 'submit-runs', name: 'runs', type: 'number', min: '1', max: '10', step: '1', value: '1' });
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
      const job = await submitJob({ name: name.value.trim(), description: description.value.trim(),
        dockerfile: dockerfile.value, runs: Number(runs.value || '1') });
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
