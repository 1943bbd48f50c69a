// Browser end-to-end harness: a real `hookflow serve` on a temporary directory, headless Debian
// Chromium driven by playwright-core, and small HTTP servers standing in for the services a flow
// posts to. Used by the *.test.mjs files next to it (run by `make e2e`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const screenshotsDir = path.join(root, 'docs/screenshots');
const figuresFile = path.join(root, 'bin/e2e-figures.json');

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the hookflow binary (HOOKFLOW_BIN, default bin/hookflow) on a free port and a temp dir,
 * and signs up its owner (unless { owner: false }: a fresh instance, as on a first visit).
 */
export async function startServer(extraEnv = {}, { owner: withOwner = true } = {}) {
  const bin = process.env.HOOKFLOW_BIN || path.join(root, 'bin/hookflow');
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run make build`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookflow-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(dir, 'server.log'), 'a');
  const proc = spawn(bin, ['serve'], {
    env: {
      ...process.env,
      HOOKFLOW_ADDR: `127.0.0.1:${port}`,
      HOOKFLOW_DATA_DIR: path.join(dir, 'data'),
      HOOKFLOW_PUBLIC_URL: url,
      HOOKFLOW_DATABASE_URL: '',
      HOOKFLOW_LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', log, log],
  });
  let exited = null;
  proc.on('exit', (code) => (exited = code));
  for (let i = 0; ; i++) {
    if (exited !== null) throw new Error(`hookflow exited with ${exited}:\n${fs.readFileSync(path.join(dir, 'server.log'), 'utf8')}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (i > 300) throw new Error('hookflow did not answer /healthz within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  // The first signup of an empty instance becomes its owner.
  const owner = { email: 'owner@example.com', password: 'owner password 1' };
  const signup = !withOwner ? null : await fetch(`${url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(owner),
  });
  if (signup && signup.status !== 201) throw new Error(`signing up the owner: ${signup.status} ${await signup.text()}`);
  if (signup) owner.token = (await signup.json()).token;
  return {
    url,
    dir,
    owner,
    /** Calls the API as the owner (Bearer token); returns {status, body}. */
    async api(method, path, body) {
      const res = await fetch(url + path, {
        method,
        headers: { Authorization: `Bearer ${owner.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let data = text;
      try {
        data = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: data };
    },
    log: () => fs.readFileSync(path.join(dir, 'server.log'), 'utf8'),
    async stop() {
      if (exited === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A stand-in for a target service: records every request and answers with reply(req, body). */
export async function startTarget(reply = () => ({ status: 200, json: { status: 'success' } })) {
  const received = [];
  const srv = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const got = { method: req.method, url: req.url, headers: req.headers, body };
      received.push(got);
      const r = reply(got);
      res.writeHead(r.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(r.json));
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${srv.address().port}`,
    received,
    stop: () => new Promise((r) => srv.close(r)),
  };
}

// The flags Chromium needs on a machine with a closed network and no GPU (it would otherwise
// try to reach update and sync services at every start).
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launches headless Chromium with a 1280×800 page (the smallest screen the editor supports). */
export async function startBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
  });
  return browser;
}

/** A fresh page at 1280×800 whose console errors and failed requests fail the test at the end. */
export async function newPage(browser, { lang = 'en', forceLang = true } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: lang === 'ru' ? 'ru-RU' : 'en-US' });
  // Tests read English labels; a test of the language switch itself leaves the choice alone.
  if (forceLang) await context.addInitScript((l) => localStorage.setItem('hookflow.lang', l), lang);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // "Failed to load resource" repeats a failed response, which is reported with its URL below.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console error: ${msg.text()}`);
  });
  page.on('response', (res) => {
    // Before sign-in the app asks who is signed in and hears "nobody": that is how it starts.
    if (res.status() === 401 && res.url().endsWith('/api/auth/me')) return;
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
  });
  page.problems = problems;
  return page;
}

/** Signs in through the sign-in form (as the owner unless another user is given). */
export async function signIn(page, server, user = server.owner) {
  await page.goto(server.url + '/');
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('signout').waitFor();
}

/** Fails when the page reported errors (other than those expected by the test). */
export function assertNoPageErrors(page, allowed = []) {
  const left = page.problems.filter((p) => !allowed.some((re) => re.test(p)));
  if (left.length) throw new Error('the page reported errors:\n' + left.join('\n'));
}

/** Layout check at 1280×800: nothing wider than the window (no horizontal scroll of the page). */
export async function assertNoHorizontalOverflow(page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  if (scroll > client + 1) throw new Error(`the page is ${scroll}px wide in a ${client}px window`);
}

export async function screenshot(page, name) {
  fs.mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotsDir, name) });
}

