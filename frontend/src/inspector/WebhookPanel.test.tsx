// @vitest-environment jsdom
/// <reference types="node" />
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { setApiBase } from '../api/client';
import type { Sample } from '../api/types';
import { useCatalog } from '../store/catalog';
import { useFlowStore } from '../store/flowStore';
import { useLang } from '../i18n/i18n';
import '../test/jsdom';
import { doc, getcourse, kinds } from '../test/fixtures';
import { Inspector } from './Inspector';

const s = useFlowStore.getState;

// The samples come from a real HTTP server answering like GET /api/flows/{id}/samples.
let samples: Sample[] = [];
let server: Server;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/api/flows/f1/samples') {
      res.end(JSON.stringify({ samples, fields: samples.length ? [{ key: 'email', example: 'anna@mail.ru', seen: 1 }] : [] }));
    } else {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: 'not found' }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  setApiBase(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(() => {
  setApiBase('');
  server.close();
});

// The browser's websocket, standing in for the live log (live/liveClient.ts, tested against a
// real websocket server in liveClient.test.ts).
class FakeWebSocket {
  static last: FakeWebSocket | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeWebSocket.last = this;
  }
  close() {
    this.closed = true;
  }
}

beforeEach(() => {
  samples = [];
  useLang.setState({ lang: 'en' });
  useCatalog.setState({ kinds, presets: [getcourse], loaded: true, error: null });
  s().load(structuredClone(doc), 'f1', 'http://localhost:8080/hook/tok');
  s().select('trigger');
  vi.stubGlobal('WebSocket', FakeWebSocket);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('webhook trigger panel', () => {
  it('shows the ready-to-paste address and the guide, and copies the address', async () => {
    const copied: string[] = [];
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText: async (t: string) => void copied.push(t) } });
    useLang.setState({ lang: 'ru' });
    render(<Inspector />);
    const ready = screen.getByTestId('webhook-ready-url') as HTMLInputElement;
    expect(ready.value).toBe('http://localhost:8080/hook/tok?email={object.email}&phone={object.phone}');
    expect((screen.getByTestId('webhook-url') as HTMLInputElement).value).toBe('http://localhost:8080/hook/tok');
    expect(screen.getByTestId('webhook-guide').textContent).toContain('Вставьте http://localhost:8080/hook/tok и строку параметров.');
    fireEvent.click(screen.getAllByRole('button', { name: 'Копировать' })[0]);
    await screen.findByText('Скопировано');
    expect(copied).toEqual([ready.value]);
  });

  it('selects the address for Ctrl+C when the clipboard is refused', async () => {
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText: async () => { throw new Error('denied'); } } });
    const execCommand = document.execCommand;
    document.execCommand = () => false; // the old way is refused too
    render(<Inspector />);
    fireEvent.click(screen.getAllByRole('button', { name: 'Copy' })[0]);
    await screen.findByText('Selected: press Ctrl+C to copy');
    const ready = screen.getByTestId('webhook-ready-url') as HTMLInputElement;
    expect(document.activeElement).toBe(ready);
    expect([ready.selectionStart, ready.selectionEnd]).toEqual([0, ready.value.length]);
    document.execCommand = execCommand;
  });

  it('waits for a test request, shows it, makes it the Test payload and feeds the picker', async () => {
    render(<Inspector />);
    await waitFor(() => expect(screen.getByTestId('wait-request')).toBeTruthy());
    fireEvent.click(screen.getByTestId('wait-request'));
    expect(screen.getByTestId('waiting')).toBeTruthy();
    const ws = FakeWebSocket.last!;
    expect(ws.url).toBe(`ws://${window.location.host}/api/flows/f1/live`);

    samples = [{
      event_id: 'e2', status: 'sample', received_at: '2026-11-23T10:00:00Z',
      payload: { method: 'POST', query: 'email=anna%40mail.ru', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'phone=%2B79161234567&name=%D0%90%D0%BD%D0%BD%D0%B0', event_id: 'e2' },
    }];
    act(() => ws.onmessage?.({ data: JSON.stringify({ seq: 1, type: 'run_started', at: '2026-11-23T10:00:00Z' }) }));
    act(() => ws.onmessage?.({ data: JSON.stringify({ seq: 2, type: 'event_received', event_id: 'e2', status: 'sample', at: '2026-11-23T10:00:00Z' }) }));
    const arrived = await screen.findByTestId('arrived-request');
    expect(ws.closed).toBe(true);
    expect(arrived.textContent).toContain('POST');
    expect(arrived.textContent).toContain('anna@mail.ru');
    expect(arrived.textContent).toContain('+79161234567');
    expect(arrived.textContent).toContain('Анна');
    expect(JSON.parse(s().payload)).toEqual({
      method: 'POST', query: 'email=anna%40mail.ru', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'phone=%2B79161234567&name=%D0%90%D0%BD%D0%BD%D0%B0',
    });
    expect(s().learned.map((f) => f.key)).toEqual(['email']);
  });

  it('keeps waiting across a dropped connection, and says so when the sign-in ended', async () => {
    render(<Inspector />);
    fireEvent.click(screen.getByTestId('wait-request'));
    const first = FakeWebSocket.last!;
    act(() => first.onclose?.({ code: 1006 }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('waiting')).toBeTruthy();
    await waitFor(() => expect(FakeWebSocket.last).not.toBe(first)); // connected again
    act(() => FakeWebSocket.last!.onclose?.({ code: 4401, reason: 'signed out' }));
    expect(screen.getByRole('alert').textContent).toBe('The connection to the server was lost. Try again.');
    expect(screen.getByTestId('wait-request')).toBeTruthy();
  });
});
