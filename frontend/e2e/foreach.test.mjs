// For each position of an order, in Russian and without code: a marketer builds webhook → «Для
// каждого» → HTTP → «Собрать» from the palette, tests it with an order of three positions and
// sees the items as rows in the preview; for real, the warehouse refuses one position, the other
// two are delivered, and the run page lists the items with the refused one's reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNoPageErrors,
  dragKindToCanvas,
  expectNodeStatus,
  newPage,
  runPreview,
  screenshot,
  signIn,
  startTarget,
  withServerAndBrowser,
} from './harness.mjs';

let server, browser, stock;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));
before(async () => {
  stock = await startTarget((req) =>
    req.url.includes('sku=B-2') ? { status: 400, json: { error: 'нет на складе' } } : { status: 200, json: { status: 'ok' } });
});
after(async () => {
  await stock?.stop();
});

async function until(what, cond, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const order = { id: 'Z-17', positions: [{ sku: 'A-1', qty: 1 }, { sku: 'B-2', qty: 2 }, { sku: 'C-3', qty: 1 }] };

test('each position of an order goes to the warehouse on its own, and the items are rows in the preview and on the run page', async () => {
  const page = await newPage(browser, { lang: 'ru' });
  await signIn(page, server);
  await page.getByRole('button', { name: 'Новый сценарий' }).click();
  await page.getByTestId('palette').waitFor();
  await page.locator('.palette-item[data-kind="foreach"]').getByText('Для каждого').waitFor();
  await page.locator('.palette-item[data-kind="collect"]').getByText('Собрать').waitFor();

  // Dropped in order, each step joins the one before.
  await dragKindToCanvas(page, 'webhook', 200, 30);
  await dragKindToCanvas(page, 'foreach', 200, 140);
  await page.getByTestId('node-foreach1').waitFor();
  await dragKindToCanvas(page, 'http', 200, 250);
  await page.getByTestId('node-http1').waitFor();
  await dragKindToCanvas(page, 'collect', 200, 360);
  await page.getByTestId('node-collect1').waitFor();
  await until('three lines', async () => (await page.locator('.react-flow__edge').count()) === 3);
  await page.getByTestId('node-title-foreach1').getByText('Для каждого элемента', { exact: true }).waitFor();

  // Where the list is: the order's positions, in plain words.
  await page.getByTestId('node-foreach1').click();
  await page.getByLabel('Где внутри него список').fill('positions');
  await page.getByTestId('node-summary-foreach1').getByText('списка positions').waitFor();

  // The warehouse: each position's sku in the address.
  await page.getByTestId('node-http1').click();
  await page.getByLabel('Метод').selectOption('POST');
  await page.getByLabel(/^Адрес \(URL\)( \*)?$/).fill(`${stock.url}/reserve?order={{trigger.json.id}}&sku={{item.sku}}`);
  await page.locator('[data-testid="problems-count"].problems-none').waitFor({ timeout: 10_000 });

  // Test with an order of three positions: three rows, nothing sent.
  await page.getByTestId('sample-raw-toggle').check();
  await page.getByLabel('Пример запроса (JSON)').fill(JSON.stringify({
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(order),
  }));
  await runPreview(page);
  await expectNodeStatus(page, ['webhook1', 'foreach1', 'http1', 'collect1'], 'success');
  await page.getByTestId('node-collect1').click();
  const rows = page.getByTestId('step').getByTestId('item-row');
  await until('three item rows', async () => (await rows.count()) === 3);
  assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.dataset.status)), ['success', 'success', 'success']);
  await rows.nth(0).getByText('Элемент 1').waitFor();
  await rows.nth(1).getByText('sku: B-2').waitFor();
  await page.getByTestId('step').getByText('Элементов: 3 · прошли: 3 · с ошибкой: 0').waitFor();
  // the repeated step shows the same rows, for itself
  await page.getByTestId('node-http1').click();
  await until('rows on the repeated step', async () => (await page.getByTestId('step').getByTestId('item-row').count()) === 3);
  assert.equal(stock.received.length, 0, 'the preview sends nothing');
  await page.getByTestId('step').getByTestId('item-rows').scrollIntoViewIfNeeded();
  await screenshot(page, 'foreach-preview.png');

  // For real: save and start, and one order arrives; the warehouse refuses B-2.
  await page.getByLabel('Название сценария').fill('Позиции заказа на склад');
  await page.getByTestId('save').click();
  await page.getByTestId('start-prompt-start').click();
  const flows = (await server.api('GET', '/api/flows')).body.flows;
  await until('the flow to start', async () => (await server.api('GET', `/api/flows/${flows[0].id}`)).body.active === true);
  const res = await fetch(flows[0].webhook_url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(order) });
  assert.equal(res.status, 200);
  await until('all three positions tried', () => stock.received.length >= 3);
  assert.deepEqual(stock.received.map((r) => new URL(r.url, 'http://x').searchParams.get('sku')).sort(), ['A-1', 'B-2', 'C-3']);

  // The run page: the items as rows, the refused one with the warehouse's reason.
  await page.getByTestId('editor-journal').click();
  const row = page.locator('[data-testid="journal-row"][data-status="failed"]');
  await until('the failed run in the journal', async () => (await row.count()) === 1);
  await row.first().locator('a').first().click();
  const each = page.getByTestId('run-step-foreach1');
  await each.waitFor();
  const items = each.getByTestId('item-row');
  assert.deepEqual(await items.evaluateAll((els) => els.map((e) => e.dataset.status)), ['success', 'failed', 'success']);
  await items.nth(1).locator('.item-error').getByText('нет на складе').waitFor();
  await page.getByTestId('run-error').getByText('не прошли элементы: 1 из 3').waitFor();
  await items.nth(1).locator('summary').click();
  await items.nth(1).getByTestId('run-step-http1').waitFor();
  await screenshot(page, 'foreach-run.png');
  assertNoPageErrors(page);
});
