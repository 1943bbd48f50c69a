// The remaining seed integrations built by hand from an empty flow, as a marketer would: steps
// dropped on the canvas, sources and options chosen from menus, the service's field list pasted as
// a parameter string into a key/value table, values clicked in the step's input after a Test, the
// clean-up menu, and plain values typed (addresses, ids, names). Each test counts its actions
// (click, typed field, drag, select, paste = 1), checks the request the HTTP step built, and
// checks that nothing typed or pasted by hand is code ({{…}}, a pipe, JSON, JavaScript).
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
  signIn,
  withServerAndBrowser,
} from './harness.mjs';

let server, browser;
withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const CODE = /\{\{|\||\{"|=>|function|return/;

/** A counted, recorded way of building: every user action goes through act; typed text through type. */
function builder(page) {
  const b = {
    actions: 0,
    typed: [],
    act: async (fn) => {
      b.actions++;
      return fn();
    },
    type: (text) => (b.typed.push(text), text),
    /** Pastes text into a field as the browser does on Ctrl+V (counted as one action). */
    paste: (locator, text) =>
      b.act(() => pasteInto(locator, b.type(text))),
    /** Clicks a value cell, then the value shown in the step's input: the reference goes in. */
    point: async (cellId, shown) => {
      const cell = page.locator(`[id="${cellId}"]`);
      await b.act(() => cell.click());
      const value = page.getByTestId('step-input').locator('button.pick-value', { hasText: shown }).first();
      await value.scrollIntoViewIfNeeded();
      await b.act(() => value.click());
      return cell.inputValue();
    },
    /** Fills a field with a plain value typed by hand. */
    fill: (locator, text) => b.act(() => locator.fill(b.type(text))),
    /** A new flow with these kinds dropped one under the other (each joins the one before). */
    async newFlow(kinds) {
      await b.act(() => page.getByRole('button', { name: 'New flow' }).click());
      await page.getByTestId('palette').waitFor();
      for (const [i, kind] of kinds.entries()) await b.act(() => dragKindToCanvas(page, kind, 160, 40 + 140 * i));
      for (const kind of kinds) await page.getByTestId(`node-${kind}1`).waitFor();
    },
    /** The selected step's key/value table gets its rows from a pasted parameter string. */
    async pasteRows(text, rows) {
      await b.act(() => page.getByRole('button', { name: /Add row/ }).click());
      await b.act(() => cell(page, 'fields-0-key').click());
      await b.paste(cell(page, 'fields-0-key'), text);
      await page.getByTestId('paste-note-fields').getByText(`${rows} rows added from the paste.`).waitFor();
    },
    /** The webhook's expected parameters named by hand, each with an example. */
    async nameFields(fields) {
      for (const [i, f] of fields.entries()) {
        await b.act(() => page.getByRole('button', { name: /Add row/ }).click());
        await b.fill(cell(page, `fields-${i}-key`), f.key);
        await b.fill(cell(page, `fields-${i}-example`), f.example);
      }
    },
    /** The HTTP step posts the previous step's form to url. */
    async postPrevious(url) {
      await b.act(() => page.getByTestId('node-http1').click());
      await b.act(() => page.getByLabel('Method').selectOption('POST'));
      await b.fill(page.getByLabel(/^URL( \*)?$/), url);
      await b.act(() => page.getByRole('combobox', { name: /^Body/ }).selectOption('previous'));
    },
    /** Nothing typed was code, the count is recorded and within the budget, and the page had no error. */
    finish(figure) {
      for (const text of b.typed) assert.ok(!CODE.test(text), `typed by hand: ${text}`);
      recordFigure(figure, b.actions);
      assert.ok(b.actions <= 40, `built with ${b.actions} actions`);
      assertNoPageErrors(page);
    },
  };
  return b;
}

const cell = (page, id) => page.locator(`[id="${id}"]`);

/**
 * The request an HTTP step built in the last Test, read from its "HTTP request" view (a preview
 * sends nothing): method, address and the form fields of its body.
 */
async function builtRequest(page, node) {
  await page.getByTestId(`node-${node}`).click(); // to read the result; not part of the building
  const view = page.getByTestId('step').locator('details', { has: page.locator('summary', { hasText: /^HTTP request$/ }) });
  const summary = await view.locator('summary').textContent();
  const shown = JSON.parse((await view.textContent()).slice(summary.length));
  assert.equal(shown.sent, false, 'a Test sends nothing');
  const { method, url, headers, body } = shown.request;
  return { method, url, headers, body, form: Object.fromEntries(new URLSearchParams(body)) };
}

/** The output of a step in the last Test, as the step's output view shows it. */
async function stepOutput(page, node) {
  await page.getByTestId(`node-${node}`).click(); // to read the result; not part of the building
  return JSON.parse(await page.getByTestId('step-output').textContent());
}

test('Klientiks → CPA.House is built by hand: lead fields pasted, the client’s name, phone, id and email clicked in, phone cleaned to digits', async () => {
  const page = await newPage(browser);
  await signIn(page, server);
  const b = builder(page);

  await b.newFlow(['webhook', 'form_encode', 'http']);
  assert.equal(await page.locator('.react-flow__edge').count(), 2);

  await b.act(() => page.getByTestId('node-webhook1').click());
  await b.act(() => page.getByLabel('Source').selectOption('klientiks.client_added'));

  // CPA.House's fields from the seed page, plain values; the client's data is clicked in later.
  await b.act(() => page.getByTestId('node-form_encode1').click());
  await b.pasteRows(
    'api_key=key-123&id_webmaster=77&name=&phone=&id_offer=12&id_source=5&id_stream=3&user_agent=Klientiks' +
    '&ip_address=0.0.0.0&county_code=RU&sub_id_1=&sub_id_2=', 12);
  assert.equal(await cell(page, 'fields-11-key').inputValue(), 'sub_id_2');

  await b.postPrevious('https://api.cpa.house/method/send_order');

  // A Test with Klientiks' example client, then the client's data clicked into the lead.
  await b.act(() => runPreview(page));
  await expectNodeStatus(page, ['webhook1', 'form_encode1', 'http1'], 'success');
  await b.act(() => page.getByTestId('node-form_encode1').click());
  assert.equal(await b.point('fields-2-value', 'Иванова Мария Петровна'), '{{trigger.params.client_name}}');
  assert.equal(await b.point('fields-3-value', '+79161234567'), '{{trigger.params.client_phone}}');
  await b.act(() => page.getByTestId('cleanup-fields-3-value').selectOption('digits'));
  assert.equal(await cell(page, 'fields-3-value').inputValue(), '{{trigger.params.client_phone | digits}}');
  assert.equal(await b.point('fields-10-value', '1834562'), '{{trigger.params.client_id}}');
  assert.equal(await b.point('fields-11-value', 'maria.ivanova@mail.ru'), '{{trigger.params.client_email}}');

  await b.act(() => runPreview(page));
  await expectNodeStatus(page, ['webhook1', 'form_encode1', 'http1'], 'success');
  const req = await builtRequest(page, 'http1');
  assert.equal(req.method, 'POST');
  assert.equal(req.url, 'https://api.cpa.house/method/send_order');
  assert.deepEqual(req.form, {
    api_key: 'key-123', id_webmaster: '77', name: 'Иванова Мария Петровна', phone: '79161234567', id_offer: '12',
    id_source: '5', id_stream: '3', user_agent: 'Klientiks', ip_address: '0.0.0.0', county_code: 'RU',
    sub_id_1: '1834562', sub_id_2: 'maria.ivanova@mail.ru',
  }, req.body);
  await assertNoHorizontalOverflow(page);

  b.finish('actions.seed_klientiks_cpa_house');
});

test('SMS Deliverer → aray is built by hand: the sender’s phone and message named with examples, aray’s fields pasted, phone and message clicked in', async () => {
  const page = await newPage(browser);
  await signIn(page, server);
  const b = builder(page);

  await b.newFlow(['webhook', 'form_encode', 'http']);

  await b.act(() => page.getByTestId('node-webhook1').click());
  await b.act(() => page.getByLabel('Source').selectOption('sms_deliverer'));
  // SMS Deliverer does not document its fields: the two the order needs are named by hand, with
  // an example each (what its test request showed), which the Test's sample request takes.
  const expected = [
    { key: 'phone', example: '+79161234567' },
    { key: 'message', example: 'Хочу заказать, перезвоните' },
  ];
  await b.nameFields(expected);

  await b.act(() => page.getByTestId('node-form_encode1').click());
  await b.pasteRows(
    'api_key=aray-key&name=SMS&phone=&offer_id=42&country_code=RU&base_url=https://shop.example.ru/&price=1990' +
    '&referrer=https://shop.example.ru/&ip=0.0.0.0&subacc=', 10);

  await b.postPrevious('https://api.aray.com/api/v2/order/create/');

  await b.act(() => runPreview(page));
  await expectNodeStatus(page, ['webhook1', 'form_encode1', 'http1'], 'success');
  await b.act(() => page.getByTestId('node-form_encode1').click());
  assert.equal(await b.point('fields-2-value', '+79161234567'), '{{trigger.params.phone}}');
  await b.act(() => page.getByTestId('cleanup-fields-2-value').selectOption('digits'));
  assert.equal(await b.point('fields-9-value', 'Хочу заказать'), '{{trigger.params.message}}');

  await b.act(() => runPreview(page));
  await expectNodeStatus(page, ['webhook1', 'form_encode1', 'http1'], 'success');
  const req = await builtRequest(page, 'http1');
  assert.equal(req.method, 'POST');
  assert.equal(req.url, 'https://api.aray.com/api/v2/order/create/');
  assert.deepEqual(req.form, {
    api_key: 'aray-key', name: 'SMS', phone: '79161234567', offer_id: '42', country_code: 'RU',
    base_url: 'https://shop.example.ru/', price: '1990', referrer: 'https://shop.example.ru/', ip: '0.0.0.0',
    subacc: 'Хочу заказать, перезвоните',
  }, req.body);
  await assertNoHorizontalOverflow(page);

  b.finish('actions.seed_sms_deliverer_aray');
});

test('any webhook → GetCourse user import is built by hand: the user’s groups as a comma-separated list, the whole params object clicked in and encoded as JSON in base64 from the clean-up menu', async () => {
  const page = await newPage(browser);
  await signIn(page, server);
  const b = builder(page);

  await b.newFlow(['webhook', 'set']);

  // Any system: the contact's fields named by hand with an example each (the source stays "Any
  // system", the default).
  await b.act(() => page.getByTestId('node-webhook1').click());
  const expected = [
    { key: 'email', example: 'Anna@Example.ru' },
    { key: 'phone', example: '+7 916 123-45-67' },
    { key: 'name', example: 'Анна' },
  ];
  await b.nameFields(expected);

  // The import's params, named as GetCourse's API describes them (params.user.…, params.system.…),
  // the groups as plain words; values clicked in after a Test.
  await b.act(() => page.getByTestId('node-set1').click());
  await b.pasteRows(
    'params.user.email=&params.user.phone=&params.user.first_name=&params.user.group_name=Лиды, Клиенты' +
    '&params.system.refresh_if_exists=1', 5);
  // GetCourse wants the groups as a list: the type menu's "comma-separated list", not typed JSON
  await b.act(() => cell(page, 'fields-3-type').selectOption('list'));
  await b.act(() => runPreview(page));
  await expectNodeStatus(page, ['webhook1'], 'success');
  assert.equal(await b.point('fields-0-value', 'Anna@Example.ru'), '{{trigger.params.email}}');
  await b.act(() => page.getByTestId('cleanup-fields-0-value').selectOption('lower'));
  assert.equal(await b.point('fields-1-value', '+7 916 123-45-67'), '{{trigger.params.phone}}');
  assert.equal(await b.point('fields-2-value', 'Анна'), '{{trigger.params.name}}');

  // The import call: action and key pasted; "params" is the whole params object the step before
  // made, clicked by its name in the step's input, then "JSON in base64" from the clean-up menu.
  await b.act(() => dragKindToCanvas(page, 'form_encode', 160, 320));
  await page.getByTestId('node-form_encode1').waitFor();
  await b.act(() => page.getByTestId('node-form_encode1').click());
  await b.pasteRows('action=add&key=gc-secret&params=', 3);
  await b.act(() => cell(page, 'fields-2-value').click());
  const whole = page.getByTestId('step-input').locator('button.pick-key', { hasText: /^params$/ });
  assert.equal(await whole.getAttribute('title'), 'Insert the whole “params” into “params”');
  await b.act(() => whole.click());
  assert.equal(await cell(page, 'fields-2-value').inputValue(), '{{set1.params}}');
  await b.act(() => page.getByTestId('cleanup-fields-2-value').selectOption('base64json'));
  assert.equal(await cell(page, 'fields-2-value').inputValue(), '{{set1.params | json | base64}}');

  await b.act(() => dragKindToCanvas(page, 'http', 160, 460));
  await page.getByTestId('node-http1').waitFor();
  assert.equal(await page.locator('.react-flow__edge').count(), 3);
  await b.postPrevious('https://school.getcourse.ru/pl/api/users');

  await b.act(() => runPreview(page));
  await expectNodeStatus(page, ['webhook1', 'set1', 'form_encode1', 'http1'], 'success');
  const params = {
    user: { email: 'anna@example.ru', phone: '+7 916 123-45-67', first_name: 'Анна', group_name: ['Лиды', 'Клиенты'] },
    system: { refresh_if_exists: '1' },
  };
  assert.deepEqual(await stepOutput(page, 'set1'), { params });
  const req = await builtRequest(page, 'http1');
  assert.equal(req.method, 'POST');
  assert.equal(req.url, 'https://school.getcourse.ru/pl/api/users');
  // GetCourse reads the user only from params: JSON in base64, the groups a JSON list.
  assert.deepEqual(Object.keys(req.form), ['action', 'key', 'params'], req.body);
  assert.deepEqual([req.form.action, req.form.key], ['add', 'gc-secret']);
  assert.deepEqual(JSON.parse(Buffer.from(req.form.params, 'base64').toString('utf8')), params, req.form.params);
  await assertNoHorizontalOverflow(page);

  b.finish('actions.seed_webhook_getcourse_user');
});
