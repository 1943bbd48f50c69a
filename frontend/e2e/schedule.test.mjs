// A flow started by the clock, built in Russian from menus alone: a schedule step ("every Monday
// at 10:00", then "every day at 09:00", then every minute), whose title on the canvas says when it
// runs, followed by an HTTP request. The Test uses the next scheduled time as its data; the flow
// has no webhook address anywhere; started, it runs at the next minute by itself, and the journal
// shows the run as "по расписанию".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser, target;
h.withServerAndBrowser((s, b, t) => ([server, browser, { target }] = [s, b, t]), { targets: { target: null } });

test('a schedule → HTTP flow is built from menus in Russian, tested with the next time, and runs by itself', async () => {
  const page = await h.signedInPage(browser, server, { lang: 'ru' });
  await h.openNewFlow(page, { palette: { schedule: 'Расписание' } });
  await h.dropSteps(page, ['schedule', 'http']);
  assert.equal(await page.locator('.react-flow__edge[data-id^="schedule1->http1"]').count(), 1, 'the steps joined');

  // A new schedule runs every day at 09:00 Moscow time; the form shows only what the choice uses.
  const title = page.getByTestId('node-title-schedule1');
  assert.equal(await title.textContent(), 'Каждый день в 09:00');
  await page.getByTestId('node-summary-schedule1').getByText('Москва (МСК)').waitFor();
  await page.getByTestId('node-schedule1').click();
  const every = page.locator('[id="f-every"]');
  assert.equal(await page.locator('[id="f-weekday"]').count(), 0, 'no day of the week for every day');
  assert.equal(await page.locator('[id="f-cron"]').count(), 0, 'no cron expression unless asked for');
  assert.equal(await page.getByText('Адрес вебхука').count(), 0, 'a schedule has no webhook address');

  await every.selectOption({ label: 'Каждую неделю' });
  await page.locator('[id="f-weekday"]').selectOption({ label: 'Понедельник' });
  await page.locator('[id="f-time"]').selectOption('10:00');
  await h.until('the weekly title', async () => (await title.textContent()) === 'Каждый понедельник в 10:00');
  await every.selectOption({ label: 'Каждый день' });
  await page.locator('[id="f-time"]').selectOption('09:00');
  await h.until('the daily title', async () => (await title.textContent()) === 'Каждый день в 09:00');
  await page.locator('[id="f-timezone"]').selectOption({ label: 'Москва (МСК)' });

  // The request: a POST of what the schedule step gives (its time) to the target.
  await page.getByTestId('node-http1').click();
  await page.locator('[id="f-method"]').selectOption('POST');
  await page.locator('[id="f-url"]').fill(`${target.url}/report`);
  await page.getByRole('combobox', { name: /^Тело/ }).selectOption('previous');

  // Test: no sample request to fill in; the schedule step gives the next 09:00 in Moscow.
  await page.getByTestId('schedule-test-help').waitFor();
  await h.previewShows(page, ['schedule1', 'http1']);
  await page.getByTestId('node-schedule1').click();
  const out = JSON.parse(await page.getByTestId('step-output').textContent());
  assert.equal(out.time, '09:00');
  assert.match(out.scheduled_at, /^\d{4}-\d\d-\d\dT09:00:00\+03:00$/);
  const next = new Date(out.scheduled_at).getTime();
  assert.ok(next > Date.now() && next <= Date.now() + 24 * 3600_000, `the next 09:00 is within a day: ${out.scheduled_at}`);
  assert.equal(target.received.length, 0, 'the preview sends nothing');
  await h.noProblems(page);
  await h.assertNoHorizontalOverflow(page);
  await h.screenshot(page, 'schedule.png');

  // Every minute, saved and started: the offer to start has no address to paste.
  await every.selectOption({ label: 'Каждую минуту' });
  await h.until('the minute title', async () => (await title.textContent()) === 'Каждую минуту');
  await page.getByLabel('Название сценария').fill('Отчёт по расписанию');
  await page.getByTestId('save').click();
  await page.getByTestId('start-prompt').getByText('Запустить по расписанию?').waitFor();
  assert.equal(await page.getByTestId('start-prompt-url').count(), 0, 'no webhook address to paste');
  await page.getByTestId('start-prompt-start').click();
  const flows = (await server.api('GET', '/api/flows')).body.flows;
  assert.equal(flows.length, 1);
  assert.equal(flows[0].webhook_url, '', 'the API gives no webhook address for a schedule flow');

  // The next minute comes: the flow runs by itself, once, with that minute's time.
  await h.until('the scheduled run', () => target.received.length >= 1, 75_000);
  const sent = new URLSearchParams(target.received[0].body);
  assert.match(sent.get('scheduled_at') ?? target.received[0].body, /T\d\d:\d\d:00\+03:00/);
  await page.getByTestId('editor-journal').click();
  const row = page.locator('[data-testid="journal-row"][data-status="success"]').first();
  await row.waitFor({ timeout: 15_000 });
  await row.getByTestId('run-scheduled').getByText('по расписанию').waitFor();
  h.assertNoPageErrors(page);
});
