// The editor's frame: the toolbar on one line at 1280 px, no page scroll, the selected step's
// settings first; Start/Stop and the flow's state in the toolbar, Save offering to start a flow
// that never ran; and nothing lost by accident — an in-app link, the back button and closing the
// tab ask while there are unsaved changes, and undo back to the saved state clears "unsaved".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser;
h.withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const cpaInputs = { api_key: 'k', id_webmaster: '1', id_offer: '2', id_source: '3', id_stream: '4' };

async function newFlow(name) {
  const res = await server.api('POST', '/api/templates/getcourse-cpa-house/instantiate', { name, inputs: cpaInputs });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

/** Fails when the toolbar wraps or the page scrolls either way at the window's size. */
async function assertFits(page) {
  await h.assertNoHorizontalOverflow(page);
  const m = await page.evaluate(() => {
    const bar = document.querySelector('[data-testid="toolbar"]');
    const tops = [...bar.children].filter((c) => c.getBoundingClientRect().width > 0).map((c) => c.getBoundingClientRect());
    return {
      scroll: document.scrollingElement.scrollHeight,
      inner: window.innerHeight,
      barHeight: bar.getBoundingClientRect().height,
      right: Math.max(...tops.map((r) => r.right)),
      width: bar.getBoundingClientRect().right,
    };
  });
  assert.ok(m.scroll <= m.inner, `the page scrolls: ${m.scroll}px in a ${m.inner}px window`);
  assert.ok(m.barHeight < 48, `the toolbar wraps: ${JSON.stringify(m)}`);
  assert.ok(m.right <= m.width + 1, `the toolbar is cut off: ${JSON.stringify(m)}`);
}

for (const lang of ['en', 'ru']) {
  test(`${lang}: the toolbar fits one line at 1280 px, the page does not scroll, the selected step's settings come first`, async () => {
    const flow = await newFlow(`Frame ${lang}`);
    const page = await h.signedInPage(browser, server, { lang });
    await h.openFlow(page, server, flow.id, 'send');
    await assertFits(page);
    // The widest toolbar: unsaved changes ("Save and start"), problems to fix, a long name.
    await page.getByTestId('node-send').click();
    await page.getByLabel(/^(URL|Адрес \(URL\))/).first().fill('');
    await page.locator('.problems-button').waitFor();
    await page.locator('.flow-name').fill('GetCourse: новый пользователь → заявка в CPA.House, второй поток');
    await assertFits(page);
    await page.getByRole('button', { name: lang === 'ru' ? 'Отменить' : 'Undo' }).click();
    await page.getByRole('button', { name: lang === 'ru' ? 'Отменить' : 'Undo' }).click();
    await page.getByTestId('save-state').getByText(lang === 'ru' ? 'Сохранено' : 'Saved').waitFor();
    await page.getByTestId('node-send').click();
    const side = page.locator('.side');
    const first = side.locator(':scope > *').first();
    assert.equal(await first.getAttribute('data-testid'), 'inspector', 'the settings are the side panel\'s first section');
    const [sideBox, inspBox] = [await side.boundingBox(), await first.boundingBox()];
    assert.ok(inspBox.y - sideBox.y < 4, 'the settings start at the top of the side panel');
    if (lang === 'ru') await h.screenshot(page, 'editor-toolbar.png');
    // Test and the sample fold away and come back.
    const summary = page.getByTestId('test-section').locator(':scope > summary');
    await summary.click();
    await page.getByTestId('test').waitFor({ state: 'hidden' });
    await summary.click();
    await page.getByTestId('test').waitFor();
    await assertFits(page);
    h.assertNoPageErrors(page);
  });
}

test('leaving with unsaved changes asks (link, back button, signing out, closing the tab); undo to the saved state clears "unsaved"', async () => {
  const flow = await newFlow('Leave guard');
  const page = await h.signedInPage(browser, server);
  // Reach the editor through the flows list, so that Back has somewhere to go.
  await page.locator(`[data-testid="flow-row"][data-flow="${flow.id}"]`).getByRole('link', { name: flow.name }).click();
  await page.getByTestId('node-send').waitFor();
  const state = page.getByTestId('save-state');
  assert.equal(await state.textContent(), 'Saved');

  const name = page.getByLabel('Flow name');
  await name.fill('Leave guard, renamed');
  assert.equal(await state.textContent(), 'Unsaved changes');
  // Undo back to the saved document: nothing is unsaved any more, and leaving asks nothing.
  await page.getByRole('button', { name: 'Undo' }).click();
  assert.equal(await name.inputValue(), 'Leave guard');
  assert.equal(await state.textContent(), 'Saved');

  await name.fill('Leave guard, renamed');
  const questions = [];
  const answerNext = (accept) =>
    page.waitForEvent('dialog').then(async (d) => {
      questions.push(`${d.type()}: ${d.message()}`);
      await (accept ? d.accept() : d.dismiss());
    });

  // An in-app link: asked, refused, still here with the change.
  let asked = answerNext(false);
  await page.getByRole('link', { name: 'Flows', exact: true }).click();
  await asked;
  assert.match(page.url(), new RegExp(`#/flows/${flow.id}$`));
  assert.equal(await name.inputValue(), 'Leave guard, renamed');

  // The back button: asked, refused, still here with the change.
  asked = answerNext(false);
  await page.evaluate(() => history.back());
  await asked;
  await page.waitForFunction((id) => location.hash === `#/flows/${id}`, flow.id);
  assert.equal(await name.inputValue(), 'Leave guard, renamed');
  await page.getByTestId('node-send').waitFor();

  // Signing out: asked, refused, still signed in here.
  asked = answerNext(false);
  await page.getByTestId('signout').click();
  await asked;
  assert.equal(await name.inputValue(), 'Leave guard, renamed');

  // Closing the tab: the browser asks (beforeunload); refused, the page stays.
  asked = answerNext(false);
  await page.close({ runBeforeUnload: true });
  await asked;
  assert.equal(page.isClosed(), false);
  assert.equal(await name.inputValue(), 'Leave guard, renamed');

  assert.deepEqual(questions.map((q) => q.split(':')[0]), ['confirm', 'confirm', 'confirm', 'beforeunload']);
  assert.match(questions[0], /unsaved changes/);

  // Agreeing to leave leaves, and the change is not saved.
  asked = answerNext(true);
  await page.getByRole('link', { name: 'Flows', exact: true }).click();
  await asked;
  await page.getByTestId('flows').waitFor();
  assert.equal((await server.api('GET', `/api/flows/${flow.id}`)).body.name, 'Leave guard');
  h.assertNoPageErrors(page);
});

test('Save offers to start a flow that never ran; Start/Stop in the toolbar saves unsaved changes first and says so', async () => {
  const flow = await newFlow('Start from the editor');
  const page = await h.signedInPage(browser, server);
  await h.openFlow(page, server, flow.id, 'send');
  const flowState = page.getByTestId('flow-state');
  assert.equal(await flowState.textContent(), 'stopped');

  await page.getByLabel('Flow name').fill('Started from the prompt');
  await page.getByTestId('save').click();
  const prompt = page.getByTestId('start-prompt');
  await prompt.getByText('Start receiving requests?').waitFor();
  assert.match(await prompt.getByTestId('start-prompt-url').inputValue(), new RegExp(`^${server.url}/hook/[^?]+\\?id=\\{object\\.id\\}&email=`));
  await assertFits(page); // a band under the toolbar: it covers nothing and the page still does not scroll
  await h.screenshot(page, 'editor-start-prompt.png');
  await prompt.getByRole('button', { name: 'Start' }).click();
  await flowState.getByText('active').waitFor();
  await prompt.waitFor({ state: 'detached' });
  assert.equal((await server.api('GET', `/api/flows/${flow.id}`)).body.active, true);

  // Stop; then with an unsaved change, the one button saves and starts.
  await page.getByTestId('run-toggle').click();
  await flowState.getByText('stopped').waitFor();
  assert.equal((await server.api('GET', `/api/flows/${flow.id}`)).body.active, false);
  await page.getByLabel('Flow name').fill('Saved and started');
  const toggle = page.getByTestId('run-toggle');
  assert.equal(await toggle.textContent(), 'Save and start');
  await toggle.click();
  await page.getByTestId('run-notice').getByText('Saved and started').waitFor();
  await flowState.getByText('active').waitFor();
  assert.equal(await page.getByTestId('save-state').textContent(), 'Saved');
  const after = (await server.api('GET', `/api/flows/${flow.id}`)).body;
  assert.equal(after.active, true);
  assert.equal(after.name, 'Saved and started');
  // Saving a running flow does not offer to start it again.
  await page.getByLabel('Flow name').fill('Saved again');
  await page.getByTestId('save').click();
  await page.getByTestId('save-state').getByText('Saved').waitFor();
  assert.equal(await page.getByTestId('start-prompt').count(), 0);
  h.assertNoPageErrors(page);
});
