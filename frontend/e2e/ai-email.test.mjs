// The AI step in Russian: a marketer puts «ИИ: текст» after a Tilda form, asks for the answer as
// JSON fields (the editor asks for the word JSON in the instructions, as OpenAI does), types a
// sample answer, and the Test shows the request that would go to OpenAI — with the form's data in
// it and the key hidden — and continues with the sample answer. Nothing is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser;
h.withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

test('the AI step in Russian: built from the palette, checked as typed, tested with its sample answer', async () => {
  const page = await h.signedInPage(browser, server, { lang: 'ru' });
  await h.openNewFlow(page, { palette: { ai_text: 'ИИ: текст', email: 'Письмо' } });
  await h.dropSteps(page, ['webhook', 'ai_text'], { dy: 150 });
  await page.getByTestId('node-webhook1').click();
  await page.locator('[id="f-preset"]').selectOption('tilda.form');

  // The message from the form's fields; the answer as JSON fields.
  await page.getByTestId('node-ai_text1').click();
  await page.locator('[id="f-prompt"]').fill('Заявка: {{trigger.params.Name}}, телефон {{trigger.params.Phone}}');
  await page.locator('[id="f-answer"]').selectOption('json');
  // OpenAI refuses JSON answers unless a message says JSON: the editor says so before a Test.
  await page.getByText('должно быть слово JSON', { exact: false }).first().waitFor({ timeout: 10_000 });
  await page.locator('[id="f-system"]').fill('Оцени заявку. Ответь в JSON: {"class": "hot" или "cold"}');
  await page.locator('[id="f-api_key"]').fill('sk-e2e-secret-5521');
  await page.getByTestId('code-sample_answer').locator('.cm-content').click();
  await page.keyboard.type('{"class": "hot"}');
  await h.noProblems(page);
  await page.getByTestId('node-summary-ai_text1').getByText('ответ полями JSON', { exact: false }).waitFor();

  // Test with Tilda's example: the request is shown, not sent, and the sample answer goes on.
  await h.previewShows(page, ['webhook1', 'ai_text1']);
  await page.getByTestId('node-ai_text1').click();
  const step = page.getByTestId('step');
  await step.getByText('https://api.openai.com/v1/chat/completions', { exact: false }).first().waitFor();
  await step.getByText('Заявка: Анна Смирнова', { exact: false }).first().waitFor();
  await step.getByText('json_object', { exact: false }).first().waitFor();
  await step.getByText('не отправлено: это проверка', { exact: false }).first().waitFor();
  await page.getByTestId('step-output').getByText('hot', { exact: false }).first().waitFor();
  assert.ok(!(await step.innerText()).includes('sk-e2e-secret-5521'), 'the API key is hidden in the Test');

  await h.assertNoHorizontalOverflow(page);
  await h.screenshot(page, 'ai-step-preview.png');
  h.assertNoPageErrors(page);
});
