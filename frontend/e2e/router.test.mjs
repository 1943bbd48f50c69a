// A router without code: in Russian, a marketer builds "leads from Yandex go to network A, all
// others to network B" from the palette and menus, tests it with GetCourse's example (which came
// from Yandex), saves and starts it, and two real webhooks each reach only their network; the
// journal shows both runs, each painted along the route it took.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

let server, browser, netA, netB;
h.withServerAndBrowser((s, b, t) => ([server, browser, { netA, netB }] = [s, b, t]), { targets: { netA: null, netB: null } });

test('leads by utm_source: Яндекс goes to network A, any other source to network B, in the preview and for real', async () => {
  const page = await h.signedInPage(browser, server, { lang: 'ru' });
  await h.openNewFlow(page, { palette: { switch: 'Маршрутизатор' } });

  // Dropped in order, each step joins the one before; a new router has one route and "Иначе".
  await h.dropSteps(page, ['webhook', 'switch'], { dy: 130 });
  const handles = page.locator('[data-testid="node-switch1"] .react-flow__handle.source');
  assert.deepEqual(await handles.locator('.handle-label').allTextContents(), ['1', 'Иначе']);
  await h.dropSteps(page, [['http', 80, 330]]);
  // the second target hangs off the router's free output, "Иначе"
  await page.getByTestId('node-switch1').click();
  await h.dropSteps(page, [['http', 360, 330]]);
  assert.equal(await page.locator('.react-flow__edge').count(), 3);
  assert.equal(await page.locator('.react-flow__edge[data-id="switch1->http1:r1"]').count(), 1, 'the first route leads to network A');
  assert.equal(await page.locator('.react-flow__edge[data-id="switch1->http2:otherwise"]').count(), 1, '"Иначе" leads to network B');

  // The source: GetCourse, whose example signup came from Yandex.
  await page.getByTestId('node-webhook1').click();
  await page.locator('[id="f-preset"]').selectOption('getcourse.user_created');

  // The route: its name, and the rule chosen from menus.
  await page.getByTestId('node-switch1').click();
  await page.getByTestId('output-name-0').fill('Яндекс');
  const rules = page.getByTestId('rules-routes[0].rules');
  const field = rules.getByTestId('rules-routes[0].rules-field-0');
  const utm = (await field.locator('option').allTextContents()).find((o) => o.includes('trigger.params.utm_source'));
  assert.ok(utm, 'the field menu offers the UTM source GetCourse sends');
  await field.selectOption({ label: utm });
  await rules.getByTestId('rules-routes[0].rules-op-0').selectOption({ label: 'равно' });
  await rules.getByTestId('rules-routes[0].rules-value-0').fill('yandex');
  // the handle and its line take the route's name; the canvas sums the router up
  assert.deepEqual(await handles.locator('.handle-label').allTextContents(), ['Яндекс', 'Иначе']);
  await page.getByTestId('node-summary-switch1').getByText('1 маршрут: Яндекс').waitFor();
  await page.locator('.react-flow__edge[data-id="switch1->http1:r1"]').getByText('Яндекс').waitFor();

  // The two networks.
  for (const [id, net] of [['http1', netA], ['http2', netB]]) {
    await page.getByTestId(`node-${id}`).click();
    await page.locator('[id="f-method"]').selectOption('GET');
    await page.locator('[id="f-url"]').fill(`${net.url}/lead?email={{trigger.params.email}}`);
  }

  // Test with GetCourse's example: it came from Yandex, so network A's branch is painted.
  await h.previewShows(page, ['webhook1', 'switch1', 'http1']);
  await h.expectNodeStatus(page, ['http2'], 'skipped');
  await page.getByTestId('node-switch1').click();
  await page.getByTestId('step').getByText('выбран маршрут «Яндекс»').waitFor();
  await page.getByTestId('step').getByText('(Яндекс)', { exact: false }).first().waitFor();
  assert.equal(netA.received.length + netB.received.length, 0, 'the preview sends nothing');
  // the engine's check of the built flow has caught up: nothing left to fix
  await h.noProblems(page);
  await h.assertNoHorizontalOverflow(page);
  await page.getByTestId('output-row-0').scrollIntoViewIfNeeded();
  await h.screenshot(page, 'router.png');

  // A second route, moved above the first and removed again: the first keeps its line.
  await page.getByTestId('outputs-routes-add').click();
  assert.deepEqual(await handles.locator('.handle-label').allTextContents(), ['Яндекс', '2', 'Иначе']);
  await page.getByTestId('output-name-1').fill('ВК');
  await page.getByTestId('output-up-1').click();
  assert.deepEqual(await handles.locator('.handle-label').allTextContents(), ['ВК', 'Яндекс', 'Иначе']);
  assert.equal(await page.getByTestId('output-name-0').inputValue(), 'ВК');
  await page.getByTestId('output-remove-0').click();
  assert.deepEqual(await handles.locator('.handle-label').allTextContents(), ['Яндекс', 'Иначе']);
  assert.equal(await page.locator('.react-flow__edge[data-id="switch1->http1:r1"]').count(), 1);

  // Save, start, and two real webhooks.
  const hook = (await h.saveAndStart(page, server, 'Лиды по источнику')).webhook_url;
  assert.equal((await server.api('GET', '/api/flows')).body.flows.length, 1);
  assert.equal((await fetch(`${hook}?email=ya@example.com&utm_source=yandex`)).status, 200);
  assert.equal((await fetch(`${hook}?email=vk@example.com&utm_source=vk`)).status, 200);
  await h.until('both leads delivered', () => netA.received.length + netB.received.length >= 2);
  assert.deepEqual(netA.received.map((r) => r.url), ['/lead?email=ya@example.com'], 'network A got the Yandex lead only');
  assert.deepEqual(netB.received.map((r) => r.url), ['/lead?email=vk@example.com'], 'network B got the other lead only');

  // The journal: both runs, each painted along the route it took.
  await page.getByTestId('editor-journal').click();
  const rows = page.locator('[data-testid="journal-row"][data-status="success"]');
  await rows.nth(1).waitFor();
  assert.equal(await rows.count(), 2, 'two runs in the journal');
  for (const [i, taken, skipped, route] of [[0, 'http2', 'http1', 'Иначе'], [1, 'http1', 'http2', 'Яндекс']]) {
    // newest first: the vk lead, then the Yandex one
    await rows.nth(i).locator('a').first().click();
    await page.getByTestId('run-flow').waitFor();
    await page.locator(`[data-testid="run-node-${taken}"][data-status="success"]`).waitFor();
    await page.locator(`[data-testid="run-node-${skipped}"][data-status="skipped"]`).waitFor();
    await page.getByTestId('run-step-switch1').getByText(`ветка: ${route}`).waitFor();
    await page.goBack();
  }
  h.assertNoPageErrors(page);
});
