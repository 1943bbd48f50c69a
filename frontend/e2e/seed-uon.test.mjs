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
import * as h from './harness.mjs';

let server, browser;
h.withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

test('U-ON → Offerrum is built by hand to a started flow: the parser rows and the order’s phone and name filled by clicking values in U-ON’s answer', async () => {
  const page = await h.signedInPage(browser, server);
  const b = h.builder(page);
  const { act, type } = b;
  const layout = { x: 160, y: 40, dy: 130 };

  await b.newFlow(['webhook', 'http'], layout);

  await act(() => page.getByTestId('node-webhook1').click());
  await act(() => page.getByLabel('Source').selectOption('uon.request'));

  // U-ON's address: the service's address typed, the request number clicked in after a Test.
  await act(() => page.getByTestId('node-http1').click());
  const url = page.getByLabel(/^URL( \*)?$/);
  await b.fill(url, 'https://api.u-on.ru/key123/request/');
  // A Test with U-ON's example request; the U-ON step continues with U-ON's example answer
  // (a preview sends nothing), so no answer is written by hand.
  await b.preview(['webhook1', 'http1']);
  await act(() => url.click());
  await act(() => url.press('End'));
  const rid = page.getByTestId('step-input').locator('button.pick-value', { hasText: '48213' }).first();
  await act(() => rid.click());
  await act(() => page.keyboard.type(type('.json')));
  assert.equal(await url.inputValue(), 'https://api.u-on.ru/key123/request/{{trigger.params.r_id}}.json');
  await b.preview(['webhook1', 'http1']);

  // The parser, dropped after the Test (it cannot run without fields): it shows what U-ON's step
  // gave in the last Test as what it will get.
  await b.drop([['json_parse', 160, 300]]);
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
      await h.screenshot(page, 'seed-uon-pointing.png');
    }
    await act(() => value.click());
    assert.equal(await cell.inputValue(), r.path);
    assert.equal(await page.locator(`[id="fields-${i}-key"]`).inputValue(), r.key, 'the row is named after the value');
  }
  // the answer's status is not inside the parsed JSON: not offered as a path
  assert.equal(await input.locator('button.pick-value').filter({ hasText: /^200$/ }).count(), 0);

  // Offerrum's order form: its fields pasted as a parameter string, the country typed in it.
  await b.drop([['form_encode', 160, 430]]);
  await b.pasteRows('default_country=RU&phone=&name=', 3);

  // The Offerrum order, joined to the form (the selected step): its address with the key, flow
  // and source as Offerrum's page gives it, the form as its body.
  await b.drop([['http', 160, 560]]);
  assert.equal(await page.locator('.react-flow__edge').count(), 4);
  await b.postPrevious('https://api.offerrum.com/webmaster/order/?key=off-key&flow=f-7&source=u-on', null);
  await b.preview(['webhook1', 'http1', 'json_parse1', 'form_encode1', 'http2']);

  // The client's phone and name clicked into the form from what the parser gave, the phone
  // cleaned to digits from the menu.
  await act(() => page.getByTestId('node-form_encode1').click());
  assert.equal(await b.point('fields-1-value', '+7 (916) 123-45-67'), '{{json_parse1.client_phone}}');
  await act(() => page.getByTestId('cleanup-fields-1-value').selectOption('digits'));
  assert.equal(await b.point('fields-2-value', 'Анна'), '{{json_parse1.client_name}}');
  await b.preview(['webhook1', 'http1', 'json_parse1', 'form_encode1', 'http2']);
  await page.getByTestId('node-json_parse1').click(); // to read the result; not part of the building
  const out = await page.getByTestId('step-output').textContent();
  assert.match(out, /"client_name":\s*"Анна"/, out);
  assert.match(out, /"client_phone":\s*"\+7 \(916\) 123-45-67"/, out);
  // The order Offerrum would get (a Test sends nothing).
  const req = await h.builtRequest(page, 'http2');
  assert.equal(req.method, 'POST');
  assert.equal(req.url, 'https://api.offerrum.com/webmaster/order/?key=off-key&flow=f-7&source=u-on');
  assert.deepEqual(req.form, { default_country: 'RU', phone: '79161234567', name: 'Анна' });
  await h.assertNoHorizontalOverflow(page);

  // Saved and started from the prompt Save offers.
  const listed = await h.saveAndStart(page, server, type('U-ON → Offerrum'), { act });
  assert.equal(listed?.active, true, 'the flow is saved and started');

  // five steps, the request number, two parser rows and the order's phone and name by pointing,
  // four Tests, saved and started: within the budget of the hand-built GetCourse → CPA.House
  b.finish('actions.seed_uon_offerrum_by_hand', 40);
  h.assertNoPageErrors(page);
});
