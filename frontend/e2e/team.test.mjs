// A team of three: the owner invites an editor and a viewer by link. The viewer sees the flow but
// cannot change it; the editor saves it as a team template, and the owner makes a new flow from
// it. The template never carries the flow's secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser;
h.withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

async function inviteLink(ownerPage, role) {
  await ownerPage.goto(server.url + '/#/team');
  await ownerPage.getByTestId('invite-role').selectOption(role);
  const link = ownerPage.getByTestId('invite-link');
  const before = (await link.count()) ? await link.inputValue() : '';
  await ownerPage.getByTestId('invite-create').click();
  await ownerPage.waitForFunction(
    (old) => {
      const v = document.querySelector('[data-testid="invite-link"]')?.value ?? '';
      return v.includes('#/invite/') && v !== old;
    },
    before,
  );
  return link.inputValue();
}

async function join(link, email) {
  const page = await h.newPage(browser);
  await page.goto(link);
  await page.getByRole('heading', { level: 1 }).waitFor();
  if (!(await page.getByTestId('signup-email').count())) {
    throw new Error(`the invitation page shows: ${await page.locator('main').innerText()}`);
  }
  await page.getByTestId('signup-email').fill(email);
  await page.getByTestId('signup-password').fill('team member password');
  await page.getByTestId('signup-submit').click();
  await page.getByTestId('signout').waitFor();
  return page;
}

test('an editor and a viewer join by link; the viewer cannot edit; a team template made by the editor is used by the owner', async () => {
  const secret = 'cpa-secret-key-4711';
  const made = await server.api('POST', '/api/templates/getcourse-cpa-house/instantiate', {
    name: 'Leads to CPA.House',
    inputs: { api_key: secret, id_webmaster: '77', id_offer: '12', id_source: '3', id_stream: '4' },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const flow = made.body;

  const owner = await h.signedInPage(browser, server);
  const editorLink = await inviteLink(owner, 'editor');
  const viewerLink = await inviteLink(owner, 'viewer');
  const editor = await join(editorLink, 'editor@example.com');
  const viewer = await join(viewerLink, 'viewer@example.com');
  await owner.reload();
  await owner.locator('[data-testid="member-row"]').nth(2).waitFor();
  await h.assertNoHorizontalOverflow(owner);
  await h.screenshot(owner, 'team.png');

  // The viewer sees the flow and its journal but every change is disabled.
  await viewer.getByRole('link', { name: 'Leads to CPA.House' }).waitFor();
  assert.equal(await viewer.getByRole('button', { name: 'New flow' }).isDisabled(), true, 'viewer cannot create');
  assert.equal(await viewer.getByTestId('flow-toggle').isDisabled(), true, 'viewer cannot start');
  await viewer.getByRole('link', { name: 'Leads to CPA.House' }).click();
  await viewer.getByTestId('node-send').waitFor();
  assert.equal(await viewer.getByTestId('save').isDisabled(), true, 'viewer cannot save');
  assert.equal(await viewer.getByTestId('save-as-template').isDisabled(), true, 'viewer cannot make templates');
  assert.equal(await viewer.getByTestId('send-real').count(), 0, 'viewer cannot send for real');

  // The editor saves the flow as a team template, turning one of its values into an input.
  await editor.getByRole('link', { name: 'Leads to CPA.House' }).click();
  await editor.getByTestId('save-as-template').click();
  await editor.getByTestId('template-name').fill('Team: leads to CPA.House');
  await editor.locator('[data-testid^="promote-"]').first().check();
  await editor.getByTestId('template-save').click();
  const card = editor.locator('article.card', { hasText: 'Team: leads to CPA.House' });
  await card.getByTestId('team-template').waitFor();

  // The owner finds it next to the built-in ones and makes a flow from it.
  await owner.goto(server.url + '/#/templates');
  const ownerCard = owner.locator('article.card', { hasText: 'Team: leads to CPA.House' });
  await ownerCard.getByRole('button', { name: 'Use this template' }).click();
  const form = ownerCard.locator('form.use-template');
  for (const input of await form.locator('input[required]').all()) {
    if (!(await input.inputValue())) await input.fill('1');
  }
  await form.getByLabel(/Flow name/).fill('From the team template');
  await form.getByRole('button', { name: 'Create the flow' }).click();
  await owner.getByTestId('node-send').waitFor();

  // The template and its export hold no secret.
  const { templates } = (await server.api('GET', '/api/templates')).body;
  const tpl = templates.find((t) => JSON.stringify(t.title).includes('Team: leads'));
  assert.ok(tpl, 'the team template is listed');
  const exported = await server.api('GET', `/api/templates/${tpl.id}/export`);
  assert.equal(exported.status, 200);
  assert.ok(!JSON.stringify(exported.body).includes(secret), 'the export holds no secret');
  assert.ok(!JSON.stringify(templates).includes(secret), 'the list holds no secret');
  assert.notEqual(flow.id, undefined);
  for (const page of [owner, editor, viewer]) h.assertNoPageErrors(page);
});
