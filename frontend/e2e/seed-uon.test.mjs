// The U-ON → Offerrum seed built by hand: U-ON sends only the request number, an HTTP step fetches
// the request from U-ON, a JSON parser takes the client's name and phone out of the answer, a form
// lays out Offerrum's order and an HTTP step posts it; then the flow is saved and started. The
// request number goes into the U-ON address by clicking the value U-ON's example sent; the
// parser's paths and names are filled by clicking the client's name and phone in U-ON's answer,
// and the order's phone and name by clicking them in what the parser gave. Nobody types {{, a
// pipe, JSON or a path. Every action is counted (click, typed field, key press, drag, select,
// paste = 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNoHorizontalOverflow,
  assertNoPageErrors,
  dragKindToCanvas,
  expectNodeStatus,
  newPage,
  pasteInto,
  recordFigure,
  runPreview,
  screenshot,
  signIn,
  withServerAndBrowser,
} from './harness.mjs';

let server, browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

test('U-ON → Offerrum is built by hand to a started flow: the parser rows and the order’s phone and name filled by clicking values in U-ON’s answer', async () => {
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
  // The parser: a row per field (the dropped step is the selected one), its path cell focused,
  // then the value clicked in U-ON's answer.
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

  // Offerrum's order form: its fields pasted as a parameter string, the country typed in it.
  await act(() => dragKindToCanvas(page, 'form_encode', 160, 430));
  await page.getByTestId('node-form_encode1').waitFor();
  await act(() => page.getByRole('button', { name: /Add row/ }).click());
  const firstKey = page.locator('[id="fields-0-key"]');
  await act(() => firstKey.click());
  await act(() => pasteInto(firstKey, type('default_country=RU&phone=&name=')));
  await page.getByTestId('paste-note-fields').getByText('3 rows added from the paste.').waitFor();

  // The Offerrum order, joined to the form (the selected step): its address with the key, flow
  // and source as Offerrum's page gives it, the form as its body.
  await act(() => dragKindToCanvas(page, 'http', 160, 560));
  await page.getByTestId('node-http2').waitFor();
  assert.equal(await page.locator('.react-flow__edge').count(), 4);
  await act(() => page.getByLabel('Method').selectOption('POST'));
  await act(() => page.getByLabel(/^URL( \*)?$/).fill(type('https://api.offerrum.com/webmaster/order/?key=off-key&flow=f-7&source=u-on')));
  await act(() => page.getByRole('combobox', { name: /^Body/ }).selectOption('previous'));
  await act(() => runPreview(page));
  await expectNodeStatus(page, ['webhook1', 'http1', 'json_parse1', 'form_encode1', 'http2'], 'success');

  // The client's phone and name clicked into the form from what the parser gave, the phone
  // cleaned to digits from the menu.
  await act(() => page.getByTestId('node-form_encode1').click());
  const point = async (cellId, shown) => {
    const c = page.locator(`[id="${cellId}"]`);
    await act(() => c.click());
    const v = page.getByTestId('step-input').locator('button.pick-value', { hasText: shown }).first();
    await v.scrollIntoViewIfNeeded();
    await act(() => v.click());
    return c.inputValue();
  };
  assert.equal(await point('fields-1-value', '+7 (916) 123-45-67'), '{{json_parse1.client_phone}}');
  await act(() => page.getByTestId('cleanup-fields-1-value').selectOption('digits'));
  assert.equal(await point('fields-2-value', 'Анна'), '{{json_parse1.client_name}}');
  await act(() => runPreview(page));
  await expectNodeStatus(page, ['webhook1', 'http1', 'json_parse1', 'form_encode1', 'http2'], 'success');
  await page.getByTestId('node-json_parse1').click(); // to read the result; not part of the building
  const out = await page.getByTestId('step-output').textContent();
  assert.match(out, /"client_name":\s*"Анна"/, out);
  assert.match(out, /"client_phone":\s*"\+7 \(916\) 123-45-67"/, out);
  // The order Offerrum would get (a Test sends nothing).
  await page.getByTestId('node-http2').click(); // to read the result; not part of the building
  const view = page.getByTestId('step').locator('details', { has: page.locator('summary', { hasText: /^HTTP request$/ }) });
  const shown = JSON.parse((await view.textContent()).slice((await view.locator('summary').textContent()).length));
  assert.equal(shown.sent, false);
  assert.equal(shown.request.method, 'POST');
  assert.equal(shown.request.url, 'https://api.offerrum.com/webmaster/order/?key=off-key&flow=f-7&source=u-on');
  assert.deepEqual(Object.fromEntries(new URLSearchParams(shown.request.body)), { default_country: 'RU', phone: '79161234567', name: 'Анна' });
  await assertNoHorizontalOverflow(page);

  // Saved and started from the prompt Save offers.
  await act(() => page.getByLabel('Flow name').fill(type('U-ON → Offerrum')));
  await act(() => page.getByRole('button', { name: 'Save', exact: true }).click());
  await act(() => page.getByTestId('start-prompt-start').click());
  await page.getByTestId('flow-state').getByText('active').waitFor();
  const listed = (await server.api('GET', '/api/flows')).body.flows.find((f) => f.name === 'U-ON → Offerrum');
  assert.equal(listed?.active, true, 'the flow is saved and started');

  for (const text of typed) {
    assert.ok(!/\{\{|\||\{"|=>|function|\$\./.test(text), `typed by hand: ${text}`);
  }
  recordFigure('actions.seed_uon_offerrum_by_hand', actions);
  // five steps, the request number, two parser rows and the order's phone and name by pointing,
  // four Tests, saved and started: within the budget of the hand-built GetCourse → CPA.House
  assert.ok(actions <= 40, `built with ${actions} actions`);
  assertNoPageErrors(page);
});
