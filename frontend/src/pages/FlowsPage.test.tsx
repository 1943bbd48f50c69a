// @vitest-environment jsdom
/// <reference types="node" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { render, screen } from '@testing-library/react';
import { setApiBase } from '../api/client';
import { useLang } from '../i18n/i18n';
import '../test/jsdom';
import { FlowsPage } from './FlowsPage';

// A real HTTP server answering GET /api/flows as the server does when one stored flow is damaged.
let server: Server;
const flow = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  id, name, active: false, version: 1, webhook_url: '', document: null, input_values: {}, settings: {},
  problems: [], created_at: '2026-11-30T10:00:00Z', updated_at: '2026-11-30T10:00:00Z', failed_runs: 0, ...extra,
});
beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/api/flows') {
      res.end(JSON.stringify({ flows: [
        flow('f1', 'GetCourse → CPA.House'),
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
afterAll(() => {
  setApiBase('');
  server.close();
});

describe('FlowsPage', () => {
  it('lists a damaged flow beside the others and says in Russian what to do about it', async () => {
    useLang.setState({ lang: 'ru' });
    render(<FlowsPage />);
    const rows = await screen.findAllByTestId('flow-row');
    expect(rows).toHaveLength(2);
    const damaged = screen.getAllByTestId('flow-damaged');
    expect(damaged).toHaveLength(1);
    expect(rows[1].contains(damaged[0])).toBe(true);
    expect(damaged[0].textContent).toContain('не удаётся прочитать');
    expect(damaged[0].getAttribute('title')).toContain('could not be read');
  });
});
