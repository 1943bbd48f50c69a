// Rules without code: a marketer builds an HTTP step's success rule "status равно success" by
// choosing from menus (the field from the sample answer, the check by its Russian name), tests it
// in the preview against the sample answer, turns it around to see a refusal quoted in words, and
// looks at the same rule as an expression.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser;
h.withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

test('a success rule built from menus passes on the sample answer, fails when turned around, and reads as an expression', async () => {
  const doc = {
    schema: 1,
    name: 'Лид в CPA.House',
    nodes: [
      { id: 'trigger', kind: 'webhook', position: { x: 0, y: 0 }, config: { preset: 'generic' } },
      {
        id: 'send', kind: 'http', position: { x: 0, y: 160 },
        config: {
          method: 'POST', url: 'https://api.cpa.house/method/send_order', body_type: 'text', body: 'name=Анна',
          sample_response: { status: 200, body: '{"status":"success","id":"1001"}' },
        },
      },
    ],
    edges: [{ from: 'trigger', to: 'send' }],
  };
  const flow = await h.createFlow(server, doc);

  const page = await h.signedInPage(browser, server, { lang: 'ru' });
  await page.goto(`${server.url}/#/flows/${flow.id}`);
  await page.getByTestId('node-send').click();

  const rules = page.getByTestId('rules-success.rules');
  await rules.getByRole('button', { name: '+ Добавить правило' }).click();
  // The field menu lists the sample answer's fields with their values, in the user's words.
  const field = rules.getByTestId('rules-success.rules-field-0');
  const options = await field.locator('option').allTextContents();
  assert.ok(options.includes('status — success'), `field menu: ${options.join(' | ')}`);
  assert.ok(options.includes('HTTP-статус ответа'), `field menu: ${options.join(' | ')}`);
  await field.selectOption({ label: 'status — success' });
  const op = rules.getByTestId('rules-success.rules-op-0');
  assert.deepEqual((await op.locator('option').allTextContents()).slice(0, 3), ['равно', 'не равно', 'содержит']);
  await op.selectOption({ label: 'равно' });
  // The sample answer is an example of success, so its value is the value to compare with.
  assert.equal(await rules.getByTestId('rules-success.rules-value-0').inputValue(), 'success');
  assert.equal(await rules.getByTestId('rules-success.rules-match').locator('option:checked').textContent(), 'выполняются все правила');
  await h.assertNoHorizontalOverflow(page);

  await h.previewShows(page, ['trigger', 'send']);
  await page.getByTestId('step').getByText("успех, правило 1: 'success' равно 'success' → да").waitFor();
  await rules.scrollIntoViewIfNeeded();
  await h.screenshot(page, 'rules-success.png');

  // Turned around, the same sample answer is a refusal, and the step says which rule failed.
  await op.selectOption({ label: 'не равно' });
  await h.previewShows(page, ['send'], 'failed');
  await page.getByTestId('step').getByText('поле ответа «status» равно «success» (в ответе «success»)', { exact: false }).first().waitFor();
  await page.getByTestId('step').locator('.error').scrollIntoViewIfNeeded();
  await h.screenshot(page, 'rules-refusal.png');

  // A check without a value hides the value.
  await op.selectOption({ label: 'не пусто' });
  assert.equal(await rules.getByTestId('rules-success.rules-value-0').count(), 0);
  await op.selectOption({ label: 'не равно' });
  await rules.getByTestId('rules-success.rules-value-0').fill('success');

  // Advanced: the same rule as a JavaScript expression, and back to the rows.
  await rules.getByTestId('rules-success.rules-advanced').click();
  await page.getByTestId('code-success.condition').getByText('status != "success"').waitFor();
  await h.previewShows(page, ['send'], 'failed');
  await rules.getByTestId('rules-success.rules-advanced').click();
  assert.equal(await rules.getByTestId('rules-success.rules-field-0').inputValue(), 'status');
  assert.equal(await rules.getByTestId('rules-success.rules-op-0').locator('option:checked').textContent(), 'не равно');
  assert.equal(await page.getByTestId('code-success.condition').count(), 0);
  h.assertNoPageErrors(page);
});

test("a filter's rules use the same rows: a field the source sends, chosen by its Russian label", async () => {
  const doc = {
    schema: 1,
    name: 'Только новые заказы',
    nodes: [
      { id: 'trigger', kind: 'webhook', position: { x: 0, y: 0 }, config: { preset: 'getcourse.order_created' } },
      { id: 'f', kind: 'filter', position: { x: 0, y: 160 }, config: { match: 'all', rules: [] } },
    ],
    edges: [{ from: 'trigger', to: 'f' }],
  };
  const flow = await h.createFlow(server, doc);

  const page = await h.signedInPage(browser, server, { lang: 'ru' });
  await page.goto(`${server.url}/#/flows/${flow.id}`);
  await page.getByTestId('node-f').click();
  const rules = page.getByTestId('rules-rules');
  await rules.getByRole('button', { name: '+ Добавить правило' }).click();
  const field = rules.getByTestId('rules-rules-field-0');
  await field.selectOption({ label: 'Статус заказа (trigger.params.status) — new' });
  assert.equal(await field.inputValue(), '{{trigger.params.status}}');
  await rules.getByTestId('rules-rules-op-0').selectOption({ label: 'равно' });
  // a filter's value is not guessed from an example: the user says what to let through
  assert.equal(await rules.getByTestId('rules-rules-value-0').inputValue(), '');
  await rules.getByTestId('rules-rules-value-0').fill('new');
  await rules.getByTestId('rules-rules-match').selectOption({ label: 'выполняется любое правило' });

  await h.runPreview(page);
  await page.getByTestId('node-f').click();
  // the preset's example order is new, so it passes; turned around, the run stops as filtered
  await page.getByTestId('step').getByText("правило 1: 'new' равно 'new' → да").waitFor();
  await h.expectNodeStatus(page, ['f'], 'success');
  await rules.scrollIntoViewIfNeeded();
  await h.screenshot(page, 'rules-filter.png');
  await rules.getByTestId('rules-rules-op-0').selectOption({ label: 'не равно' });
  await h.runPreview(page);
  await page.getByTestId('step').getByText("правило 1: 'new' не равно 'new' → нет").waitFor();
  assert.notEqual(await page.getByTestId('node-f').getAttribute('data-status'), 'success');

  // the advanced form says the same
  await rules.getByTestId('rules-rules-advanced').click();
  await page.getByTestId('code-expression').getByText('trigger.params.status != "new"').waitFor();
  h.assertNoPageErrors(page);
});
