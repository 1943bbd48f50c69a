// The remaining seed integrations built by hand from an empty flow, as a marketer would: steps
// dropped on the canvas, sources and options chosen from menus, the service's field list pasted as
// a parameter string into a key/value table, values clicked in the step's input after a Test, the
// clean-up menu, and plain values typed (addresses, ids, names). Each test counts its actions
// (click, typed field, drag, select, paste = 1), checks the request the HTTP step built, and
// checks that nothing typed or pasted by hand is code ({{…}}, a pipe, JSON, JavaScript).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser;
h.withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const cell = (page, id) => page.locator(`[id="${id}"]`);

/** The output of a step in the last Test, as the step's output view shows it. */
async function stepOutput(page, node) {
  await page.getByTestId(`node-${node}`).click(); // to read the result; not part of the building
  return JSON.parse(await page.getByTestId('step-output').textContent());
}

test('Klientiks → CPA.House is built by hand: lead fields pasted, the client’s name, phone, id and email clicked in, phone cleaned to digits', async () => {
  const page = await h.signedInPage(browser, server);
  const b = h.builder(page);

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
  await b.preview(['webhook1', 'form_encode1', 'http1']);
  await b.act(() => page.getByTestId('node-form_encode1').click());
  assert.equal(await b.point('fields-2-value', 'Иванова Мария Петровна'), '{{trigger.params.client_name}}');
  assert.equal(await b.point('fields-3-value', '+79161234567'), '{{trigger.params.client_phone}}');
  await b.act(() => page.getByTestId('cleanup-fields-3-value').selectOption('digits'));
  assert.equal(await cell(page, 'fields-3-value').inputValue(), '{{trigger.params.client_phone | digits}}');
  assert.equal(await b.point('fields-10-value', '1834562'), '{{trigger.params.client_id}}');
  assert.equal(await b.point('fields-11-value', 'maria.ivanova@mail.ru'), '{{trigger.params.client_email}}');

  await b.preview(['webhook1', 'form_encode1', 'http1']);
  const req = await h.builtRequest(page, 'http1');
  assert.equal(req.method, 'POST');
  assert.equal(req.url, 'https://api.cpa.house/method/send_order');
  assert.deepEqual(req.form, {
    api_key: 'key-123', id_webmaster: '77', name: 'Иванова Мария Петровна', phone: '79161234567', id_offer: '12',
    id_source: '5', id_stream: '3', user_agent: 'Klientiks', ip_address: '0.0.0.0', county_code: 'RU',
    sub_id_1: '1834562', sub_id_2: 'maria.ivanova@mail.ru',
  }, req.body);
  await h.assertNoHorizontalOverflow(page);

  b.finish('actions.seed_klientiks_cpa_house');
});

test('SMS Deliverer → aray is built by hand: the sender’s phone and message named with examples, aray’s fields pasted, phone and message clicked in', async () => {
  const page = await h.signedInPage(browser, server);
  const b = h.builder(page);

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

  await b.preview(['webhook1', 'form_encode1', 'http1']);
  await b.act(() => page.getByTestId('node-form_encode1').click());
  assert.equal(await b.point('fields-2-value', '+79161234567'), '{{trigger.params.phone}}');
  await b.act(() => page.getByTestId('cleanup-fields-2-value').selectOption('digits'));
  assert.equal(await b.point('fields-9-value', 'Хочу заказать'), '{{trigger.params.message}}');

  await b.preview(['webhook1', 'form_encode1', 'http1']);
  const req = await h.builtRequest(page, 'http1');
  assert.equal(req.method, 'POST');
  assert.equal(req.url, 'https://api.aray.com/api/v2/order/create/');
  assert.deepEqual(req.form, {
    api_key: 'aray-key', name: 'SMS', phone: '79161234567', offer_id: '42', country_code: 'RU',
    base_url: 'https://shop.example.ru/', price: '1990', referrer: 'https://shop.example.ru/', ip: '0.0.0.0',
    subacc: 'Хочу заказать, перезвоните',
  }, req.body);
  await h.assertNoHorizontalOverflow(page);

  b.finish('actions.seed_sms_deliverer_aray');
});

test('any webhook → GetCourse user import is built by hand: the user’s groups as a comma-separated list, the whole params object clicked in and encoded as JSON in base64 from the clean-up menu', async () => {
  const page = await h.signedInPage(browser, server);
  const b = h.builder(page);

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
  await b.preview(['webhook1']);
  assert.equal(await b.point('fields-0-value', 'Anna@Example.ru'), '{{trigger.params.email}}');
  await b.act(() => page.getByTestId('cleanup-fields-0-value').selectOption('lower'));
  assert.equal(await b.point('fields-1-value', '+7 916 123-45-67'), '{{trigger.params.phone}}');
  assert.equal(await b.point('fields-2-value', 'Анна'), '{{trigger.params.name}}');

  // The import call: action and key pasted; "params" is the whole params object the step before
  // made, clicked by its name in the step's input, then "JSON in base64" from the clean-up menu.
  await b.drop([['form_encode', 160, 320]]);
  await b.act(() => page.getByTestId('node-form_encode1').click());
  await b.pasteRows('action=add&key=gc-secret&params=', 3);
  await b.act(() => cell(page, 'fields-2-value').click());
  const whole = page.getByTestId('step-input').locator('button.pick-key', { hasText: /^params$/ });
  assert.equal(await whole.getAttribute('title'), 'Insert the whole “params” into “params”');
  await b.act(() => whole.click());
  assert.equal(await cell(page, 'fields-2-value').inputValue(), '{{set1.params}}');
  await b.act(() => page.getByTestId('cleanup-fields-2-value').selectOption('base64json'));
  assert.equal(await cell(page, 'fields-2-value').inputValue(), '{{set1.params | json | base64}}');

  await b.drop([['http', 160, 460]]);
  assert.equal(await page.locator('.react-flow__edge').count(), 3);
  await b.postPrevious('https://school.getcourse.ru/pl/api/users');

  await b.preview(['webhook1', 'set1', 'form_encode1', 'http1']);
  const params = {
    user: { email: 'anna@example.ru', phone: '+7 916 123-45-67', first_name: 'Анна', group_name: ['Лиды', 'Клиенты'] },
    system: { refresh_if_exists: '1' },
  };
  assert.deepEqual(await stepOutput(page, 'set1'), { params });
  const req = await h.builtRequest(page, 'http1');
  assert.equal(req.method, 'POST');
  assert.equal(req.url, 'https://school.getcourse.ru/pl/api/users');
  // GetCourse reads the user only from params: JSON in base64, the groups a JSON list.
  assert.deepEqual(Object.keys(req.form), ['action', 'key', 'params'], req.body);
  assert.deepEqual([req.form.action, req.form.key], ['add', 'gc-secret']);
  assert.deepEqual(JSON.parse(Buffer.from(req.form.params, 'base64').toString('utf8')), params, req.form.params);
  await h.assertNoHorizontalOverflow(page);

  b.finish('actions.seed_webhook_getcourse_user');
});
