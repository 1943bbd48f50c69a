// For each position of an order, in Russian and without code: a marketer builds webhook → «Для
// каждого» → HTTP → «Собрать» from the palette, tests it with an order of three positions and
// sees the items as rows in the preview; for real, the warehouse refuses one position, the other
// two are delivered, and the run page lists the items with the refused one's reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser, stock;
h.withServerAndBrowser((s, b, t) => ([server, browser, { stock }] = [s, b, t]), {
  targets: { stock: (req) => req.url.includes('sku=B-2') ? { status: 400, json: { error: 'нет на складе' } } : { status: 200, json: { status: 'ok' } } },
});

const order = { id: 'Z-17', positions: [{ sku: 'A-1', qty: 1 }, { sku: 'B-2', qty: 2 }, { sku: 'C-3', qty: 1 }] };

test('each position of an order goes to the warehouse on its own, and the items are rows in the preview and on the run page', async () => {
  const page = await h.signedInPage(browser, server, { lang: 'ru' });
  await h.openNewFlow(page, { palette: { foreach: 'Для каждого', collect: 'Собрать' } });

  // Dropped in order, each step joins the one before.
  await h.dropSteps(page, ['webhook', 'foreach', 'http', 'collect'], { y: 30, dy: 110 });
  assert.equal(await page.locator('.react-flow__edge').count(), 3);
  await page.getByTestId('node-title-foreach1').getByText('Для каждого элемента', { exact: true }).waitFor();

  // Where the list is: the order's positions, in plain words.
  await page.getByTestId('node-foreach1').click();
  await page.getByLabel('Где внутри него список').fill('positions');
  await page.getByTestId('node-summary-foreach1').getByText('списка positions').waitFor();

  // The warehouse: each position's sku in the address.
  await page.getByTestId('node-http1').click();
  await page.getByLabel('Метод').selectOption('POST');
  await page.getByLabel(/^Адрес \(URL\)( \*)?$/).fill(`${stock.url}/reserve?order={{trigger.json.id}}&sku={{item.sku}}`);
  await h.noProblems(page);

  // Test with an order of three positions: three rows, nothing sent.
  await page.getByTestId('sample-raw-toggle').check();
  await page.getByLabel('Пример запроса (JSON)').fill(JSON.stringify({
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(order),
  }));
  await h.previewShows(page, ['webhook1', 'foreach1', 'http1', 'collect1']);
  await page.getByTestId('node-collect1').click();
  const rows = page.getByTestId('step').getByTestId('item-row');
  await rows.nth(2).waitFor();
  assert.equal(await rows.count(), 3);
  assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.dataset.status)), ['success', 'success', 'success']);
  await rows.nth(0).getByText('Элемент 1').waitFor();
  await rows.nth(1).getByText('sku: B-2').waitFor();
  await page.getByTestId('step').getByText('Элементов: 3 · прошли: 3 · с ошибкой: 0').waitFor();
  // the repeated step shows the same rows, for itself
  await page.getByTestId('node-http1').click();
  await page.getByTestId('step').getByTestId('item-row').nth(2).waitFor();
  assert.equal(await page.getByTestId('step').getByTestId('item-row').count(), 3, 'rows on the repeated step');
  assert.equal(stock.received.length, 0, 'the preview sends nothing');
  await page.getByTestId('step').getByTestId('item-rows').scrollIntoViewIfNeeded();
  await h.screenshot(page, 'foreach-preview.png');

  // For real: save and start, and one order arrives; the warehouse refuses B-2.
  const flow = await h.saveAndStart(page, server, 'Позиции заказа на склад');
  const res = await fetch(flow.webhook_url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(order) });
  assert.equal(res.status, 200);
  await h.until('all three positions tried', () => stock.received.length >= 3);
  assert.deepEqual(stock.received.map((r) => new URL(r.url, 'http://x').searchParams.get('sku')).sort(), ['A-1', 'B-2', 'C-3']);

  // The run page: the items as rows, the refused one with the warehouse's reason.
  await page.getByTestId('editor-journal').click();
  const row = page.locator('[data-testid="journal-row"][data-status="failed"]');
  await row.first().waitFor();
  assert.equal(await row.count(), 1, 'the failed run in the journal');
  await row.first().locator('a').first().click();
  const each = page.getByTestId('run-step-foreach1');
  await each.waitFor();
  const items = each.getByTestId('item-row');
  assert.deepEqual(await items.evaluateAll((els) => els.map((e) => e.dataset.status)), ['success', 'failed', 'success']);
  await items.nth(1).locator('.item-error').getByText('нет на складе').waitFor();
  await page.getByTestId('run-error').getByText('не прошли элементы: 1 из 3').waitFor();
  await items.nth(1).locator('summary').click();
  await items.nth(1).getByTestId('run-step-http1').waitFor();
  await h.screenshot(page, 'foreach-run.png');
  h.assertNoPageErrors(page);
});
