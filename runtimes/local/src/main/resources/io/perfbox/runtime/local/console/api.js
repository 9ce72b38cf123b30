// The HTTP API as the console calls it: every call goes through api(), which adds the key and the console's header,
// and says whether the server answered (events the page frame shows as a banner). One function per route, so that a
// change of contract is made in one place.

const KEY_STORAGE = 'perfbox.apiKey';
export const PAGE_SIZE = 50;

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : 'HTTP ' + status);
    this.status = status;
    this.problem = problem || null;
  }
}

/** No answer at all: the server is stopped, restarting or out of reach (fetch's own TypeError). */
export class Unreachable extends Error {
  constructor(cause) {
    super('the perfbox server did not answer');
    this.cause = cause;
  }
}

export function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function setApiKey(key) {
  if (key) {
    sessionStorage.setItem(KEY_STORAGE, key);
  } else {
    sessionStorage.removeItem(KEY_STORAGE);
  }
}

function signal(name, detail) {
  window.dispatchEvent(new CustomEvent(name, { detail }));
}

/**
 * One request to this server. A state-changing call carries X-Perfbox-Console: 1, which the server requires of a
 * browser's POST or DELETE (a page of another origin cannot add it). A 401 asks for a key (perfbox:unauthorized);
 * every answer is perfbox:reachable, no answer perfbox:unreachable.
 */
export async function api(method, path, options = {}) {
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
  let response;
  try {
    response = await fetch(path, { method, headers, body: options.body, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    signal('perfbox:unreachable');
    throw new Unreachable(e);
  }
  signal('perfbox:reachable');
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch (ignored) {
      // not a problem document: the status says enough
    }
    if (response.status === 401) {
      signal('perfbox:unauthorized',
        key ? 'The server refused this key: ' + (problem && problem.detail || 'unauthenticated') : null);
    }
    throw new ApiError(response.status, problem);
  }
  return response;
}

async function apiJson(method, path, options) {
  return (await api(method, path, options)).json();
}

const jobPath = (id) => '/jobs/' + encodeURIComponent(id);

let statusesLoaded = null;

/**
 * The statuses as openapi.json's Status schema lists them: all (its enum, in lifecycle order) and finished (its
 * x-finished: the job changes no more). Read once per page; a failed read is tried again on the next call.
 */
export function statuses() {
  if (!statusesLoaded) {
    statusesLoaded = apiJson('GET', '/openapi.json').then((doc) => {
      const schema = doc.components.schemas.Status;
      if (!Array.isArray(schema.enum) || !Array.isArray(schema['x-finished'])) {
        throw new Error('openapi.json: the Status schema lists no enum or x-finished');
      }
      return { all: schema.enum.slice(), finished: new Set(schema['x-finished']) };
    });
    statusesLoaded.catch(() => {
      statusesLoaded = null;
    });
  }
  return statusesLoaded;
}

export function listJobs(status, nextToken) {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (status) {
    q.set('status', status);
  }
  if (nextToken) {
    q.set('nextToken', nextToken);
  }
  return apiJson('GET', '/jobs?' + q);
}

export const getJob = (id) => apiJson('GET', jobPath(id));
export const getScan = (id) => apiJson('GET', jobPath(id) + '/scan');
/** The build's and the run's logs apart, each whole as stored so far: {build: {text, truncated}, run: {...}}. */
export const getLogs = (id) => apiJson('GET', jobPath(id) + '/logs');
export const getDockerfile = async (id) => (await api('GET', jobPath(id) + '/dockerfile', { accept: 'text/plain' })).text();

/** Where the job's whole output is saved from: text/plain with Content-Disposition: attachment. */
export const logDownloadPath = (id) => jobPath(id) + '/logs?download=true';

/** The output file's bytes, for a server that needs a key (a link cannot send one). */
export async function getLogFile(id) {
  return (await api('GET', logDownloadPath(id), { accept: 'text/plain' })).arrayBuffer();
}

/**
 * The job's output from a byte offset (build, then run), as it is produced: {bytes, next, complete}. next is where
 * the following read starts; complete: the job has ended and nothing more will come. A bounded log's dropped middle
 * comes as one line saying how much was left out.
 */
export async function getOutput(id, offset) {
  const response = await api('GET', jobPath(id) + '/logs?offset=' + offset, { accept: 'text/plain' });
  const next = Number(response.headers.get('Perfbox-Next-Offset'));
  return {
    bytes: new Uint8Array(await response.arrayBuffer()),
    next: Number.isFinite(next) ? next : offset,
    complete: response.headers.get('Perfbox-Log-Complete') === 'true',
  };
}

/**
 * The tenant's leaderboard: {metric, order, entries: [{rank, id, name, value, performance, metrics, createdAt, runs,
 * spread}]}. order '' is the server's default.
 */
export function getLeaderboard(metric, order, limit) {
  const q = new URLSearchParams({ metric, limit: String(limit) });
  if (order) {
    q.set('order', order);
  }
  return apiJson('GET', '/leaderboard?' + q);
}

/** The metric over the tenant's successive submissions, oldest first: {metric, points: [{id, name, createdAt, value}]}. */
export function getHistory(metric) {
  return apiJson('GET', '/leaderboard/history?' + new URLSearchParams({ metric, limit: '100' }));
}

export function submitJob({ name, description, dockerfile, runs }) {
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

export const cancelJob = (id) => apiJson('POST', jobPath(id) + '/cancel');
export const deleteJob = (id) => apiJson('DELETE', jobPath(id));

function newId() {
  if (window.crypto && crypto.randomUUID) {
    return crypto.randomUUID();
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
