// Mapping by pointing: a user builds GetCourse → CPA.House's lead fields by pasting the parameter
// string of the seed page into the form fields table, tests the flow, fills the phone by clicking
// the phone GetCourse sent in the step's input, and cleans it to digits from the menu. Nobody types
// {{, a pipe name or |. Every action is counted (click, typed field, drag, select, paste = 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser;
h.withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

// The seed page's 14 CPA.House fields as one parameter string, with GetCourse's variables where
// the lead takes the user's data (the trigger's preset lists them); the phone is left empty to be
// filled by pointing, the visitor's IP and browser are not sent by GetCourse's preset.
const PARAMS = [
  'api_key=key-123', 'id_webmaster=77', 'name={object.first_name}', 'phone=', 'id_offer=12', 'id_source=5',
  'id_stream=3', 'user_agent=Mozilla%2F5.0', 'ip_address={object.ip}', 'county_code=RU',
  'sub_id_1={object.create_session.utm_source}', 'sub_id_2={object.create_session.utm_medium}',
  'sub_id_3={object.create_session.utm_campaign}', 'sub_id_4={object.email}',
].join('&');

test('a user pastes the lead fields, fills the phone by clicking the value GetCourse sent and cleans it to digits from the menu', async () => {
  const page = await h.signedInPage(browser, server);
  const b = h.builder(page);
  const { act } = b;

  await b.newFlow(['webhook', 'form_encode', 'http'], { x: 160, y: 60, dy: 140 });
  // each dropped step joined the one before: no line is drawn by hand
  assert.equal(await page.locator('.react-flow__edge').count(), 2);

  await act(() => page.getByTestId('node-webhook1').click());
  await act(() => page.getByLabel('Source').selectOption('getcourse.user_created'));

  // The 14 fields at once: a row, then the parameter string pasted into its key cell.
  await act(() => page.getByTestId('node-form_encode1').click());
  await act(() => page.getByRole('button', { name: /Add row/ }).click());
  const key0 = page.locator('[id="fields-0-key"]');
  await act(() => key0.click());
  await act(() => h.pasteInto(key0, PARAMS));
  await page.getByTestId('paste-note-fields').getByText('14 rows added from the paste.').waitFor();
  const value = (i) => page.locator(`[id="fields-${i}-value"]`).inputValue();
  const key = (i) => page.locator(`[id="fields-${i}-key"]`).inputValue();
  assert.equal(await key(13), 'sub_id_4');
  assert.equal(await value(2), '{{trigger.params.first_name}}', 'GetCourse variable mapped to the trigger parameter');
  assert.equal(await value(7), 'Mozilla/5.0', 'an encoded value decoded');
  assert.equal(await value(8), '{object.ip}', 'a variable the preset does not list is kept as text');
  assert.equal(await value(10), '{{trigger.params.utm_source}}');
  assert.equal(await value(13), '{{trigger.params.email}}');
  // live validation catches up with the new rows before the picture is taken
  await page.getByTestId('node-form_encode1').getByText('Fields is empty').waitFor({ state: 'detached' });
  await h.screenshot(page, 'mapping-paste-rows.png');

  // The request to CPA.House.
  await b.postPrevious('https://api.cpa.house/method/send_order');

  // Test with GetCourse's example request, which choosing the source filled in.
  await b.preview(['webhook1', 'form_encode1', 'http1']);
  // the first check of the flow waits for the engine's first load; the picture shows it done
  await page.getByTestId('node-http1').getByText('URL is empty').waitFor({ state: 'detached' });

  // Pointing: the phone field, then the phone GetCourse sent, shown in the step's input.
  await act(() => page.getByTestId('node-form_encode1').click());
  const phone = page.locator('[id="fields-3-value"]');
  await act(() => phone.click());
  const input = page.getByTestId('step-input');
  await page.getByTestId('pointing-hint').getByText('Click a value to insert it into “phone”.').waitFor();
  const sent = input.locator('button.pick-value', { hasText: '+79161234567' }).first();
  await sent.scrollIntoViewIfNeeded();
  await h.screenshot(page, 'mapping-click-value.png');
  await act(() => sent.click());
  assert.equal(await phone.inputValue(), '{{trigger.params.phone}}');

  // The clean-up menu writes the pipe.
  await act(() => page.getByTestId('cleanup-fields-3-value').selectOption('digits'));
  assert.equal(await phone.inputValue(), '{{trigger.params.phone | digits}}');

  await b.preview(['webhook1', 'form_encode1', 'http1']);
  await page.getByTestId('node-form_encode1').click(); // to read the result; not part of the building
  const body = await page.getByTestId('step-output').textContent();
  assert.match(body, /phone=79161234567/, body);
  assert.match(body, /name=%D0%90%D0%BD%D0%BD%D0%B0/, body);
  assert.match(body, /sub_id_1=yandex/, body);
  await h.assertNoHorizontalOverflow(page);

  // Save offers to start the flow that never ran.
  const flow = await h.saveAndStart(page, server, 'GetCourse → CPA.House', { act });
  const saved = (await server.api('GET', `/api/flows/${flow.id}`)).body;
  const fields = (saved.document ?? saved).nodes.find((n) => n.id === 'form_encode1').config.fields;
  assert.equal(fields.length, 14);
  assert.deepEqual(fields[3], { key: 'phone', value: '{{trigger.params.phone | digits}}', optional: false });
  assert.equal(saved.active, true, 'the flow is started');

  // The budget for a hand-built GetCourse → CPA.House with all 14 fields, tested, saved
  // and started.
  b.finish('actions.mapping_getcourse_cpa_house_14_fields', 40);

  // The picker (for the record, after the count): labels, sample values and a clean-up per value.
  await page.getByTestId('picker-fields-8-value').click();
  const picker = page.getByTestId('picker');
  await picker.locator('button[data-ref="trigger.params.phone"]').getByText('Phone', { exact: true }).waitFor();
  await picker.getByTestId('cleanup-ref-trigger.params.phone').waitFor();
  await h.screenshot(page, 'mapping-picker.png');
  await page.keyboard.press('Escape');
  await picker.waitFor({ state: 'detached' });
  h.assertNoPageErrors(page);
});
