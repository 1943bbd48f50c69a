// The service templates in a browser: a user picks "Tilda form → Bitrix24 lead", reads where
// Bitrix24's settings come from, fills them in, and gets a flow whose steps wear Tilda's and
// Bitrix24's badges and whose Test passes on Tilda's example form, the webhook code masked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser;
h.withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

test('the Tilda → Bitrix24 template guides, creates and previews a flow with the services badged', async () => {
  const page = await h.signedInPage(browser, server);
  const card = await h.templateCard(page, server, 'tilda-bitrix24');
  await card.getByRole('button', { name: 'Use this template' }).click();
  const form = page.getByTestId('use-tilda-bitrix24');
  const guide = form.getByTestId('template-guide');
  await guide.getByText('How to get these settings in Bitrix24').waitFor();
  await guide.getByText(/Incoming webhook/).first().waitFor();
  await form.getByLabel(/^Bitrix24 address/).fill('school.bitrix24.ru');
  await form.getByLabel(/^Incoming webhook code/).fill('1/b24-code-secret');
  await form.getByRole('button', { name: 'Create the flow' }).click();

  await page.getByTestId('node-send').waitFor();
  assert.equal(await page.getByTestId('node-trigger').locator('[data-service="tilda"]').count(), 1, 'the trigger is Tilda');
  assert.equal(await page.getByTestId('node-send').locator('[data-service="bitrix24"]').count(), 1, 'the step is Bitrix24');

  await h.previewShows(page, ['trigger', 'form', 'send']);
  await page.getByTestId('node-send').click();
  await page.getByTestId('step').getByText(/crm\.lead\.add\.json/).first().waitFor();
  assert.equal(await page.getByTestId('step').getByText(/b24-code-secret/).count(), 0, 'the webhook code is not shown');
  h.assertNoPageErrors(page);
});
