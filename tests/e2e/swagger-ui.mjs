// Opens Swagger UI in headless Chromium against a running newsmeta, uses "Try it out" on
// GET /v1/articles, and checks that the seed article comes back. Usage:
//   node swagger-ui.mjs http://127.0.0.1:8080 [screenshot.png]
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const screenshot = process.argv[3];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const fail = async (message) => {
  console.error(`swagger-ui check failed: ${message}`);
  await browser.close();
  process.exit(1);
};
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The service sends a Content-Security-Policy; anything it blocks is a failure.
  page.on('console', (m) => {
    if (m.type() === 'error' && m.text().includes('Content Security Policy')) errors.push(m.text());
  });
  await page.goto(`${base}/swagger-ui/`);
  await page.waitForSelector('.opblock-tag-section', { timeout: 20000 });
  const title = await page.locator('.info .title').first().innerText();
  if (!title.includes('newsmeta')) await fail(`the page title is "${title}"`);

  const operation = page.locator('#operations-articles-list_articles');
  await operation.locator('.opblock-summary').click();
  await operation.locator('button.try-out__btn').click();
  await operation.locator('button.execute').click();
  const status = operation.locator('.live-responses-table tbody .response-col_status').first();
  await status.waitFor({ timeout: 20000 });
  const code = (await status.innerText()).trim();
  const body = await operation.locator('.live-responses-table .microlight').first().innerText();
  if (screenshot) await page.screenshot({ path: screenshot });
  if (code !== '200') await fail(`Try it out answered ${code}`);
  if (!body.includes('us-officials-condemn-uk-immigration-approach')) await fail(`the seed article is not in ${body.slice(0, 200)}`);
  if (errors.length) await fail(`the page raised ${errors.join('; ')}`);
  const csp = (await page.request.get(`${base}/swagger-ui/`)).headers()['content-security-policy'] ?? '';
  if (!csp.includes("script-src 'self'")) await fail(`Swagger UI has no Content-Security-Policy (${csp})`);
  console.log(`Swagger UI rendered "${title.split('\n')[0]}"; Try it out on GET /v1/articles answered ${code} with the seed article`);
} catch (error) {
  await fail(error.message);
}
await browser.close();
