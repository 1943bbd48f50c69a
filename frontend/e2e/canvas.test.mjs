// The canvas speaks the user's language: steps show what they do (never their internal id), a
// step dropped from the palette joins the flow by itself, a line let go on a step's body
// connects, and an empty canvas says what to drag first — in English and in Russian.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser;
h.withServerAndBrowser((s, b) => ([server, browser] = [s, b]));

const edge = (page, from, to) => page.locator(`.react-flow__edge[data-id^="${from}->${to}"]`);

/** The text the canvas shows; ids such as http1 must never be part of it. */
async function assertNoIdsShown(page, ids) {
  const text = await page.getByTestId('canvas').innerText();
  for (const id of ids) assert.ok(!new RegExp(`\\b${id}\\b`).test(text), `the canvas shows the internal id ${id}:\n${text}`);
}

/** Drags from a step's output handle and lets go over another step's body, near its right edge:
 * far from its handles, so only the body can catch the line. */
async function dragLineToBody(page, from, to, handle = '.react-flow__handle.source') {
  const src = await page.locator(`[data-testid="node-${from}"] ${handle}`).first().boundingBox();
  const dst = await page.getByTestId(`node-${to}`).boundingBox();
  const a = { x: src.x + src.width / 2, y: src.y + src.height / 2 };
  const b = { x: dst.x + dst.width * 0.88, y: dst.y + dst.height * 0.6 };
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

test('steps dropped from the palette join the flow by themselves and say what they do (en)', async () => {
  const page = await h.signedInPage(browser, server);
  await h.openNewFlow(page);

  // An empty canvas says what to drag first.
  const hint = page.getByTestId('canvas-empty');
  await hint.getByText('Start with where the data comes from').waitFor();
  assert.match(await hint.innerText(), /Drag «Webhook»/);
  await h.screenshot(page, 'canvas-empty.png');

  // Four drops and no line drawn by hand: each new step joins the one dropped before it.
  let actions = 0;
  const act = (fn) => (actions++, fn());
  await h.dropSteps(page, ['webhook'], { act, x: 300 });
  await hint.waitFor({ state: 'detached' });
  await h.dropSteps(page, [['form_encode', 300, 190], ['http', 300, 340], ['filter', 300, 490]], { act });
  for (const [from, to] of [['webhook1', 'form_encode1'], ['form_encode1', 'http1'], ['http1', 'filter1']]) {
    await edge(page, from, to).waitFor({ state: 'attached' });
  }
  assert.equal(await page.locator('.react-flow__edge').count(), 3, 'three lines, one per dropped step after the first');
  assert.equal(actions, 4, 'a four-step chain costs four drags');

  // Each step is titled by what it does, not by its id.
  const title = (id) => page.getByTestId(`node-title-${id}`);
  const summary = (id) => page.getByTestId(`node-summary-${id}`);
  assert.equal(await title('webhook1').innerText(), 'Incoming request');
  assert.equal(await title('http1').innerText(), 'Request to a service');
  assert.equal(await summary('http1').innerText(), 'address not set yet');
  assert.equal(await title('filter1').innerText(), 'Condition');
  await assertNoIdsShown(page, ['webhook1', 'form_encode1', 'http1', 'filter1']);

  // Choosing the source and the address renames the steps after the services.
  await page.getByTestId('node-webhook1').click();
  await page.getByLabel('Source').selectOption('getcourse.user_created');
  await title('webhook1').getByText('Request from GetCourse').waitFor();
  assert.equal(await summary('webhook1').innerText(), 'GetCourse: user created');
  assert.equal(await page.getByTestId('node-webhook1').getAttribute('data-service'), 'getcourse');

  await page.getByTestId('node-http1').click();
  await page.getByLabel('Method').selectOption('POST');
  await page.getByLabel(/^URL( \*)?$/).fill('https://api.cpa.house/method/send_order');
  await title('http1').getByText('Send a lead to CPA.House').waitFor();
  assert.equal(await summary('http1').innerText(), 'POST api.cpa.house');
  assert.equal(await title('form_encode1').innerText(), 'Fields for CPA.House');
  assert.equal(await page.getByTestId('node-http1').locator('.service-badge').innerText(), 'CPA');

  // The condition's two outputs are labelled in words.
  const filter = page.getByTestId('node-filter1');
  assert.equal(await filter.locator('.handle-true').innerText(), 'yes');
  assert.equal(await filter.locator('.handle-false').innerText(), 'no');
  // Handles are big enough to hit.
  const handle = await filter.locator('.handle-true').boundingBox();
  assert.ok(handle.width >= 14 && handle.height >= 14, `handle is ${handle.width}×${handle.height}`);

  // The keyboard way: Enter on a palette item adds the step under the selected one, joined to it.
  await page.getByTestId('node-http1').click();
  await page.locator('.palette-item[data-kind="set"]').focus();
  await page.keyboard.press('Enter');
  await edge(page, 'http1', 'set1').waitFor({ state: 'attached' });
  const [below, beside] = [await page.getByTestId('node-set1').boundingBox(), await page.getByTestId('node-filter1').boundingBox()];
  const http = await page.getByTestId('node-http1').boundingBox();
  assert.ok(below.y > http.y + http.height, 'the new step sits below the step it joins');
  assert.ok(below.x >= beside.x + beside.width || below.x + below.width <= beside.x, 'beside the step already there, not on it');

  await assertNoIdsShown(page, ['webhook1', 'form_encode1', 'http1', 'filter1', 'set1']);
  await h.assertNoHorizontalOverflow(page);
  await page.getByTestId('node-problems-http1').waitFor({ state: 'detached' }); // the address was checked again
  await page.locator('.react-flow__controls-fitview').click();
  await h.screenshot(page, 'canvas-steps.png');
  h.assertNoPageErrors(page);
});

test('in Russian: titles, summaries, yes/no branches, a line dropped on a step body connects, none into the trigger', async () => {
  const fields = Array.from({ length: 14 }, (_, i) => ({ key: `field_${i}`, value: `{{trigger.params.f${i}}}` }));
  const doc = {
    schema: 1,
    name: 'GetCourse → CPA.House',
    nodes: [
      { id: 'gc_in', kind: 'webhook', position: { x: 0, y: 0 }, config: { preset: 'getcourse.user_created' } },
      { id: 'lead_form', kind: 'form_encode', position: { x: 0, y: 130 }, config: { fields } },
      { id: 'cpa_send', kind: 'http', position: { x: 0, y: 260 }, config: { method: 'POST', url: 'https://api.cpa.house/method/send_order', body_type: 'previous' } },
      { id: 'status_check', kind: 'filter', position: { x: 0, y: 390 },
        config: { match: 'all', rules: [{ left: '{{steps.cpa_send.json.status}}', op: 'equals', right: 'success' }] } },
      { id: 'extra_fields', kind: 'set', position: { x: 340, y: 130 }, config: { fields: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] } },
    ],
    edges: [{ from: 'gc_in', to: 'lead_form' }, { from: 'lead_form', to: 'cpa_send' }, { from: 'cpa_send', to: 'status_check' }],
  };
  const flow = await h.createFlow(server, doc);

  const page = await h.signedInPage(browser, server, { lang: 'ru' });

  // The empty canvas in Russian.
  await page.getByRole('button', { name: 'Новый сценарий' }).click();
  await page.getByTestId('canvas-empty').getByText('Начните с того, откуда приходят данные').waitFor();
  assert.match(await page.getByTestId('canvas-empty').innerText(), /Перетащите «Вебхук»/);
  await h.screenshot(page, 'canvas-empty-ru.png');

  await h.openFlow(page, server, flow.id, 'cpa_send');
  const title = (id) => page.getByTestId(`node-title-${id}`).innerText();
  const summary = (id) => page.getByTestId(`node-summary-${id}`).innerText();
  assert.deepEqual(
    [await title('gc_in'), await title('lead_form'), await title('cpa_send'), await title('status_check'), await title('extra_fields')],
    ['Запрос из GetCourse', 'Поля для CPA.House', 'Отправить лид в CPA.House', 'Условие', 'Задать поля'],
  );
  assert.deepEqual(
    [await summary('gc_in'), await summary('lead_form'), await summary('cpa_send'), await summary('status_check'), await summary('extra_fields')],
    ['GetCourse: создан пользователь', '14 полей', 'POST api.cpa.house · 14 полей', 'status = success', '2 поля'],
  );
  assert.equal(await page.getByTestId('node-status_check').locator('.handle-true').innerText(), 'да');
  assert.equal(await page.getByTestId('node-status_check').locator('.handle-false').innerText(), 'нет');
  await assertNoIdsShown(page, ['gc_in', 'lead_form', 'cpa_send', 'status_check', 'extra_fields']);

  // The condition's "да" output let go over the body of the lone step: joined on the "true" branch.
  await dragLineToBody(page, 'status_check', 'extra_fields', '.handle-true');
  await edge(page, 'status_check', 'extra_fields').waitFor({ state: 'attached' });
  assert.equal(await page.locator('.react-flow__edge[data-id="status_check->extra_fields:true"] .react-flow__edge-text').textContent(), 'да');
  // A line into the trigger is refused, wherever it is let go.
  await dragLineToBody(page, 'extra_fields', 'gc_in');
  await page.waitForFunction(() => !document.querySelector('.react-flow__connectionline'));
  assert.equal(await edge(page, 'extra_fields', 'gc_in').count(), 0, 'no line into the trigger');
  // A second identical line is refused too.
  await dragLineToBody(page, 'lead_form', 'cpa_send');
  await page.waitForFunction(() => !document.querySelector('.react-flow__connectionline'));
  assert.equal(await edge(page, 'lead_form', 'cpa_send').count(), 1, 'no duplicate line');

  // With nothing selected, a dropped step joins the last step (the lone one, joined just now).
  await page.locator('.react-flow__pane').click({ position: { x: 700, y: 500 } });
  await h.dragKindToCanvas(page, 'js', 470, 560);
  await edge(page, 'extra_fields', 'js1').waitFor({ state: 'attached' });
  assert.equal(await title('js1'), 'Код JavaScript');
  await assertNoIdsShown(page, ['js1']);
  // The canvas controls speak Russian too.
  assert.equal(await page.locator('.react-flow__controls-zoomin').getAttribute('aria-label'), 'Приблизить');
  assert.equal(await page.locator('.react-flow__controls-fitview').getAttribute('title'), 'Показать весь сценарий');

  await h.assertNoHorizontalOverflow(page);
  await h.screenshot(page, 'canvas-ru.png');
  h.assertNoPageErrors(page);
});
