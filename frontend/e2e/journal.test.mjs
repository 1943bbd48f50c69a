// Runs as a person thinks of them. A first visit finds templates and a three-step guide; a lead
// whose target is down twice and then takes it is one row in the journal — "успешно, 3 попытки" —
// counted in the runs-per-day charts of the journal and the flows list; its page draws the flow
// with each step painted by its result and lists the three attempts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser, target;
let calls = 0;
h.withServerAndBrowser((s, b, t) => ([server, browser, { target }] = [s, b, t]), {
  // Down for the first two attempts, then takes the lead.
  targets: { target: () => (++calls <= 2 ? { status: 503, json: { error: 'busy' } } : { status: 200, json: { status: 'success' } }) },
});

test('an empty Flows page offers the templates and the three steps, in Russian', async () => {
  const page = await h.signedInPage(browser, server, { lang: 'ru' });
  const guide = page.getByTestId('first-visit');
  await guide.waitFor();
  const steps = await page.getByTestId('first-steps').locator('li').allInnerTexts();
  assert.equal(steps.length, 3);
  assert.match(steps[0], /Выберите шаблон или начните с пустого/);
  assert.match(steps[1], /Вставьте адрес в ваш сервис/);
  assert.match(steps[2], /Смотрите, как приходят запросы/);
  const card = page.getByTestId('first-template-getcourse-cpa-house');
  await card.waitFor();
  assert.match(await card.innerText(), /GetCourse → CPA\.House/);
  await h.assertNoHorizontalOverflow(page);
  await h.screenshot(page, 'flows-first-visit.png');
  // One click: the template's form, open and in view (here the last card shown).
  const last = page.locator('.first-template').last();
  const lastId = (await last.getAttribute('data-testid')).replace('first-template-', '');
  await last.click();
  const form = page.getByTestId(`use-${lastId}`);
  await form.waitFor();
  await page.waitForFunction((id) => {
    const r = document.querySelector(`[data-testid="use-${id}"]`)?.getBoundingClientRect();
    return r && r.top >= 0 && r.top < window.innerHeight;
  }, lastId);
  h.assertNoPageErrors(page);
});

test('a lead that failed twice and then went through is one row: успешно, 3 попытки, with the day in the charts and the flow drawn on its page', async () => {
  const made = await server.api('POST', '/api/flows', {
    document: {
      schema: 1, name: 'Лиды в CPA.House',
      nodes: [
        { id: 'trigger', kind: 'webhook', name: 'Заявка с сайта' },
        { id: 'send', kind: 'http', name: 'Отправить лид', config: { method: 'GET', url: `${target.url}/lead?phone={{trigger.params.phone}}`, retries: 0 } },
      ],
      edges: [{ from: 'trigger', to: 'send' }],
    },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const flow = made.body;
  assert.equal((await server.api('POST', `/api/flows/${flow.id}/start`)).status, 200);

  const page = await h.signedInPage(browser, server, { lang: 'ru' });
  await page.goto(`${server.url}/#/flows/${flow.id}/runs`);
  await page.getByTestId('journal-chart').waitFor();
  await page.getByTestId('journal-empty').waitFor();

  // The editor's live log follows the same request, in Russian too, in a second tab.
  const editor = await h.openTab(page);
  await editor.goto(`${server.url}/#/flows/${flow.id}`);
  await editor.getByTestId('live-toggle').click();
  await editor.locator('[data-testid="live-state"]', { hasText: 'подключено' }).waitFor();

  const hook = await fetch(`${flow.webhook_url}?phone=79161234567`);
  assert.equal(hook.status, 200);

  // Between attempts the one row waits for a retry, in words.
  const row = page.getByTestId('journal-row');
  await page.locator('[data-testid="journal-row"][data-status="waiting"]').waitFor({ timeout: 20_000 });
  assert.match(await row.innerText(), /ждёт повтора/);
  // Then it is delivered: still one row, a success with its three attempts.
  await page.locator('[data-testid="journal-row"][data-status="success"]').waitFor({ timeout: 40_000 });
  assert.equal(await row.count(), 1, 'one webhook, one row');
  const text = await row.innerText();
  assert.match(text, /успешно/);
  assert.match(text, /3 попытки/);
  assert.equal(calls, 3, 'the target was called three times');

  const failedStep = editor.locator('[data-testid="live-row"][data-kind="step_finished"][data-node="send"][data-status="failed"]').first();
  await failedStep.waitFor();
  assert.match(await failedStep.innerText(), /HTTP-запрос «Отправить лид»: .* ответил HTTP-статусом 503/);
  assert.match(await editor.locator('[data-testid="live-row"][data-kind="run_finished"][data-status="waiting"]').first().innerText(), /ждёт повтора/);
  await editor.locator('[data-testid="live-row"][data-kind="run_finished"][data-status="success"]').waitFor();
  h.assertNoPageErrors(editor);

  // The chart counts the day, in the reader's time zone, as one delivered request.
  const today = await page.evaluate(() => new Date().toLocaleDateString('en-CA'));
  const bar = page.locator(`[data-testid="journal-chart"] g[data-day="${today}"]`);
  await page.waitForFunction((day) => document.querySelector(`[data-testid="journal-chart"] g[data-day="${day}"]`)?.getAttribute('data-total') === '1', today);
  assert.equal(await bar.locator('rect[data-kind="success"]').getAttribute('data-n'), '1');
  assert.equal(await page.locator('[data-testid="journal-chart"] g').count(), 14, 'fourteen days');
  assert.match(await page.getByTestId('journal-chart').innerText(), /1 запрос за 14 дн\./);
  await h.assertNoHorizontalOverflow(page);
  await h.screenshot(page, 'journal-attempts.png');

  // The run's page: the flow drawn with each step painted, and the attempts inside.
  await row.locator('a').first().click();
  await page.getByTestId('run-flow').waitFor();
  await page.locator('[data-testid="run-node-send"][data-status="success"]').waitFor();
  await page.locator('[data-testid="run-node-trigger"][data-status="success"]').waitFor();
  assert.match(await page.getByTestId('run-node-send').innerText(), /Отправить лид[\s\S]*успешно/);
  assert.equal(await page.getByTestId('run-attempt').count(), 3);
  const attempts = await page.getByTestId('run-attempt').allInnerTexts();
  assert.match(attempts[0], /Попытка 1[\s\S]*ошибка[\s\S]*503/);
  assert.doesNotMatch(attempts[0], /answered|status \d/i, 'the error is said in Russian');
  assert.match(attempts[2], /Попытка 3[\s\S]*успешно/);
  assert.match(await page.getByTestId('run-attempts').innerText(), /3 попытки/);
  await h.screenshot(page, 'run-flow.png');

  // The flows list: no failed request, the last one delivered, and the day in the row's chart.
  await page.goto(`${server.url}/#/flows`);
  const flowRow = page.locator(`[data-testid="flow-row"][data-flow="${flow.id}"]`);
  await flowRow.waitFor();
  await page.waitForFunction((id) => document.querySelector(`[data-flow="${id}"] [data-testid="flow-chart"]`)?.getAttribute('data-total') === '1', flow.id);
  const cells = await flowRow.locator('td').allInnerTexts();
  assert.match(cells[2], /успешно/);
  assert.equal(cells[3].trim(), '0', 'no failed requests');
  await h.assertNoHorizontalOverflow(page);
  await h.screenshot(page, 'flows-chart.png');
  h.assertNoPageErrors(page);
});
