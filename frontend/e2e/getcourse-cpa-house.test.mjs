// A new user builds "GetCourse user created → CPA.House lead" by dragging nodes from the palette
// and filling the forms, tests it in the browser, starts it, and a webhook sent as GetCourse sends
// it reaches a stand-in CPA.House; the live log and the journal show the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser, cpa;
h.withServerAndBrowser((s, b, t) => ([server, browser, { cpa }] = [s, b, t]), {
  targets: { cpa: () => ({ status: 200, json: { status: 'success', id: '501' } }) },
});

/** Fills row i of the key/value table `table` (the field's path, e.g. "fields"). */
async function fillRow(page, table, i, values) {
  for (const [col, v] of Object.entries(values)) {
    await page.locator(`[id="${table}-${i}-${col}"]`).fill(v);
  }
}

test('a user builds GetCourse → CPA.House by dragging nodes, tests it, starts it and sees the webhook delivered', async () => {
  const page = await h.signedInPage(browser, server);
  await h.openNewFlow(page);
  await h.assertNoHorizontalOverflow(page);

  // Three nodes from the palette, connected by dragging their handles.
  for (const [kind, y] of [['webhook', 60], ['form_encode', 200], ['http', 340]]) await h.dragKindToCanvas(page, kind, 160, y);
  for (const id of ['webhook1', 'form_encode1', 'http1']) await page.getByTestId(`node-${id}`).waitFor();
  await h.connectNodes(page, 'webhook1', 'form_encode1');
  await h.connectNodes(page, 'form_encode1', 'http1');
  await page.locator('.react-flow__edge').nth(1).waitFor({ state: 'attached' });
  assert.equal(await page.locator('.react-flow__edge').count(), 2, 'two edges drawn by dragging handles');

  // Auto-layout stacks the steps top to bottom without overlap.
  await page.getByTestId('auto-layout').click();
  const box = async (id) => page.getByTestId(`node-${id}`).boundingBox();
  let boxes;
  // the view animates to fit: measured until the steps stand stacked
  await h.until('the steps stacked', async () => {
    const [a, b, c] = (boxes = [await box('webhook1'), await box('form_encode1'), await box('http1')]);
    return a.y + a.height <= b.y && b.y + b.height <= c.y;
  }).catch((err) => assert.fail(`${err.message}: ${JSON.stringify(boxes)}`));

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
  await page.getByTestId('sample-raw-toggle').check(); // the sample is a form; its JSON is the advanced view
  await page.getByLabel('Sample request (JSON)').fill(payload);
  h.recordFigure('test_to_paint_ms.built_getcourse_cpa_house', await h.runPreview(page));
  await h.expectNodeStatus(page, ['webhook1', 'form_encode1', 'http1'], 'success');
  await page.getByTestId('node-form_encode1').click();
  const step = page.getByTestId('step');
  await step.getByText('79123456789').first().waitFor();
  await page.getByTestId('node-http1').click();
  await step.getByText('/method/send_order').first().waitFor();
  assert.equal(cpa.received.length, 0, 'the browser test sends nothing');
  await h.screenshot(page, 'editor-test-preview.png');

  // The webhook panel: the address to paste into GetCourse, with the preset's parameters.
  await page.getByTestId('node-webhook1').click();
  const ready = await page.getByTestId('webhook-ready-url').inputValue();
  assert.match(ready, new RegExp(`^${server.url}/hook/[^?]+\\?.*email=\\{object\\.email\\}`), ready);
  await page.getByTestId('webhook-guide').waitFor();
  const hookUrl = ready.split('?')[0];

  // Wait for a test request: GetCourse's first real call arrives while the flow is stopped.
  await h.waitForTestRequest(page);
  const first = new URLSearchParams({ email: 'olga@example.com', phone: '+7 912 555-44-33', first_name: 'Olga', city: 'Kazan' });
  assert.equal((await fetch(`${hookUrl}?${first}`)).status, 202, 'a stopped flow keeps the request as a sample');
  await page.getByTestId('arrived-request').getByText('Kazan').first().waitFor();
  assert.match(await page.getByLabel('Sample request (JSON)').inputValue(), /Kazan/, 'the arrived request is the Test sample');

  // The variable picker offers the field the request carried; inserting it writes the reference.
  await page.getByTestId('node-form_encode1').click();
  await page.getByRole('button', { name: /Add row/ }).click();
  await page.locator(`[id="fields-${rows.length}-key"]`).fill('sub_id_1');
  await page.getByTestId(`picker-fields-${rows.length}-value`).click();
  await page.getByTestId('picker').getByText('trigger.params.city').first().click();
  assert.equal(await page.locator(`[id="fields-${rows.length}-value"]`).inputValue(), '{{trigger.params.city}}');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved', { exact: true }).waitFor();
  await h.previewShows(page, ['webhook1', 'form_encode1', 'http1']);
  await page.getByTestId('step').getByText('Kazan').first().waitFor();

  // Settings: failure emails (a typo is named), the webhook's rate limit.
  await page.getByTestId('settings-open').click();
  const settings = page.getByTestId('settings');
  await settings.getByLabel('Send to').fill('owner@example.com, owner-at-example.com');
  await settings.getByLabel('Requests per second').fill('50');
  await page.getByTestId('settings-save').click();
  await settings.getByText('“owner-at-example.com” is not an email address.').waitFor();
  await settings.getByLabel('Send to').fill('owner@example.com');
  await page.getByTestId('settings-save').click();
  await settings.waitFor({ state: 'detached' });

  // Start it from the flows list, come back, and watch the live log while GetCourse calls.
  const flows = (await server.api('GET', '/api/flows')).body;
  const flow = flows.flows.find((f) => f.name === 'GetCourse → CPA.House');
  assert.ok(flow, 'the flow is saved');
  assert.deepEqual(flow.settings.recipients, ['owner@example.com']);
  assert.equal(flow.settings.rate_limit.per_second, 50);
  await page.getByRole('link', { name: /Back to flows/ }).click();
  const row = page.locator(`[data-testid="flow-row"][data-flow="${flow.id}"]`);
  await row.getByTestId('flow-toggle').click();
  await row.getByText('active').waitFor();
  await row.getByRole('link', { name: 'GetCourse → CPA.House' }).click();
  await page.getByTestId('live-toggle').click();
  await page.locator('[data-testid="live-state"]', { hasText: /connected/i }).waitFor();

  const q = new URLSearchParams({ email: 'ivan@example.com', phone: '8 912 000-11-22', first_name: 'Ivan', city: 'Omsk' });
  const res = await fetch(`${hookUrl}?${q}`);
  assert.equal(res.status, 200, 'the webhook is accepted');
  await page.locator('[data-testid="live-row"][data-kind="run_finished"][data-status="success"]').waitFor();
  assert.equal(cpa.received.length, 1, 'CPA.House got the lead');
  h.assertPostedForm(cpa, 0, '/method/send_order', { phone: '89120001122', name: 'Ivan', sub_id_4: 'ivan@example.com', sub_id_1: 'Omsk' });

  // The journal lists the run; its detail shows what CPA.House received and answered.
  await page.getByTestId('editor-journal').click();
  const journalRow = page.locator('[data-testid="journal-row"][data-status="success"]');
  await journalRow.first().waitFor();
  await h.assertNoHorizontalOverflow(page);
  await h.screenshot(page, 'journal.png');
  await journalRow.first().getByRole('link').click();
  const sent = page.getByTestId('run-step-http1');
  await sent.getByText(/phone=89120001122/).first().waitFor();
  await sent.getByText(/"id":\s*"501"/).first().waitFor();
  await h.screenshot(page, 'run-detail.png');
  h.assertNoPageErrors(page);
});
