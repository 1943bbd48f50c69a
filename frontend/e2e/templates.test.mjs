// The template gallery: a user instantiates the U-ON → Offerrum template, previews it in the
// browser with the U-ON answer sample, and reads the fields the JSON parser took out of it.
// Also: a JavaScript node that never ends is stopped in the preview and the page stays usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser;
h.withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

test('the U-ON → Offerrum template previews with the sample answer and shows the parsed fields', async () => {
  const page = await h.signedInPage(browser, server);
  const card = await h.templateCard(page, server, 'uon-offerrum');
  await h.assertNoHorizontalOverflow(page);
  await h.screenshot(page, 'templates.png');
  await card.getByRole('button', { name: 'Use this template' }).click();
  const form = page.getByTestId('use-uon-offerrum');
  await form.getByLabel(/U-ON API key/).fill('uon-secret-key');
  await form.getByLabel(/Offerrum API key/).fill('offerrum-key');
  await form.getByLabel(/^Offerrum flow code/).fill('3');
  await form.getByRole('button', { name: 'Create the flow' }).click();

  await page.getByTestId('node-parse').waitFor();
  // U-ON posts the request number as a form.
  await page.getByTestId('sample-raw-toggle').check(); // the sample is a form; its JSON is the advanced view
  await page.getByLabel('Sample request (JSON)').fill(JSON.stringify({
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'r_id=48213',
  }));
  for (const time of ['first', 'again']) {
    h.recordFigure(`test_to_paint_ms.uon_offerrum.${time}`, await h.runPreview(page));
    await h.expectNodeStatus(page, ['trigger', 'fetch', 'parse', 'form', 'send'], 'success');
  }
  await page.getByTestId('node-parse').click();
  const output = page.getByTestId('step').locator('details', { hasText: 'Output' });
  for (const text of ['"id": 48213', '"office_name": "Главный офис"', '"status": "Новое"']) {
    await output.getByText(text, { exact: false }).first().waitFor();
  }

  // A value typed for the test changes the request the preview shows; the secret stays masked.
  await page.getByTestId('test-values').getByLabel('Offerrum flow code').fill('7');
  await h.runPreview(page);
  await page.getByTestId('node-send').click();
  await page.getByTestId('step').getByText(/flow=7/).first().waitFor();
  await page.getByTestId('node-fetch').click();
  await page.getByTestId('step').getByText('/request/48213.json').first().waitFor();
  assert.equal(await page.getByTestId('step').getByText('uon-secret-key').count(), 0, 'the secret is not shown');
  h.assertNoPageErrors(page);
});

test('every seed template previews from its preset sample; time from Test to painted steps', async () => {
  const { templates } = (await server.api('GET', '/api/templates')).body;
  assert.equal(templates.length, 11);
  const page = await h.signedInPage(browser, server);
  for (const tpl of templates) {
    // A Bitrix24 portal is a host name, a Google table an address, an address setting (…_url) a
    // web address and an email one an email address; every other setting takes any text.
    const given = { bitrix_portal: 'school.bitrix24.ru', spreadsheet: 'https://docs.google.com/spreadsheets/d/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/edit' };
    const sample = (key) => given[key] ?? (key.endsWith('_url') ? `https://hooks.example.ru/${key}`
      : key.endsWith('_email') ? 'manager@example.ru' : '1');
    const inputs = Object.fromEntries((tpl.flow.inputs ?? []).map((i) => [i.key, given[i.key] || i.default || sample(i.key)]));
    const res = await server.api('POST', `/api/templates/${tpl.id}/instantiate`, { name: tpl.id, inputs });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const flow = res.body;
    await page.goto(`${server.url}/#/flows/${flow.id}`);
    await page.getByTestId('canvas').waitFor();
    await h.runPreview(page); // the first one also waits for the engine to load
    const ms = await h.runPreview(page);
    const status = await page.getByTestId('trace-status').textContent();
    assert.match(status, /success/, `${tpl.id}: ${status}`);
    h.recordFigure(`test_to_paint_ms.${tpl.id}`, ms);
  }
  h.assertNoPageErrors(page);
});

test('a JavaScript node that never ends is stopped in the preview and the page stays responsive', async () => {
  const doc = {
    schema: 1,
    name: 'Endless loop',
    nodes: [
      { id: 'trigger', kind: 'webhook', position: { x: 0, y: 0 }, config: { preset: 'generic' } },
      { id: 'loop', kind: 'js', position: { x: 0, y: 140 }, config: { code: 'while (true) {}' } },
    ],
    edges: [{ from: 'trigger', to: 'loop' }],
  };
  const flow = await h.createFlow(server, doc);

  const page = await h.signedInPage(browser, server);
  await h.openFlow(page, server, flow.id, 'loop');
  // Clicked before the browser's engine has loaded, the Test is the server's: its sandbox stops
  // the script at its time limit, and the step says so.
  await h.runPreview(page);
  await h.expectNodeStatus(page, ['loop'], 'failed');
  assert.equal(await page.evaluate(() => window.hookflowEngine.serverPreviews), 1);
  // In the browser's engine, once warm, a script cannot be interrupted: its worker is ended.
  await page.locator('[data-testid="sample-request"][data-engine="warm"]').waitFor({ timeout: 60_000 });
  await page.getByTestId('test').click();
  // While the worker spins, the page still answers: typing in the name field works at once.
  const name = page.getByLabel('Flow name');
  await name.fill('Still responsive');
  assert.equal(await name.inputValue(), 'Still responsive');
  await page.getByText(/took too long/).waitFor({ timeout: 20_000 });

  // A fresh worker runs the next preview.
  await page.getByTestId('node-loop').click();
  await page.getByLabel(/^Script|^Code|^JavaScript/).first().fill('return { ok: true };');
  await h.previewShows(page, ['trigger', 'loop']);
  h.assertNoPageErrors(page);
});