/** Records a measured figure (ms, bytes) in bin/e2e-figures.json for the README. */
export function recordFigure(name, value) {
  let all = {};
  try {
    all = JSON.parse(fs.readFileSync(figuresFile, 'utf8'));
  } catch {
    /* first figure */
  }
  all[name] = value;
  fs.mkdirSync(path.dirname(figuresFile), { recursive: true });
  fs.writeFileSync(figuresFile, JSON.stringify(all, null, 2) + '\n');
  console.log(`figure ${name}: ${JSON.stringify(value)}`);
}

/** Drags a palette item onto the canvas at (x, y) relative to the canvas' top left corner. */
export async function dragKindToCanvas(page, kind, x, y) {
  const item = page.locator(`.palette-item[data-kind="${kind}"]`);
  const canvas = page.getByTestId('canvas');
  await item.dragTo(canvas, { targetPosition: { x, y } });
}

/**
 * Connects node a's output handle to node b's input handle by dragging with the mouse. Nodes grow
 * and shrink as live validation adds or drops their problem lines, so the target handle is
 * measured again just before the drop.
 */
export async function connectNodes(page, from, to) {
  const edge = page.locator(`.react-flow__edge[data-id^="${from}->${to}"]`);
  for (let attempt = 1; ; attempt++) {
    await dragHandle(page, from, to);
    try {
      await edge.waitFor({ state: 'attached', timeout: 2000 });
      return;
    } catch (err) {
      // A node resized by validation under the mouse: the drop missed; a user would try again.
      if (attempt === 3) throw err;
    }
  }
}

async function dragHandle(page, from, to) {
  const src = page.locator(`[data-testid="node-${from}"] .react-flow__handle.source`).first();
  const dst = page.locator(`[data-testid="node-${to}"] .react-flow__handle.target`).first();
  const centre = async (loc) => {
    const b = await loc.boundingBox();
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  };
  const a = await centre(src);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  const mid = await centre(dst);
  await page.mouse.move((a.x + mid.x) / 2, (a.y + mid.y) / 2, { steps: 5 });
  const b = await centre(dst);
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

/** Clicks Test and waits for the preview's result; returns the milliseconds until it was painted. */
export async function runPreview(page) {
  const clicked = Date.now();
  await page.getByTestId('test').click(); // clears the last result at once
  await page.getByTestId('trace-status').waitFor();
  return Date.now() - clicked;
}

/** Pastes text into a field as the browser does on Ctrl+V. */
export function pasteInto(locator, text) {
  return locator.evaluate((el, t) => {
    const data = new DataTransfer();
    data.setData('text/plain', t);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

/** Asserts every listed node is painted with status; the message carries the preview's result. */
export async function expectNodeStatus(page, ids, status) {
  for (const id of ids) {
    const got = await page.getByTestId(`node-${id}`).getAttribute('data-status');
    if (got !== status) {
      const result = await page.getByTestId('trace-status').textContent().catch(() => '(no result shown)');
      throw new Error(`node ${id} is "${got}", want "${status}"; the preview said: ${result}`);
    }
  }
}

/**
 * Starts a server and a browser before the file's tests and stops them after; `use` gets them
 * once started (a test file keeps them in its own variables).
 */
export function withServerAndBrowser(use, extraEnv = {}) {
  let server, browser;
  before(async () => {
    server = await startServer(extraEnv);
    browser = await startBrowser();
    use(server, browser);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}

/** Waits until cond() holds, polling every 100 ms; fails with what it waited for. */
export async function until(what, cond, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
