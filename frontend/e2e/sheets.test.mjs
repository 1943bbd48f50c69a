// A lead into Google Sheets without code: in Russian, a marketer drops a webhook and a "Строка в
// Google Таблицу" step, pastes the service account's key and the table's address, fills the
// row's cells by clicking the values the source sends, and tests it in the preview: nothing is
// sent, the step shows the request it would send (the token masked) with the row's cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser;
h.withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

// A service account's key file as Google Cloud gives it (the preview only reads it; it signs
// nothing, so the private key need not be a real one).
const KEY = JSON.stringify({
  type: 'service_account',
  project_id: 'shkola-leads',
  private_key_id: '5f1e9c0b7a3d2e4f6a8b0c1d2e3f4a5b6c7d8e9f',
  private_key: '-----BEGIN PRIVATE KEY-----\nnot-a-real-key\n-----END PRIVATE KEY-----\n',
  client_email: 'hookflow@shkola-leads.iam.gserviceaccount.com',
  client_id: '104857395830218374650',
  token_uri: 'https://oauth2.googleapis.com/token',
}, null, 2);
const TABLE = 'https://docs.google.com/spreadsheets/d/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/edit#gid=0';

test('webhook → a row in Google Sheets, built in Russian by pointing at values and tested in the preview', async () => {
  const page = await h.signedInPage(browser, server, { lang: 'ru' });
  await h.openNewFlow(page, { palette: { google_sheets: 'Строка в Google Таблицу' } });
  await h.dropSteps(page, ['webhook', 'google_sheets'], { dy: 160 });
  await page.getByTestId('node-google_sheets1').getByText('Строка в Google Таблицу').waitFor();
  assert.equal(await page.locator('.react-flow__edge').count(), 1, 'the new step joins the webhook');

  // The source: GetCourse, whose example user fills the sample request.
  await page.getByTestId('node-webhook1').click();
  await page.locator('[id="f-preset"]').selectOption('getcourse.user_created');

  // The step: the key (a password field), the table's address as the browser shows it, the sheet.
  await page.getByTestId('node-google_sheets1').click();
  const key = page.locator('[id="f-key"]');
  assert.equal(await key.getAttribute('type'), 'password', 'the key is typed into a hidden field');
  await key.fill(KEY);
  await page.locator('[id="f-spreadsheet"]').fill(TABLE);
  await page.locator('[id="f-sheet"]').fill('Заявки');

  // A first Test, so that the step's input offers GetCourse's values to click.
  await h.previewShows(page, ['webhook1', 'google_sheets1']);

  // The cells, by pointing: the first cell, then the name GetCourse sent; a second row, the phone.
  await page.getByTestId('node-google_sheets1').click();
  const input = page.getByTestId('step-input');
  const cell0 = page.locator('[id="cells-0-value"]');
  await cell0.click();
  await input.locator('button.pick-value', { hasText: 'Анна' }).first().click();
  assert.equal(await cell0.inputValue(), '{{trigger.params.first_name}}');
  await page.getByRole('button', { name: '+ Добавить строку' }).click();
  const cell1 = page.locator('[id="cells-1-value"]');
  await cell1.click();
  await input.locator('button.pick-value', { hasText: '+79161234567' }).first().click();
  assert.equal(await cell1.inputValue(), '{{trigger.params.phone}}');
  await page.getByTestId('node-summary-google_sheets1').getByText('Заявки · 2 столбца').waitFor();

  // Test again: the request that would go to Google, with the row, the token masked, nothing sent.
  await h.previewShows(page, ['webhook1', 'google_sheets1']);
  assert.equal(await page.getByTestId('trace-status').getAttribute('data-sent'), 'false');
  await page.getByTestId('node-google_sheets1').click();
  const step = page.getByTestId('step');
  const request = step.getByText('sheets.googleapis.com/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/', { exact: false }).first();
  await request.waitFor();
  const shown = await step.textContent();
  assert.ok(shown.includes(`[[\\"Анна\\",\\"'+79161234567\\"]]`), `the row with the phone kept as text, in: ${shown}`);
  assert.ok(shown.includes('••••••'), 'the token is masked');
  assert.ok(!shown.includes('not-a-real-key'), 'the key is not shown');
  assert.ok(shown.includes('hookflow@shkola-leads.iam.gserviceaccount.com'), 'the log names the service account');
  await h.noProblems(page);
  await h.assertNoHorizontalOverflow(page);
  await request.scrollIntoViewIfNeeded();
  await h.screenshot(page, 'sheets-preview-ru.png');
  h.assertNoPageErrors(page);
});
