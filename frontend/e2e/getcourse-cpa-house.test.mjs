// A new user builds "GetCourse user created → CPA.House lead" by dragging nodes from the palette
// and filling the forms, tests it in the browser, starts it, and a webhook sent as GetCourse sends
// it reaches a stand-in CPA.House; the live log and the journal show the run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNoHorizontalOverflow,
  assertNoPageErrors,
  connectNodes,
  expectNodeStatus,
  dragKindToCanvas,
  newPage,
  recordFigure,
  runPreview,
  screenshot,
  startBrowser,
  startServer,
  startTarget,
} from './harness.mjs';

let server, browser, cpa;
before(async () => {
  server = await startServer();
  cpa = await startTarget(() => ({ status: 200, json: { status: 'success', id: '501' } }));
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
  await cpa?.stop();
  await server?.stop();
});

/** Fills row i of the key/value table `table` (the field's path, e.g. "fields"). */
async function fillRow(page, table, i, values) {
  for (const [col, v] of Object.entries(values)) {
    await page.locator(`[id="${table}-${i}-${col}"]`).fill(v);
  }
}

test('a user builds GetCourse → CPA.House by dragging nodes, tests it, starts it and sees the webhook delivered', async () => {
  const page = await newPage(browser);
  await page.goto(server.url + '/');
  await page.getByRole('button', { name: 'New flow' }).click();
  await page.getByTestId('palette').waitFor();
  await assertNoHorizontalOverflow(page);

  // Three nodes from the palette, connected by dragging their handles.
  await dragKindToCanvas(page, 'webhook', 160, 60);
  await dragKindToCanvas(page, 'form_encode', 160, 200);
  await dragKindToCanvas(page, 'http', 160, 340);
  for (const id of ['webhook1', 'form_encode1', 'http1']) await page.getByTestId(`node-${id}`).waitFor();
  await connectNodes(page, 'webhook1', 'form_encode1');
  await connectNodes(page, 'form_encode1', 'http1');
  await page.locator('.react-flow__edge').nth(1).waitFor({ state: 'attached' });
  assert.equal(await page.locator('.react-flow__edge').count(), 2, 'two edges drawn by dragging handles');

  // Auto-layout stacks the steps top to bottom without overlap.
  await page.getByTestId('auto-layout').click();
  await page.waitForTimeout(300); // the view animates to fit
  const box = async (id) => page.getByTestId(`node-${id}`).boundingBox();
  const [a, b, c] = [await box('webhook1'), await box('form_encode1'), await box('http1')];
  assert.ok(a.y + a.height <= b.y && b.y + b.height <= c.y, `stacked: ${JSON.stringify([a, b, c])}`);

  // The trigger: GetCourse's "user created" preset.
  await page.getByTestId('node-webhook1').click();
  await page.getByLabel('Source').selectOption('getcourse.user_created');

  // The lead fields, as CPA.House's API documents them.
  await page.getByTestId('node-form_encode1').click();
  const rows = [
    { key: 'api_key', value: 'key-123' },
    { key: 'id_webmaster', value: '77' },
    { key: 'name', value: '{{trigger.params.first_name}}' },
    { key: 'phone', value: '{{trigger.params.phone | digits}}' },
    { key: 'id_offer', value: '12' },
    { key: 'sub_id_4', value: '{{trigger.params.email}}' },
  ];
  for (let i = 0; i < rows.length; i++) {
    await page.getByRole('button', { name: /Add row/ }).click();
    await fillRow(page, 'fields', i, rows[i]);
  }

  // The request to CPA.House (here: the stand-in on this machine).
  await page.getByTestId('node-http1').click();
  await page.getByLabel('Method').selectOption('POST');
  await page.getByLabel(/^URL( \*)?$/).fill(cpa.url + '/method/send_order');
  await page.getByRole('combobox', { name: /^Body/ }).selectOption('previous');

  await page.getByLabel('Flow name').fill('GetCourse → CPA.House');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved', { exact: true }).waitFor();

  // Test in the browser with GetCourse's sample request: nothing is sent.
  const payload = JSON.stringify({
    method: 'GET',
    query: { email: 'anna@example.com', phone: '+7 (912) 345-67-89', first_name: 'Anna' },
  });
  await page.getByLabel('Sample request (JSON)').fill(payload);
  recordFigure('test_to_paint_ms.built_getcourse_cpa_house', await runPreview(page));
  await expectNodeStatus(page, ['webhook1', 'form_encode1', 'http1'], 'success');
  await page.getByTestId('node-form_encode1').click();
  const step = page.getByTestId('step');
  await step.getByText('79123456789').first().waitFor();
  await page.getByTestId('node-http1').click();
  await step.getByText('/method/send_order').first().waitFor();
  assert.equal(cpa.received.length, 0, 'the browser test sends nothing');
  await screenshot(page, 'editor-test-preview.png');

  // Start it from the flows list and send the webhook as GetCourse does (GET with a query).
  const flows = await (await fetch(server.url + '/api/flows')).json();
  const flow = flows.flows.find((f) => f.name === 'GetCourse → CPA.House');
  assert.ok(flow, 'the flow is saved');
  await page.getByRole('link', { name: /Back to flows/ }).click();
  const row = page.locator('[data-testid="flows"] tr', { hasText: 'GetCourse → CPA.House' });
  await row.getByRole('button', { name: 'Start' }).click();
  await row.getByText('active').waitFor();

  const q = new URLSearchParams({ email: 'ivan@example.com', phone: '8 912 000-11-22', first_name: 'Ivan' });
  const res = await fetch(`${flow.webhook_url}?${q}`);
  assert.equal(res.status, 200, 'the webhook is accepted');
  for (let i = 0; i < 100 && cpa.received.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(cpa.received.length, 1, 'CPA.House got the lead');
  const lead = new URLSearchParams(cpa.received[0].body);
  assert.equal(cpa.received[0].method, 'POST');
  assert.equal(cpa.received[0].url, '/method/send_order');
  assert.equal(lead.get('phone'), '89120001122');
  assert.equal(lead.get('name'), 'Ivan');
  assert.equal(lead.get('sub_id_4'), 'ivan@example.com');
  assertNoPageErrors(page);
});
