// A dashboard page on another origin calls the stats routes in headless Chromium: from an origin
// in CORS_ALLOWED_ORIGINS every fetch must succeed (a preflighted one included), from an origin
// not in the list every fetch must fail, since the browser itself enforces the refusal. Usage:
//   node cross-origin.mjs http://127.0.0.1:8080 PAGE_PORT
// where the service runs with CORS_ALLOWED_ORIGINS=http://127.0.0.1:PAGE_PORT. The page is served
// from that port; the refused origin is another free port on 127.0.0.1.
import http from 'node:http';
import { chromium } from 'playwright-core';

const api = process.argv[2];
const pagePort = Number(process.argv[3]);
if (!api || !pagePort) {
  console.error('usage: node cross-origin.mjs API_BASE_URL PAGE_PORT');
  process.exit(2);
}

// The dashboard: its script fetches every /v1/stats/* route and writes what came back into
// #results as JSON, then marks it done. Each result is {name, status, etag, body} or {name, error}.
const dashboard = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>newsmeta dashboard</title></head>
<body>
<h1>newsmeta dashboard</h1>
<pre id="results">loading…</pre>
<script type="module">
const api = new URLSearchParams(location.search).get('api');
async function call(name, path, init = {}) {
  try {
    const response = await fetch(api + path, { cache: 'no-store', ...init });
    const text = await response.text();
    return { name, status: response.status, etag: response.headers.get('ETag'),
             body: text ? JSON.parse(text) : null };
  } catch (error) {
    return { name, error: String(error) };
  }
}
const results = [
  await call('overview', '/v1/stats/overview'),
  await call('entities', '/v1/stats/entities?limit=5'),
  await call('speakers', '/v1/stats/speakers?limit=5'),
  await call('timeline', '/v1/stats/timeline?interval=month'),
  await call('co-mentions', '/v1/stats/co-mentions?entity=united-kingdom'),
];
// If-None-Match is not a CORS-safelisted header: the browser sends a preflight first.
const etag = results[0].etag ?? '"none"';
results.push(await call('revalidate', '/v1/stats/overview', { headers: { 'If-None-Match': etag } }));
// A header the service does not allow: the preflight is refused, so the fetch must fail.
results.push(await call('unlisted-header', '/v1/stats/speakers', { headers: { 'X-Dashboard': '1' } }));
// Errors reach the page too, so that it can show the problem.
results.push(await call('unknown-entity', '/v1/stats/co-mentions?entity=no-such-entity'));
const out = document.getElementById('results');
out.textContent = JSON.stringify(results, null, 2);
out.dataset.done = 'true';
</script>
</body>
</html>
`;

function servePage(port) {
  const server = http.createServer((req, res) => {
    if (new URL(req.url, 'http://page').pathname !== '/') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(dashboard);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const allowedServer = await servePage(pagePort);
const refusedServer = await servePage(0);
const allowed = `http://127.0.0.1:${allowedServer.address().port}`;
const refused = `http://127.0.0.1:${refusedServer.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const failures = [];
const fail = (message) => failures.push(message);

// Loads the dashboard from `origin` and gives back its results, read from the DOM, and the
// preflights Chromium sent (seen through the DevTools protocol: they are no page requests).
async function loadDashboard(origin) {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const preflights = new Map();
  // Chromium reports a preflight as an OPTIONS request, and its answer with type Preflight.
  cdp.on('Network.requestWillBeSent', ({ requestId, request }) => {
    if (request.method === 'OPTIONS') preflights.set(requestId, { url: request.url, status: null });
  });
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    if (preflights.has(requestId)) preflights.get(requestId).status = response.status;
  });
  await page.goto(`${origin}/?api=${encodeURIComponent(api)}`);
  const out = page.locator('#results[data-done="true"]');
  await out.waitFor({ timeout: 20000 });
  const results = JSON.parse(await out.innerText());
  await page.close();
  return { results, preflights: [...preflights.values()] };
}

const shapes = {
  overview: (b) => Number.isInteger(b.articles) && b.articles >= 1 && b.quotes >= 1,
  entities: (b) => b.by === 'mentions' && b.data.length >= 1 && typeof b.data[0].entity?.slug === 'string',
  speakers: (b) => b.data.length >= 1 && typeof b.data[0].speaker?.slug === 'string' && b.data[0].quote_count >= 1,
  timeline: (b) => b.interval === 'month' && Array.isArray(b.data) && b.data.length >= 1,
  'co-mentions': (b) => b.entity?.slug === 'united-kingdom' && b.data.length >= 1,
};

function describe(result) {
  return JSON.stringify(result).slice(0, 300);
}

try {
  // From the allowed origin: every stats route answers, with its ETag readable.
  const { results, preflights } = await loadDashboard(allowed);
  const byName = Object.fromEntries(results.map((r) => [r.name, r]));
  for (const [name, shape] of Object.entries(shapes)) {
    const result = byName[name];
    if (result.error || result.status !== 200) fail(`${allowed}: ${name} did not answer 200: ${describe(result)}`);
    else if (!shape(result.body)) fail(`${allowed}: ${name} has an unexpected shape: ${describe(result)}`);
    else if (!result.etag) fail(`${allowed}: ${name} answered without a readable ETag (Access-Control-Expose-Headers)`);
  }
  const revalidate = byName.revalidate;
  if (revalidate.error) fail(`${allowed}: the preflighted If-None-Match fetch failed: ${revalidate.error}`);
  else if (revalidate.status === 304 && revalidate.etag !== byName.overview.etag) {
    fail(`${allowed}: the 304 carries ETag ${revalidate.etag}, not ${byName.overview.etag}`);
  } else if (revalidate.status !== 304 && !(revalidate.status === 200 && revalidate.etag)) {
    fail(`${allowed}: the If-None-Match fetch answered ${describe(revalidate)}`);
  }
  const preflightStatus = (path) => preflights.filter((p) => new URL(p.url).pathname === path).map((p) => p.status);
  if (JSON.stringify(preflightStatus('/v1/stats/overview')) !== '[204]') {
    fail(`${allowed}: If-None-Match was not preflighted once with a 204: ${JSON.stringify(preflights)}`);
  }
  if (!byName['unlisted-header'].error) {
    fail(`${allowed}: a fetch with a header the service does not allow went through: ${describe(byName['unlisted-header'])}`);
  } else if (JSON.stringify(preflightStatus('/v1/stats/speakers')) !== '[403]') {
    fail(`${allowed}: the unlisted header's preflight was not refused with a 403: ${JSON.stringify(preflights)}`);
  }
  const unknown = byName['unknown-entity'];
  if (unknown.status !== 404 || unknown.body?.type !== '/problems/not-found') {
    fail(`${allowed}: an unknown entity did not give the page a readable 404 problem: ${describe(unknown)}`);
  }
  if (!failures.length) {
    console.log(`${allowed} (allowed): ${Object.keys(shapes).join(', ')} answered 200 with ETags; ` +
      `If-None-Match was preflighted (204) and answered ${revalidate.status}; an unlisted header's ` +
      'preflight was refused (403); a 404 problem was readable');
  }

  // From an origin not in the list: the browser keeps every answer from the page.
  const other = await loadDashboard(refused);
  for (const result of other.results) {
    if (!result.error?.includes('Failed to fetch')) {
      fail(`${refused} (not allowed): ${result.name} did not fail with "Failed to fetch": ${describe(result)}`);
    }
  }
  if (!failures.length) {
    console.log(`${refused} (not allowed): all ${other.results.length} fetches failed with ` +
      `"${other.results[0].error}"`);
  }
} catch (error) {
  fail(error.stack ?? String(error));
} finally {
  await browser.close();
  allowedServer.close();
  refusedServer.close();
}
if (failures.length) {
  console.error(`cross-origin check failed:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('cross-origin check passed');
