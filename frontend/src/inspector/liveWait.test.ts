import { describe, expect, it } from 'vitest';
import { liveUrl, waitForRequest, type SocketLike } from './liveWait';

class FakeSocket implements SocketLike {
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  close() {
    this.closed = true;
  }
  send(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

function open() {
  const made: FakeSocket[] = [];
  return { made, factory: (url: string) => { const s = new FakeSocket(url); made.push(s); return s; } };
}

describe('waitForRequest', () => {
  it('ends at the first event_received, ignoring run events before it', () => {
    const { made, factory } = open();
    const got: string[] = [];
    waitForRequest('ws://h/api/flows/f1/live', (id) => got.push(id), () => got.push('failed'), factory);
    made[0].send({ type: 'run_started', run_id: 'r1' });
    made[0].onmessage?.({ data: 'not json' });
    expect(got).toEqual([]);
    made[0].send({ type: 'event_received', event_id: 'e7', status: 'sample' });
    made[0].send({ type: 'event_received', event_id: 'e8' });
    expect(got).toEqual(['e7']);
    expect(made[0].closed).toBe(true);
  });

  it('reports a lost connection once, and cancel ends the wait quietly', () => {
    const { made, factory } = open();
    const got: string[] = [];
    waitForRequest('u', () => got.push('arrived'), (r) => got.push('failed:' + r), factory);
    made[0].onclose?.({ code: 1013, reason: 'too slow' });
    expect(got).toEqual(['failed:too slow']);
    const w = waitForRequest('u', () => got.push('arrived'), () => got.push('failed'), factory);
    w.cancel();
    expect(made[1].closed).toBe(true);
    expect(got).toEqual(['failed:too slow']);
  });

  it('builds the live log address on the page server', () => {
    expect(liveUrl('f 1', { protocol: 'https:', host: 'hf.example' })).toBe('wss://hf.example/api/flows/f%201/live');
    expect(liveUrl('f1', { protocol: 'http:', host: 'localhost:5173' })).toBe('ws://localhost:5173/api/flows/f1/live');
  });
});
