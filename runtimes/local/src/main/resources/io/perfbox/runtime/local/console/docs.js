// Swagger UI over this server's own openapi.json. Its "Try it out" calls are the console's too: they go to this
// server (whatever port it serves on), carry the key the console keeps for this tab, and X-Perfbox-Console on the
// calls that change jobs.
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
  const key = sessionStorage.getItem('perfbox.apiKey');
  const response = await fetch('/openapi.json', { cache: 'no-store', headers: key ? { 'x-api-key': key } : {} });
  if (!response.ok) {
    document.getElementById('swagger-ui').textContent = response.status === 401
      ? 'This server needs an API key: enter it in the console first (Jobs), then come back.'
      : 'Could not load /openapi.json: HTTP ' + response.status;
    return;
  }
  const spec = await response.json();
  // The document names the default address; the calls from this page go to the server that served it.
  spec.servers = [{ url: location.origin, description: 'this server' }];
  window.SwaggerUIBundle({
    spec,
    dom_id: '#swagger-ui',
    // No call to the public validator service: everything stays on this server.
    validatorUrl: null,
    deepLinking: true,
    requestInterceptor: (request) => {
      if (key) {
        request.headers['x-api-key'] = key;
      }
      if (request.method && !['GET', 'HEAD'].includes(request.method.toUpperCase())) {
        request.headers['X-Perfbox-Console'] = '1';
      }
      return request;
    },
  });
});
