// What a first visit costs: bytes over the wire (as compressed on the wire) for the flows list,
// and for opening the editor, which also loads the browser engine once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser;
h.withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

/** Sums the encoded body sizes of every response the context saw while fn ran. */
async function transferred(context, fn) {
  const pending = [];
  const onFinished = (req) => pending.push(req.sizes().then((s) => ({ url: req.url(), bytes: s.responseBodySize })));
  context.on('requestfinished', onFinished);
  await fn();
  context.off('requestfinished', onFinished);
  const all = await Promise.all(pending);
  return { bytes: all.reduce((n, r) => n + r.bytes, 0), requests: all };
}

test('a first visit is small, and the engine arrives compressed when the editor opens', async () => {
  const page = await h.newPage(browser);
  const context = page.context();
  // The sign-in page, then the flows list it leads to: a first visit's whole cost.
  const list = await transferred(context, async () => {
    await h.signIn(page, server);
    await page.getByRole('button', { name: 'New flow' }).waitFor();
    await page.waitForLoadState('networkidle');
  });
  h.recordFigure('first_page_load_bytes.flows_list', list.bytes);
  assert.ok(list.bytes < 250 * 1024, `the flows list page weighs ${list.bytes} bytes, over the 250 KB budget`);

  const manifest = await (await fetch(server.url + '/engine/manifest.json')).json();
  const editor = await transferred(context, async () => {
    await page.getByRole('button', { name: 'New flow' }).click();
    await page.getByTestId('palette').waitFor();
    // The engine loads in its worker as the editor opens; wait until the module has arrived.
    await page.waitForEvent('requestfinished', { predicate: (r) => r.url().endsWith(manifest.wasm), timeout: 60_000 });
  });
  const wasm = editor.requests.find((r) => r.url.endsWith(manifest.wasm));
  assert.ok(wasm, 'the engine module was fetched');
  assert.ok(wasm.bytes < manifest.size / 3, `engine sent compressed: ${wasm.bytes} of ${manifest.size} bytes`);
  h.recordFigure('engine_bytes', { raw: manifest.size, gzip: manifest.gzip_size, brotli: manifest.br_size, on_the_wire: wasm.bytes });
  h.recordFigure('first_page_load_bytes.editor_with_engine', list.bytes + editor.bytes);
  h.assertNoPageErrors(page);
});

test('the language switch turns the interface Russian and is remembered after a reload', async () => {
  const page = await h.signedInPage(browser, server, { forceLang: false });
  await page.getByLabel('Language').selectOption('ru');
  await page.getByRole('button', { name: 'Новый сценарий' }).waitFor();
  await page.reload();
  await page.getByRole('button', { name: 'Новый сценарий' }).click();
  await page.getByTestId('palette').getByText('Запрос к сервису').waitFor();
  h.assertNoPageErrors(page);
});
