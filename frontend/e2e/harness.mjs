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
import assert from 'node:assert/strict';
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
    if (i > 600) throw new Error('hookflow did not answer /healthz within 30 s');
    await new Promise((r) => setTimeout(r, 50));
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
    api: (method, path, body) => callApi(url, owner.token, method, path, body),
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

/**
 * Calls hookflow's API at url with a Bearer token (and more headers, e.g. a team); returns
 * {status, body}, the body parsed when it is JSON.
 */
export async function callApi(url, token, method, path, body, headers = {}) {
  const res = await fetch(url + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
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
  const page = watch(await context.newPage());
  page.lang = lang;
  return page;
}

/** Another tab of page's browser context: signed in as page is, with its language and cache. */
export async function openTab(page) {
  const tab = watch(await page.context().newPage());
  tab.lang = page.lang;
  return tab;
}

// Records the page's console errors and failed requests in page.problems (see assertNoPageErrors).
function watch(page) {
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
 * Starts a server, a browser and the named stand-in targets ({name: reply}, null for the default
 * answer) before the file's tests and stops them after; `use` gets them once started (a test
 * file keeps them in its own variables): use(server, browser, {name: target}), awaited, so a
 * file's own set-up that needs them goes there (a file's before hooks may run side by side).
 */
export function withServerAndBrowser(use, { env = {}, targets = {} } = {}) {
  let server, browser;
  const started = {};
  before(async () => {
    // Started side by side: none waits for another.
    const serving = startServer(env);
    const launching = startBrowser();
    await Promise.all(Object.entries(targets).map(async ([name, reply]) => (started[name] = await startTarget(reply ?? undefined))));
    // Whatever started is kept for after() to stop, even when the other failed.
    const [s, b] = await Promise.allSettled([serving, launching]);
    [server, browser] = [s.value, b.value];
    for (const r of [s, b]) if (r.status === 'rejected') throw r.reason;
    await use(server, browser, started);
  });
  after(async () => {
    await Promise.all([browser?.close(), server?.stop(), ...Object.values(started).map((target) => target.stop())]);
  });
}

