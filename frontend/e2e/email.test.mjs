// The Email step in Russian, built by hand: a marketer drops a Tilda webhook and «Письмо» (it
// joins the webhook), types the manager's address and a subject, types the start of the letter,
// runs a first Test and clicks the client's name in the step's input into the letter. The Test
// shows the letter that would go out — to, subject, the text with the name — and that nothing
// was sent. The actions are counted (click, typed field, drag, select = 1) and nothing typed by
// hand is code ({{…}} or a pipe).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser;
h.withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const BUDGET = 15;

test('the Email step in Russian: address and subject typed, the client’s name clicked into the letter, the Test shows the letter unsent', async () => {
  const page = await h.signedInPage(browser, server, { lang: 'ru' });
  const b = h.builder(page);
  const { act, fill } = b;
  const field = (id) => page.locator(`[id="f-${id}"]`);

  await h.openNewFlow(page, { act, palette: { email: 'Письмо' } });
  await h.dropSteps(page, ['webhook', 'email'], { act, dy: 150 });
  assert.equal(await page.locator('.react-flow__edge[data-id^="webhook1->email1"]').count(), 1);
  assert.equal(await page.getByTestId('node-title-email1').textContent(), 'Письмо');

  // The source: a Tilda form, with its example lead for the Test.
  await act(() => page.getByTestId('node-webhook1').click());
  await act(() => field('preset').selectOption('tilda.form'));

  // The letter: a plain address and subject, and the start of the text, all typed.
  await act(() => page.getByTestId('node-email1').click());
  await page.getByText('Кому', { exact: false }).first().waitFor();
  await fill(field('to'), 'manager@school.ru');
  await fill(field('subject'), 'Новая заявка с сайта');
  await fill(field('text'), 'Заявка от ');
  await page.getByTestId('node-summary-email1').getByText('manager@school.ru', { exact: false }).waitFor();

  // A first Test: the step's input is Tilda's example; the client's name is clicked into the text.
  await b.preview(['webhook1', 'email1']);
  await act(() => field('text').click());
  const name = page.getByTestId('step-input').locator('button.pick-value', { hasText: 'Анна Смирнова' }).first();
  await name.scrollIntoViewIfNeeded();
  await act(() => name.click());
  assert.equal(await field('text').inputValue(), 'Заявка от {{trigger.params.Name}}');

  // The Test again: the letter it would send, with the name in it, and nothing sent.
  await b.preview(['webhook1', 'email1']);
  const letter = JSON.parse(await page.getByTestId('step-output').textContent());
  assert.deepEqual(letter, { sent: false, to: ['manager@school.ru'], subject: 'Новая заявка с сайта', text: 'Заявка от Анна Смирнова' });
  const step = page.getByTestId('step');
  await step.getByText('Заявка от Анна Смирнова', { exact: false }).first().waitFor();
  await step.getByText('не отправлено: это проверка', { exact: false }).first().waitFor();
  await h.noProblems(page);

  b.finish('actions.email_step_ru', BUDGET);
  await h.assertNoHorizontalOverflow(page);
  await page.getByTestId('step-output').scrollIntoViewIfNeeded();
  await h.screenshot(page, 'email-step.png');
  h.assertNoPageErrors(page);
});
