// @vitest-environment jsdom
/// <reference types="node" />
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { setApiBase } from '../api/client';
import { useLang } from '../i18n/i18n';
import '../test/jsdom';
import { renderWithQuery } from '../test/query';
import { useSession } from './session';
import { TeamPage } from './TeamPage';

// A real HTTP server keeping the team's tokens and audit log as the server does (tokens.go).
let server: Server;
const tokens: Array<{ id: string; name: string; prefix: string; created_at: string }> = [];
const audit: Array<{ at: string; email: string; action: string; object_type: string; object_id: string }> = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/api/tokens') {
        const { name } = JSON.parse(body) as { name: string };
        const tok = { id: `t${tokens.length + 1}`, name, prefix: 'hf_abc', created_at: '2026-12-01T10:00:00Z' };
        tokens.push(tok);
        audit.unshift({ at: '2026-12-01T10:00:00Z', email: 'owner@example.com', action: 'token.create', object_type: 'token', object_id: tok.id });
        res.statusCode = 201;
        res.end(JSON.stringify({ ...tok, token: 'hf_abc_secret' }));
        return;
      }
      if (req.url === '/api/tokens') return void res.end(JSON.stringify({ tokens }));
      if (req.url === '/api/members') return void res.end(JSON.stringify({ members: [
        { user_id: 'u1', email: 'owner@example.com', role: 'owner', joined_at: '2026-12-01T09:00:00Z' },
      ] }));
      if (req.url === '/api/invitations') return void res.end(JSON.stringify({ invitations: [] }));
      if (req.url?.startsWith('/api/audit')) return void res.end(JSON.stringify({ entries: audit }));
      res.statusCode = 404;
      res.end(JSON.stringify({ error: 'not found' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  setApiBase(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterEach(cleanup);
afterAll(() => {
  setApiBase('');
  server.close();
});

describe('TeamPage', () => {
  it('shows a new token once, lists it, and the owner sees it in the audit log without a reload', async () => {
    useLang.setState({ lang: 'en' });
    useSession.setState({ status: 'signedIn', me: { user: { id: 'u1', email: 'owner@example.com', name: '' }, team: 'team1', role: 'owner',
      teams: [{ id: 'team1', name: 'School', role: 'owner' }] } });
    renderWithQuery(<TeamPage />);
    await screen.findAllByTestId('member-row');
    expect(screen.queryAllByTestId('token-row')).toHaveLength(0);
    fireEvent.change(screen.getByTestId('token-name'), { target: { value: 'CRM export' } });
    fireEvent.click(screen.getByTestId('token-create'));
    expect((await screen.findByTestId('token-value') as HTMLInputElement).value).toBe('hf_abc_secret');
    await waitFor(() => expect(screen.getAllByTestId('token-row')).toHaveLength(1));
    expect(screen.getByTestId('token-row').textContent).toContain('CRM export');
    await waitFor(() => expect(screen.getByTestId('audit-log').querySelectorAll('tbody tr')).toHaveLength(1));
    expect((screen.getByTestId('token-name') as HTMLInputElement).value).toBe('');
  });
});
