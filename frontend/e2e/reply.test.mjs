// The answer to the webhook as a step: in Russian, a marketer drops GetCourse's webhook and the
// «Ответ на вебхук» step from the palette, picks the status and the type from menus, writes the
// answer with the user's id GetCourse sends, sees in the Test what the source would be answered,
// then saves, starts, and a real webhook gets exactly that answer — in the sandbox of every
// answer from hookflow's address. The flow's settings no longer hold an answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser;
h.withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

test('webhook → Ответ на вебхук: chosen from menus, previewed, and answered for real', async () => {
  const page = await h.signedInPage(browser, server, { lang: 'ru' });
  await h.openNewFlow(page, { palette: { reply: 'Ответ на вебхук' } });
  await h.dropSteps(page, ['webhook', 'reply'], { dy: 160 });
  assert.equal(await page.locator('.react-flow__edge[data-id="webhook1->reply1"]').count(), 1, 'the line from the webhook');

  await page.getByTestId('node-webhook1').click();
  await page.locator('[id="f-preset"]').selectOption('getcourse.user_created');

  // The step's form: the status and the type from menus in the user's words, the answer's text.
  await page.getByTestId('node-reply1').click();
  const status = page.locator('[id="f-status"]');
  assert.ok((await status.locator('option').allTextContents()).includes('201 — создано'));
  await status.selectOption({ label: '201 — создано' });
  const types = await page.locator('[id="f-content_type"] option').allTextContents();
  assert.ok(!types.some((o) => /html|javascript|svg/i.test(o)), `no type a browser runs is offered: ${types}`);
  await page.locator('[id="f-content_type"]').selectOption({ label: 'JSON (application/json)' });
  await page.locator('[id="f-body"]').fill('{"ok":true,"id":"{{trigger.params.id}}"}');
  await page.getByTestId('node-summary-reply1').getByText('отвечает 201 · application/json').waitFor();

  // The Test answers with GetCourse's example user: what the source would read.
  await h.previewShows(page, ['webhook1', 'reply1']);
  await page.getByTestId('node-reply1').click();
  await page.getByTestId('reply-answer').getByText('Сервис получит ответ 201 · application/json; charset=utf-8:').waitFor();
  assert.equal(await page.getByTestId('reply-answer-body').textContent(), '{"ok":true,"id":"148203557"}');
  await h.noProblems(page);
  await page.getByTestId('reply-answer').scrollIntoViewIfNeeded();
  await h.screenshot(page, 'reply-step.png');

  // Saved and started, a real webhook is answered by the step.
  const flow = await h.saveAndStart(page, server, 'Ответ GetCourse');
  assert.equal((await server.api('GET', '/api/flows')).body.flows.length, 1);
  const res = await fetch(`${flow.webhook_url}?id=777&email=anna%40example.ru`);
  assert.equal(res.status, 201);
  assert.equal(await res.text(), '{"ok":true,"id":"777"}');
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.match(res.headers.get('content-security-policy'), /^sandbox; default-src 'none'/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');

  // The settings dialog has no answer fields any more, and says where the answer is set.
  await page.getByTestId('settings-open').click();
  await page.getByTestId('settings-reply-moved').getByText('Ответ на вебхук', { exact: false }).waitFor();
  assert.equal(await page.getByTestId('settings').locator('[id^="settings-reply"]').count(), 0);
  h.assertNoPageErrors(page);
});