/** Waits until cond() gives a true value (returned), polling every 50 ms; fails with what it waited for. */
export async function until(what, cond, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A fresh page (newPage's options) signed in as the owner, or as user when given. The first one
 * of a server signs in through the form; later ones of the owner start with the session cookies
 * it got (as a browser that signed in before does), and open the flows list signed in.
 */
export async function signedInPage(browser, server, options = {}, user = server.owner) {
  const page = await newPage(browser, options);
  if (user === server.owner && server.ownerCookies) {
    await page.context().addCookies(server.ownerCookies);
    await page.goto(server.url + '/');
    await page.getByTestId('signout').waitFor();
    return page;
  }
  await signIn(page, server, user);
  if (user === server.owner) server.ownerCookies = await page.context().cookies();
  return page;
}

// The interface's words the helpers below look for, in the page's language.
const words = {
  en: { newFlow: 'New flow', flowName: 'Flow name', active: 'active' },
  ru: { newFlow: 'Новый сценарий', flowName: 'Название сценария', active: 'работает' },
};

/** Runs a user action as is; builders pass their own, which counts it. */
const uncounted = (fn) => fn();

/**
 * Opens an empty flow from the flows list (one action, through act) and waits for the palette,
 * and for the palette items named in `palette` ({kind: label}) to show those labels.
 */
export async function openNewFlow(page, { act = uncounted, palette = {} } = {}) {
  await act(() => page.getByRole('button', { name: words[page.lang].newFlow }).click());
  await page.getByTestId('palette').waitFor();
  for (const [kind, label] of Object.entries(palette)) {
    await page.locator(`.palette-item[data-kind="${kind}"]`).getByText(label).waitFor();
  }
}

/**
 * Drops steps from the palette (each a drag, through act): kinds, laid one under the other from
 * (x, y) every dy pixels, or [kind, x, y]. Each dropped step joins the step before it; this waits
 * for every new step and for its line. Returns the new steps' ids (http1, http2, …).
 */
export async function dropSteps(page, steps, { act = uncounted, x = 200, y = 40, dy = 140 } = {}) {
  const lines = page.locator('.react-flow__edge');
  let want = await lines.count();
  let nodes = await page.locator('.react-flow__node').count();
  const ids = [];
  for (const [i, step] of steps.entries()) {
    const [kind, sx, sy] = Array.isArray(step) ? step : [step, x, y + dy * i];
    const n = await page.locator(`.react-flow__node[data-id^="${kind}"]`).count();
    await act(() => dragKindToCanvas(page, kind, sx, sy));
    const id = `${kind}${n + 1}`;
    await page.getByTestId(`node-${id}`).waitFor();
    ids.push(id);
    if (nodes++ > 0) want++;
  }
  if (want > 0) await lines.nth(want - 1).waitFor({ state: 'attached' });
  return ids;
}

/** Waits until the editor's check of the flow finds nothing left to fix. */
export function noProblems(page) {
  return page.locator('[data-testid="problems-count"].problems-none').waitFor({ timeout: 10_000 });
}

/** Clicks Test (through act) and asserts the listed steps are painted with status. */
export async function previewShows(page, ids, status = 'success', { act = uncounted } = {}) {
  await act(() => runPreview(page));
  await expectNodeStatus(page, ids, status);
}

/**
 * Names the flow, saves it and starts it from the prompt Save offers (three actions, through
 * act); waits until the editor and the server say it runs. Returns the flow as the API lists it.
 */
export async function saveAndStart(page, server, name, { act = uncounted } = {}) {
  await act(() => page.getByLabel(words[page.lang].flowName).fill(name));
  await act(() => page.getByTestId('save').click());
  await act(() => page.getByTestId('start-prompt-start').click());
  await page.getByTestId('flow-state').getByText(words[page.lang].active).waitFor();
  return until(`the flow «${name}» to start`, async () =>
    (await server.api('GET', '/api/flows')).body.flows.find((f) => f.name === name && f.active));
}

/** Creates a flow through the API (a draft unless { draft: false }) and asserts it was created. */
export async function createFlow(server, document, { draft = true } = {}) {
  const res = await server.api('POST', draft ? '/api/flows?draft=1' : '/api/flows', { document });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

/**
 * Clicks "Wait for a test request" on the webhook's panel and waits until the panel says the
 * server listens, as a user is told to: first it says it is connecting, then "send the test
 * request now" once the flow's live log connection is open (the server replays what arrived
 * while that connection was being opened).
 */
export async function waitForTestRequest(page) {
  await page.getByTestId('wait-request').click();
  await page.locator('[data-testid="waiting"][data-listening="true"]').waitFor();
}

/** Opens the template gallery and waits for the card of template id; returns the card. */
export async function templateCard(page, server, id) {
  await page.goto(server.url + '/#/templates');
  const card = page.getByTestId(`template-${id}`);
  await card.waitFor();
  return card;
}

/** Asserts a stand-in's request i was a POST to path with these form fields (among others). */
export function assertPostedForm(target, i, path, fields) {
  const got = target.received[i];
  assert.equal(got.method, 'POST');
  assert.equal(got.url, path);
  const form = new URLSearchParams(got.body);
  for (const [key, value] of Object.entries(fields)) assert.equal(form.get(key), value, `${key} in ${got.body}`);
}

/** Opens a flow in the editor and waits for its step `node` to show. */
export async function openFlow(page, server, id, node) {
  await page.goto(`${server.url}/#/flows/${id}`);
  await page.getByTestId(`node-${node}`).waitFor();
}

/**
 * The request an HTTP step built in the last Test, read from its "HTTP request" view (a preview
 * sends nothing): method, address and the form fields of its body.
 */
export async function builtRequest(page, node) {
  await page.getByTestId(`node-${node}`).click(); // to read the result; not part of the building
  const view = page.getByTestId('step').locator('details', { has: page.locator('summary', { hasText: /^HTTP request$/ }) });
  const summary = await view.locator('summary').textContent();
  const shown = JSON.parse((await view.textContent()).slice(summary.length));
  assert.equal(shown.sent, false, 'a Test sends nothing');
  const { method, url, headers, body } = shown.request;
  return { method, url, headers, body, form: Object.fromEntries(new URLSearchParams(body)) };
}

// What a user must never type by hand: a {{reference}}, a pipe, JSON, JavaScript.
const CODE = /\{\{|\||\{"|=>|function|return|\$\./;

/**
 * A counted, recorded way of building: every user action goes through act (click, typed field,
 * key press, drag, select, paste = 1), typed text through type.
 */
export function builder(page) {
  const cell = (id) => page.locator(`[id="${id}"]`);
  const b = {
    actions: 0,
    typed: [],
    act: async (fn) => {
      b.actions++;
      return fn();
    },
    type: (text) => (b.typed.push(text), text),
    /** Pastes text into a field as the browser does on Ctrl+V. */
    paste: (locator, text) => b.act(() => pasteInto(locator, b.type(text))),
    /** Fills a field with a plain value typed by hand. */
    fill: (locator, text) => b.act(() => locator.fill(b.type(text))),
    /** Clicks a value cell, then the value shown in the step's input: the reference goes in. */
    point: async (cellId, shown) => {
      await b.act(() => cell(cellId).click());
      const value = page.getByTestId('step-input').locator('button.pick-value', { hasText: shown }).first();
      await value.scrollIntoViewIfNeeded();
      await b.act(() => value.click());
      return cell(cellId).inputValue();
    },
    /** A new flow with these steps dropped (dropSteps' steps and layout). */
    async newFlow(steps, layout = { x: 160, y: 40, dy: 140 }) {
      await openNewFlow(page, { act: b.act });
      return dropSteps(page, steps, { ...layout, act: b.act });
    },
    /** Drops more steps: each joins the selected step. */
    drop: (steps, layout) => dropSteps(page, steps, { ...layout, act: b.act }),
    /** Clicks Test and asserts the listed steps are painted with status. */
    preview: (ids, status) => previewShows(page, ids, status, { act: b.act }),
    /** The selected step's key/value table gets its rows from a pasted parameter string. */
    async pasteRows(text, rows) {
      await b.act(() => page.getByRole('button', { name: /Add row/ }).click());
      await b.act(() => cell('fields-0-key').click());
      await b.paste(cell('fields-0-key'), text);
      await page.getByTestId('paste-note-fields').getByText(`${rows} rows added from the paste.`).waitFor();
    },
    /** The webhook's expected parameters named by hand, each with an example. */
    async nameFields(fields) {
      for (const [i, f] of fields.entries()) {
        await b.act(() => page.getByRole('button', { name: /Add row/ }).click());
        await b.fill(cell(`fields-${i}-key`), f.key);
        await b.fill(cell(`fields-${i}-example`), f.example);
      }
    },
    /** The HTTP step node (clicked unless null: the selected one) posts the previous step's form to url. */
    async postPrevious(url, node = 'http1') {
      if (node) await b.act(() => page.getByTestId(`node-${node}`).click());
      await b.act(() => page.getByLabel('Method').selectOption('POST'));
      await b.fill(page.getByLabel(/^URL( \*)?$/), url);
      await b.act(() => page.getByRole('combobox', { name: /^Body/ }).selectOption('previous'));
    },
    /** Nothing typed was code, the count is recorded and within the budget, and the page had no error. */
    finish(figure, budget = 40) {
      for (const text of b.typed) assert.ok(!CODE.test(text), `typed by hand: ${text}`);
      recordFigure(figure, b.actions);
      assert.ok(b.actions <= budget, `built with ${b.actions} actions, want at most ${budget}`);
      assertNoPageErrors(page);
    },
  };
  return b;
}
