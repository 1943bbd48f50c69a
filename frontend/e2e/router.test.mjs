// A router without code: in Russian, a marketer builds "leads from Yandex go to network A, all
// others to network B" from the palette and menus, tests it with GetCourse's example (which came
// from Yandex), saves and starts it, and two real webhooks each reach only their network; the
// journal shows both runs, each painted along the route it took.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNoHorizontalOverflow,
  assertNoPageErrors,
  dragKindToCanvas,
  expectNodeStatus,
  newPage,
  runPreview,
  screenshot,
  signIn,
  startBrowser,
  startServer,
  startTarget,
} from './harness.mjs';

let server, browser, netA, netB;
before(async () => {
  server = await startServer();
  browser = await startBrowser();
  netA = await startTarget();
  netB = await startTarget();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await netA?.stop();
  await netB?.stop();
});

/** Waits until cond() holds, polling; fails with what it waited for. */
async function until(what, cond, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('leads by utm_source: Яндекс goes to network A, any other source to network B, in the preview and for real', async () => {
  const page = await newPage(browser, { lang: 'ru' });
  await signIn(page, server);
  await page.getByRole('button', { name: 'Новый сценарий' }).click();
  await page.getByTestId('palette').waitFor();
  await page.locator('.palette-item[data-kind="switch"]').getByText('Маршрутизатор').waitFor();

  // Dropped in order, each step joins the one before; a new router has one route and "Иначе".
  await dragKindToCanvas(page, 'webhook', 200, 40);
  await dragKindToCanvas(page, 'switch', 200, 170);
  await page.getByTestId('node-switch1').waitFor();
  const handles = page.locator('[data-testid="node-switch1"] .react-flow__handle.source');
  assert.deepEqual(await handles.locator('.handle-label').allTextContents(), ['1', 'Иначе']);
  await dragKindToCanvas(page, 'http', 80, 330);
  await page.getByTestId('node-http1').waitFor();
  // the second target hangs off the router's free output, "Иначе"
  await page.getByTestId('node-switch1').click();
  await dragKindToCanvas(page, 'http', 360, 330);
  await page.getByTestId('node-http2').waitFor();
  const edges = page.locator('.react-flow__edge');
  await until('three lines', async () => (await edges.count()) === 3);
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
  await runPreview(page);
  await expectNodeStatus(page, ['webhook1', 'switch1', 'http1'], 'success');
  await expectNodeStatus(page, ['http2'], 'skipped');
  await page.getByTestId('node-switch1').click();
  await page.getByTestId('step').getByText('выбран маршрут «Яндекс»').waitFor();
  await page.getByTestId('step').getByText('(Яндекс)', { exact: false }).first().waitFor();
  assert.equal(netA.received.length + netB.received.length, 0, 'the preview sends nothing');
  // the engine's check of the built flow has caught up: nothing left to fix
  await page.locator('[data-testid="problems-count"].problems-none').waitFor({ timeout: 10_000 });
  await assertNoHorizontalOverflow(page);
  await page.getByTestId('output-row-0').scrollIntoViewIfNeeded();
  await screenshot(page, 'router.png');

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
  await page.getByLabel('Название сценария').fill('Лиды по источнику');
  await page.getByTestId('save').click();
  await page.getByTestId('start-prompt-start').click();
  const flows = (await server.api('GET', '/api/flows')).body.flows;
  assert.equal(flows.length, 1);
  await until('the flow to start', async () => (await server.api('GET', `/api/flows/${flows[0].id}`)).body.active === true);
  const hook = flows[0].webhook_url;
  assert.equal((await fetch(`${hook}?email=ya@example.com&utm_source=yandex`)).status, 200);
  assert.equal((await fetch(`${hook}?email=vk@example.com&utm_source=vk`)).status, 200);
  await until('both leads delivered', () => netA.received.length + netB.received.length >= 2);
  assert.deepEqual(netA.received.map((r) => r.url), ['/lead?email=ya@example.com'], 'network A got the Yandex lead only');
  assert.deepEqual(netB.received.map((r) => r.url), ['/lead?email=vk@example.com'], 'network B got the other lead only');

  // The journal: both runs, each painted along the route it took.
  await page.getByTestId('editor-journal').click();
  const rows = page.locator('[data-testid="journal-row"][data-status="success"]');
  await until('two runs in the journal', async () => (await rows.count()) === 2);
  for (const [i, taken, skipped, route] of [[0, 'http2', 'http1', 'Иначе'], [1, 'http1', 'http2', 'Яндекс']]) {
    // newest first: the vk lead, then the Yandex one
    await rows.nth(i).locator('a').first().click();
    await page.getByTestId('run-flow').waitFor();
    await page.locator(`[data-testid="run-node-${taken}"][data-status="success"]`).waitFor();
    await page.locator(`[data-testid="run-node-${skipped}"][data-status="skipped"]`).waitFor();
    await page.getByTestId('run-step-switch1').getByText(`ветка: ${route}`).waitFor();
    await page.goBack();
  }
  assertNoPageErrors(page);
});
