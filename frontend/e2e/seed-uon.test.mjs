// The U-ON → Offerrum seed built by hand: U-ON sends only the request number, an HTTP step fetches
// the request from U-ON, a JSON parser takes the client's name and phone out of the answer, and an
// HTTP step posts to Offerrum. The request number goes into the U-ON address by clicking the value
// U-ON's example sent; the parser's paths and names are filled by clicking the client's name and
// phone in U-ON's answer. Nobody types {{, a pipe, JSON or a path. Every action is counted
// (click, typed field, key press, drag, select = 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNoHorizontalOverflow,
  assertNoPageErrors,
  dragKindToCanvas,
  expectNodeStatus,
  newPage,
  recordFigure,
  runPreview,
  screenshot,
  signIn,
  withServerAndBrowser,
} from './harness.mjs';

let server, browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

test('a user fills the JSON parser rows of U-ON → Offerrum by clicking the client name and phone in U-ON’s answer', async () => {
  const page = await newPage(browser);
  await signIn(page, server);
  let actions = 0;
  const typed = [];
  const act = async (fn) => {
    actions++;
    return fn();
  };
  const type = (text) => (typed.push(text), text);

  await act(() => page.getByRole('button', { name: 'New flow' }).click());
  await page.getByTestId('palette').waitFor();
  await act(() => dragKindToCanvas(page, 'webhook', 160, 40));
  await act(() => dragKindToCanvas(page, 'http', 160, 170));
  for (const id of ['webhook1', 'http1']) await page.getByTestId(`node-${id}`).waitFor();

  await act(() => page.getByTestId('node-webhook1').click());
  await act(() => page.getByLabel('Source').selectOption('uon.request'));

  // U-ON's address: the service's address typed, the request number clicked in after a Test.
  await act(() => page.getByTestId('node-http1').click());
  const url = page.getByLabel(/^URL( \*)?$/);
  await act(() => url.fill(type('https://api.u-on.ru/key123/request/')));
  // A Test with U-ON's example request; the U-ON step continues with U-ON's example answer
  // (a preview sends nothing), so no answer is written by hand.
  await act(() => runPreview(page));
  await expectNodeStatus(page, ['webhook1', 'http1'], 'success');
  await act(() => url.click());
  await act(() => url.press('End'));
  const rid = page.getByTestId('step-input').locator('button.pick-value', { hasText: '48213' }).first();
  await act(() => rid.click());
  await act(() => page.keyboard.type(type('.json')));
  assert.equal(await url.inputValue(), 'https://api.u-on.ru/key123/request/{{trigger.params.r_id}}.json');
  await act(() => runPreview(page));
  await expectNodeStatus(page, ['webhook1', 'http1'], 'success');

  // The parser, dropped after the Test (it cannot run without fields): it shows what U-ON's step
  // gave in the last Test as what it will get.
  await act(() => dragKindToCanvas(page, 'json_parse', 160, 300));
  await page.getByTestId('node-json_parse1').waitFor();
  assert.equal(await page.locator('.react-flow__edge').count(), 2, 'the parser joined the U-ON step');
  await act(() => page.getByTestId('node-json_parse1').click());
  // The parser: a row per field, its path cell focused, then the value clicked in U-ON's answer.
  await act(() => page.getByTestId('node-json_parse1').click());
  const input = page.getByTestId('step-input');
  const rows = [
    { value: 'Анна', path: 'request[0].client_name', key: 'client_name' },
    { value: '+7 (916) 123-45-67', path: 'request[0].client_phone', key: 'client_phone' },
  ];
  for (const [i, r] of rows.entries()) {
    await act(() => page.getByRole('button', { name: /Add row/ }).click());
    const cell = page.locator(`[id="fields-${i}-path"]`);
    await act(() => cell.click());
    const value = input.locator('button.pick-value', { hasText: r.value }).first();
    await value.waitFor();
    assert.equal(await value.getAttribute('data-path'), r.path);
    if (i === 1) {
      await value.scrollIntoViewIfNeeded();
      await screenshot(page, 'seed-uon-pointing.png');
    }
    await act(() => value.click());
    assert.equal(await cell.inputValue(), r.path);
    assert.equal(await page.locator(`[id="fields-${i}-key"]`).inputValue(), r.key, 'the row is named after the value');
  }
  // the answer's status is not inside the parsed JSON: not offered as a path
  assert.equal(await input.locator('button.pick-value').filter({ hasText: /^200$/ }).count(), 0);

  // The Offerrum order, joined to the parser (the selected step).
  await act(() => dragKindToCanvas(page, 'http', 160, 430));
  await page.getByTestId('node-http2').waitFor();
  assert.equal(await page.locator('.react-flow__edge').count(), 3);
  await act(() => page.getByTestId('node-http2').click());
  await act(() => page.getByLabel('Method').selectOption('POST'));
  await act(() => page.getByLabel(/^URL( \*)?$/).fill(type('https://api.offerrum.com/webmaster/order/')));

  await act(() => runPreview(page));
  await expectNodeStatus(page, ['webhook1', 'http1', 'json_parse1'], 'success');
  await page.getByTestId('node-json_parse1').click(); // to read the result; not part of the building
  const out = await page.getByTestId('step-output').textContent();
  assert.match(out, /"client_name":\s*"Анна"/, out);
  assert.match(out, /"client_phone":\s*"\+7 \(916\) 123-45-67"/, out);
  await assertNoHorizontalOverflow(page);

  for (const text of typed) {
    assert.ok(!/\{\{|\||\{"|=>|function|\$\./.test(text), `typed by hand: ${text}`);
  }
  recordFigure('actions.seed_uon_offerrum_parser_by_pointing', actions);
  // four steps, the request number and two parser rows by pointing, three Tests
  assert.ok(actions <= 35, `built with ${actions} actions`);
  assertNoPageErrors(page);
});
