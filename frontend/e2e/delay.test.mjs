// "Remind two hours later" without code: in Russian, a marketer drops a webhook, a Pause and an
// HTTP request from the palette, sets the pause to 2 hours, and tests it: the preview does not
// wait and says until when a real run would. Started for real, a webhook waits, and the journal
// reads «ждёт до …» while the target has received nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser, crm;
h.withServerAndBrowser((s, b, t) => ([server, browser, { crm }] = [s, b, t]), { targets: { crm: null } });

test('a Pause of 2 hours between a webhook and a request: the Test says it would wait, a real run waits in the journal', async () => {
  const page = await h.signedInPage(browser, server, { lang: 'ru' });
  await h.openNewFlow(page, { palette: { delay: 'Пауза' } });

  // Dropped in order, each step joins the one before.
  await h.dropSteps(page, ['webhook', 'delay', 'http'], { dy: 130 });
  assert.equal(await page.locator('.react-flow__edge').count(), 2);
  assert.equal(await page.locator('.react-flow__edge[data-id^="webhook1->delay1"]').count(), 1);
  assert.equal(await page.locator('.react-flow__edge[data-id^="delay1->http1"]').count(), 1);

  // The pause: 2 hours, chosen in its form; the canvas says so.
  await page.getByTestId('node-delay1').click();
  await page.locator('[id="f-mode"]').selectOption({ label: 'заданное время' });
  await page.locator('[id="f-amount"]').fill('2');
  await page.locator('[id="f-unit"]').selectOption({ label: 'часы' });
  await page.getByTestId('node-summary-delay1').getByText('2 часа').waitFor();
  assert.equal(await page.getByTestId('node-title-delay1').textContent(), 'Пауза');

  // The reminder's target.
  await page.getByTestId('node-http1').click();
  await page.locator('[id="f-method"]').selectOption('GET');
  await page.locator('[id="f-url"]').fill(`${crm.url}/remind?email={{trigger.params.email}}`);

  // Test: nothing waits and nothing is sent; the pause says when a real run would go on.
  await h.previewShows(page, ['webhook1', 'delay1', 'http1']);
  await page.getByTestId('node-delay1').click();
  const note = page.getByTestId('step').getByTestId('delay-note');
  await note.getByText('В работе этот шаг ждёт до', { exact: false }).waitFor();
  const wouldWait = new Date(await note.getAttribute('data-until'));
  const hours = (wouldWait.getTime() - Date.now()) / 3_600_000;
  assert.ok(hours > 1.9 && hours <= 2, `the note's time is ${hours.toFixed(2)} hours away, want 2`);
  assert.equal(crm.received.length, 0, 'the preview sends nothing');
  await h.noProblems(page);
  await h.screenshot(page, 'delay-test.png');

  // Saved, started, and a real webhook: it waits; the journal says until when.
  const flow = await h.saveAndStart(page, server, 'Напоминание через 2 часа');
  assert.equal((await fetch(`${flow.webhook_url}?email=anna@example.ru`)).status, 200);
  await page.getByTestId('editor-journal').click();
  const row = page.locator('[data-testid="journal-row"][data-status="waiting"]');
  await row.waitFor();
  const status = (await row.locator('.status-waiting').textContent()) ?? '';
  assert.match(status, /^ждёт до \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/, `the journal reads "${status}"`);
  assert.equal(crm.received.length, 0, 'nothing is sent before the pause ends');
  await row.locator('a').first().click();
  await page.getByTestId('run-waits').getByText('Запрос ждёт на шаге «Пауза» и продолжится', { exact: false }).waitFor();
  await page.locator('[data-testid="run-step-delay1"][data-status="waiting"]').getByText(status).waitFor();
  await page.getByTestId('run-node-delay1').getByText(status).waitFor(); // the flow's picture says it too
  await page.locator('[data-testid="run-step-http1"][data-status="skipped"]').waitFor();
  await h.screenshot(page, 'delay-run-waiting.png');
  h.assertNoPageErrors(page);
});
