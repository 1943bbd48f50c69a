// The live client against a real websocket server (the `ws` package) on a random port.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { LiveClient, LiveHub, backoffDelay, liveURL, waitForRequest, type LiveEvent, type LiveState, type SocketLike } from './liveClient';

interface Conn {
  since: string | null;
  socket: WebSocket;
}

/** A websocket server that records each connection's ?since= and lets the test push frames. */
async function startServer() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((ok) => wss.once('listening', () => ok()));
  const conns: Conn[] = [];
  const waiters: Array<() => void> = [];
  wss.on('connection', (socket, req) => {
    const u = new URL(req.url ?? '/', 'http://x');
    conns.push({ since: u.searchParams.get('since'), socket });
    waiters.splice(0).forEach((w) => w());
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    wss,
    conns,
    url: (since: number | null) => `ws://127.0.0.1:${port}/api/flows/f1/live${since === null ? '' : `?since=${since}`}`,
    /** Resolves when the server has had n connections. */
    async connections(n: number): Promise<Conn> {
      while (conns.length < n) await new Promise<void>((ok) => waiters.push(ok));
      const c = conns[n - 1];
      if (c.socket.readyState !== WebSocket.OPEN) await new Promise((ok) => c.socket.once('open', ok));
      return c;
    },
    close: () => new Promise<void>((ok) => {
      for (const c of conns) c.socket.terminate();
      wss.close(() => ok());
    }),
  };
}

const ev = (seq: number, type: LiveEvent['type'] = 'step_finished', extra: Partial<LiveEvent> = {}): string =>
  JSON.stringify({ seq, type, flow_id: 'f1', run_id: 'r1', at: '2026-01-31T10:00:00Z', ...extra });

const nodeSocket = (url: string) => new WebSocket(url) as unknown as SocketLike;
const fast = { initialMs: 5, maxMs: 20, factor: 2, jitter: 0 };

