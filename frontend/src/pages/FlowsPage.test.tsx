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
import { FlowsPage } from './FlowsPage';
import { useSession } from '../auth/session';

// A real HTTP server answering GET /api/flows as the server does when one stored flow is damaged,
// and starting a flow (POST /api/flows/f1/start).
let server: Server;
let active = false;
const asked: string[] = [];
const flow = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  id, name, active: false, version: 1, webhook_url: '', document: null, input_values: {}, settings: {},
  problems: [], created_at: '2026-11-30T10:00:00Z', updated_at: '2026-11-30T10:00:00Z', failed_runs: 0, ...extra,
});
beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    asked.push(`${req.method} ${req.url}`);
    if (req.method === 'POST' && req.url === '/api/flows/f1/start') {
      active = true;
      res.end(JSON.stringify(flow('f1', 'GetCourse → CPA.House', { active })));
      return;
    }
    if (req.url === '/api/flows') {
      res.end(JSON.stringify({ flows: [
        flow('f1', 'GetCourse → CPA.House', { active }),
        flow('f2', 'Broken', { error: 'this flow could not be read: unexpected end of JSON input' }),
      ] }));
      return;
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ error: 'not found' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  setApiBase(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterEach(() => {
  cleanup();
  active = false;
  asked.length = 0;
});
afterAll(() => {
  setApiBase('');
  server.close();
});

describe('FlowsPage', () => {
  it('lists a damaged flow beside the others and says in Russian what to do about it', async () => {
    useLang.setState({ lang: 'ru' });
    renderWithQuery(<FlowsPage />);
    const rows = await screen.findAllByTestId('flow-row');
    expect(rows).toHaveLength(2);
    const damaged = screen.getAllByTestId('flow-damaged');
    expect(damaged).toHaveLength(1);
    expect(rows[1].contains(damaged[0])).toBe(true);
    expect(damaged[0].textContent).toContain('не удаётся прочитать');
    expect(damaged[0].getAttribute('title')).toContain('could not be read');
  });

  it('asks for the list again after starting a flow, and shows it running', async () => {
    useLang.setState({ lang: 'en' });
    useSession.setState({ status: 'signedIn', me: { user: { id: 'u1', email: 'a@b.c', name: '' }, team: 't1', role: 'editor', teams: [] } });
    renderWithQuery(<FlowsPage />);
    const toggles = await screen.findAllByTestId('flow-toggle');
    expect(toggles[0].textContent).toBe('Start');
    fireEvent.click(toggles[0]);
    await waitFor(() => expect(screen.getAllByTestId('flow-toggle')[0].textContent).toBe('Stop'));
    expect(asked.filter((a) => a === 'GET /api/flows')).toHaveLength(2);
    expect(asked).toContain('POST /api/flows/f1/start');
  });
});