/** Polls until cond holds (no wall-clock bound: vitest's own test timeout is the limit). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((ok) => setTimeout(ok, 2));
}

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('LiveClient', () => {
  it('stops instead of reconnecting when the server says the sign-in ended (4401) or the member was removed (4403)', async () => {
    for (const code of [4401, 4403]) {
      const srv = await startServer();
      cleanup.push(srv.close);
      const states: LiveState[] = [];
      const client = new LiveClient({ url: srv.url, socket: nodeSocket, backoff: fast, onEvent: () => {}, onState: (s) => states.push(s) });
      cleanup.push(() => client.stop());
      client.start();
      const first = await srv.connections(1);
      first.socket.close(code, 'signed out');
      await until(() => states.includes('ended'));
      // A reconnect would come within the 5–20 ms backoff; give it ten times that.
      await new Promise((ok) => setTimeout(ok, 200));
      expect(srv.conns).toHaveLength(1);
      expect(states.at(-1)).toBe('ended');
    }
  });

  it('reconnects after the server drops it, asking for what it missed with ?since=<last seq>', async () => {
    const srv = await startServer();
    cleanup.push(srv.close);
    const got: number[] = [];
    const states: LiveState[] = [];
    const client = new LiveClient({ url: srv.url, socket: nodeSocket, backoff: fast, onEvent: (e) => got.push(e.seq), onState: (s) => states.push(s) });
    cleanup.push(() => client.stop());
    client.start();

    const first = await srv.connections(1);
    expect(first.since).toBeNull();
    first.socket.send(ev(101, 'run_started'));
    first.socket.send(ev(102));
    await until(() => got.length === 2);
    first.socket.close(1013, 'live: too slow');

    const second = await srv.connections(2);
    expect(second.since).toBe('102');
    // The server replays from since; an event at or below it is not shown twice.
    second.socket.send(ev(102));
    second.socket.send(ev(103, 'run_finished', { status: 'success' }));
    await until(() => got.length === 3);
    expect(got).toEqual([101, 102, 103]);
    expect(client.lastSeq).toBe(103);
    expect(states).toEqual(['connecting', 'open', 'waiting', 'connecting', 'open']);
  });

  it('handles a gap by asking for a reload and continuing from the gap seq', async () => {
    const srv = await startServer();
    cleanup.push(srv.close);
    const gaps: number[] = [];
    const got: number[] = [];
    const client = new LiveClient({ url: srv.url, socket: nodeSocket, backoff: fast, since: 50, onEvent: (e) => got.push(e.seq), onGap: (e) => gaps.push(e.seq) });
    cleanup.push(() => client.stop());
    client.start();

    const first = await srv.connections(1);
    expect(first.since).toBe('50');
    first.socket.send(ev(900, 'gap'));
    first.socket.send(ev(901, 'run_started'));
    await until(() => got.length === 1);
    expect(gaps).toEqual([900]);
    first.socket.terminate();

    const second = await srv.connections(2);
    expect(second.since).toBe('901');
    // A server whose clock went back answers with a gap below our cursor: it becomes the cursor.
    second.socket.send(ev(700, 'gap'));
    second.socket.send(ev(701));
    await until(() => got.length === 2);
    expect(got).toEqual([901, 701]);
    expect(gaps).toEqual([900, 700]);
  });

  it('keeps trying with growing pauses while the server is down, then resumes from its cursor', async () => {
    const srv = await startServer();
    const addr = srv.wss.address() as AddressInfo;
    const got: number[] = [];
    const client = new LiveClient({ url: srv.url, socket: nodeSocket, backoff: fast, onEvent: (e) => got.push(e.seq) });
    cleanup.push(() => client.stop());
    client.start();
    (await srv.connections(1)).socket.send(ev(5));
    await until(() => got.length === 1);
    await srv.close();
    // Several refused attempts while nothing listens on the port.
    await new Promise((ok) => setTimeout(ok, 60));
    expect(client.state === 'waiting' || client.state === 'connecting').toBe(true);

    const again = new WebSocketServer({ port: addr.port, host: '127.0.0.1' });
    cleanup.push(() => new Promise<void>((ok) => { again.clients.forEach((c) => c.terminate()); again.close(() => ok()); }));
    const since = await new Promise<string | null>((ok) =>
      again.on('connection', (s, req) => {
        ok(new URL(req.url ?? '/', 'http://x').searchParams.get('since'));
        s.send(ev(6));
      }),
    );
    expect(since).toBe('5');
    await until(() => got.length === 2);
    expect(got).toEqual([5, 6]);
  });

  it('stops for good: no reconnect after stop()', async () => {
    const srv = await startServer();
    cleanup.push(srv.close);
    const client = new LiveClient({ url: srv.url, socket: nodeSocket, backoff: fast, onEvent: () => {} });
    client.start();
    const first = await srv.connections(1);
    client.stop();
    await new Promise((ok) => first.socket.once('close', ok));
    await new Promise((ok) => setTimeout(ok, 40));
    expect(srv.conns).toHaveLength(1);
    expect(client.state).toBe('stopped');
  });
});

describe('LiveHub', () => {
  const hubFor = (srv: Awaited<ReturnType<typeof startServer>>) =>
    new LiveHub({ url: (_flow, since) => srv.url(since), socket: nodeSocket, backoff: fast });

  it('serves the live log and a wait for a request on one connection, closed after the last listener leaves', async () => {
    const srv = await startServer();
    cleanup.push(srv.close);
    const hub = hubFor(srv);
    const log: string[] = [];
    const states: LiveState[] = [];
    const stopLog = hub.subscribe('f1', { onEvent: (e) => log.push(`${e.seq} ${e.type}`), onState: (s) => states.push(s) });
    cleanup.push(stopLog);
    const first = await srv.connections(1);
    await until(() => states.includes('open'));

    const arrived: string[] = [];
    const lateStates: LiveState[] = [];
    hub.subscribe('f1', { onState: (s) => lateStates.push(s) });
    waitForRequest('f1', (id) => arrived.push(id), () => arrived.push('failed'), hub);
    expect(lateStates).toEqual(['open']); // told the state at once

    first.socket.send(ev(1, 'run_started'));
    first.socket.send(ev(2, 'event_received', { event_id: 'e7' } as Partial<LiveEvent>));
    first.socket.send(ev(3, 'event_received', { event_id: 'e8' } as Partial<LiveEvent>));
    await until(() => log.length === 3);
    expect(arrived).toEqual(['e7']); // the first request only, once
    expect(srv.conns).toHaveLength(1);
    expect(hub.flows).toEqual(['f1']);

    stopLog();
    stopLog(); // twice is harmless
    expect(hub.flows).toEqual(['f1']); // the late listener is still there
  });

  it('closes the connection when its last listener leaves, and a wait that is cancelled hears nothing', async () => {
    const srv = await startServer();
    cleanup.push(srv.close);
    const hub = hubFor(srv);
    const arrived: string[] = [];
    const w = waitForRequest('f1', (id) => arrived.push(id), () => arrived.push('failed'), hub);
    const first = await srv.connections(1);
    w.cancel();
    expect(hub.flows).toEqual([]);
    await new Promise((ok) => first.socket.once('close', ok));
    expect(arrived).toEqual([]);
  });

  it('keeps waiting for a request across a dropped connection, and gives up when the sign-in ended', async () => {
    const srv = await startServer();
    cleanup.push(srv.close);
    const hub = hubFor(srv);
    const got: string[] = [];
    waitForRequest('f1', (id) => got.push(id), () => got.push('failed'), hub);
    (await srv.connections(1)).socket.close(1013, 'live: too slow');
    (await srv.connections(2)).socket.send(ev(4, 'event_received', { event_id: 'e9' } as Partial<LiveEvent>));
    await until(() => got.length === 1);
    expect(got).toEqual(['e9']);

    waitForRequest('f1', (id) => got.push(id), () => got.push('failed'), hub);
    (await srv.connections(3)).socket.close(4401, 'signed out');
    await until(() => got.length === 2);
    expect(got).toEqual(['e9', 'failed']);
    expect(hub.flows).toEqual([]); // the next listener connects anew
  });
});

describe('waitForRequest', () => {
  it('says when the server listens: not while the connection opens or reopens, yes once it is open', async () => {
    const srv = await startServer();
    cleanup.push(srv.close);
    const hub = new LiveHub({ url: (_flow, since) => srv.url(since), socket: nodeSocket, backoff: fast });
    const listening: boolean[] = [];
    const w = waitForRequest('f1', () => {}, () => {}, hub, (l) => listening.push(l));
    cleanup.push(() => w.cancel());
    const first = await srv.connections(1);
    await until(() => listening.includes(true));
    expect(listening[0]).toBe(false); // connecting: a request sent now would not be seen arriving
    first.socket.close(1013, 'live: too slow');
    await srv.connections(2);
    await until(() => listening.filter((l) => l).length === 2);
    expect(listening).toEqual([false, true, false, true]);
  });
});

describe('backoffDelay', () => {
  it.each([
    [0, 0, 500],
    [1, 0, 1000],
    [3, 0, 4000],
    [10, 0, 30_000],
    [1, 1, 800],
  ])('attempt %i with random %f waits %i ms', (attempt, random, want) => {
    expect(backoffDelay({ initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 }, attempt, () => random)).toBe(want);
  });
});

describe('liveURL', () => {
  it.each([
    ['http://localhost:8080', null, 'ws://localhost:8080/api/flows/a%2Fb/live'],
    ['https://hooks.example.com', 1700000000000001, 'wss://hooks.example.com/api/flows/a%2Fb/live?since=1700000000000001'],
  ])('%s since %s → %s', (origin, since, want) => {
    expect(liveURL(origin, 'a/b', since)).toBe(want);
  });
});
