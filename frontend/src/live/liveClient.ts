// The live log's websocket client: GET /api/flows/{id}/live. It keeps the last sequence number it
// saw and reconnects with ?since=<seq> after any close but the server's "your sign-in ended", waiting longer after each failed attempt, so
// a dropped connection (server restart, "too slow" close 1013, network blip) loses no event and
// shows none twice. A `gap` event means the events after our cursor are gone: the page reloads its
// recent runs from the journal and the cursor moves to the gap's seq (see server/live/doc.go).
//
// A page opens one connection per flow (LiveHub) and everything on it listens there: the editor's
// live log, "wait for a test request", the journal's live refresh.
import type { LiveEvent } from '../api/types';

export type { LiveEvent, LiveEventType } from '../api/types';

export type LiveState = 'connecting' | 'open' | 'waiting' | 'stopped' | 'ended';

/** Close codes the server sends when the credential the log was opened with has ended (sign-out,
 * revoked token: 4401; removed from the team: 4403). Reconnecting cannot help, so the client stops. */
export const CREDENTIAL_ENDED = new Set([4401, 4403]);

/** The part of the browser's WebSocket the client uses (the `ws` package's class fits too). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}
export type SocketFactory = (url: string) => SocketLike;

export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0..1: how much of each pause is randomised, so many tabs do not reconnect in step. */
  jitter: number;
}

export const defaultBackoff: Backoff = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

/** The pause before reconnect attempt n (0-based): initial·factor^n, capped, minus up to jitter of it. */
export function backoffDelay(b: Backoff, attempt: number, random: () => number = Math.random): number {
  const full = Math.min(b.maxMs, b.initialMs * Math.pow(b.factor, attempt));
  return Math.round(full * (1 - b.jitter * random()));
}

/** The websocket address for a flow on the page's own origin, with the cursor when there is one. */
export function liveURL(origin: string, flowId: string, since: number | null): string {
  const u = new URL(`/api/flows/${encodeURIComponent(flowId)}/live`, origin);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (since !== null) u.searchParams.set('since', String(since));
  return u.toString();
}

export interface LiveOptions {
  /** Builds the address; since is null on the first connection (the server starts from "now"). */
  url: (since: number | null) => string;
  onEvent: (ev: LiveEvent) => void;
  /** Events after the cursor are gone: reload recent runs from the journal. */
  onGap?: (ev: LiveEvent) => void;
  onState?: (state: LiveState) => void;
  socket?: SocketFactory;
  backoff?: Backoff;
  random?: () => number;
  /** Start from this cursor (a page that kept it), instead of "from now". */
  since?: number | null;
}

const browserSocket: SocketFactory = (url) => new WebSocket(url) as unknown as SocketLike;

export class LiveClient {
  private readonly opts: LiveOptions;
  private readonly backoff: Backoff;
  private ws: SocketLike | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private stopped = true;
  /** The newest seq seen (null until the first event). */
  lastSeq: number | null;
  state: LiveState = 'stopped';

  constructor(opts: LiveOptions) {
    this.opts = opts;
    this.backoff = opts.backoff ?? defaultBackoff;
    this.lastSeq = opts.since ?? null;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      // Closing a socket still connecting reports an error; it is ours, so it is ignored.
      ws.onerror = () => {};
      ws.close(1000, 'closed by the page');
    }
    this.setState('stopped');
  }

  private setState(s: LiveState): void {
    if (this.state === s) return;
    this.state = s;
    this.opts.onState?.(s);
  }

  private connect(): void {
    this.timer = null;
    this.setState('connecting');
    let ws: SocketLike;
    try {
      ws = (this.opts.socket ?? browserSocket)(this.opts.url(this.lastSeq));
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setState('open');
    };
    ws.onmessage = (m) => this.receive(m.data);
    // A failed handshake fires error then close; only close schedules the next attempt.
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (CREDENTIAL_ENDED.has((ev as { code?: number } | null)?.code ?? 0)) {
        this.stopped = true;
        this.setState('ended');
        return;
      }
      this.retry();
    };
  }

  private retry(): void {
    if (this.stopped) return;
    this.setState('waiting');
    const delay = backoffDelay(this.backoff, this.attempt++, this.opts.random);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private receive(data: unknown): void {
    let ev: LiveEvent;
    try {
      ev = JSON.parse(typeof data === 'string' ? data : String(data)) as LiveEvent;
    } catch {
      return; // not ours; the server sends JSON only
    }
    if (typeof ev?.seq !== 'number' || typeof ev.type !== 'string') return;
    if (ev.type === 'gap') {
      // The gap's seq may be below our cursor (a server that restarted with a slower clock):
      // it is the new cursor either way.
      this.lastSeq = ev.seq;
      this.opts.onGap?.(ev);
      return;
    }
    // After a reconnect the server replays from since; anything at or below it was shown already.
    if (this.lastSeq !== null && ev.seq <= this.lastSeq) return;
    this.lastSeq = ev.seq;
    this.opts.onEvent(ev);
  }
}

/** What one part of a page wants from a flow's live log. */
export interface LiveListener {
  onEvent?: (ev: LiveEvent) => void;
  onGap?: (ev: LiveEvent) => void;
  /** Called with the connection's state at once, then on each change. */
  onState?: (state: LiveState) => void;
}

export interface LiveHubOptions {
  url: (flowId: string, since: number | null) => string;
  socket?: SocketFactory;
  backoff?: Backoff;
  random?: () => number;
}

interface Shared {
  client: LiveClient;
  listeners: Set<LiveListener>;
}

/**
 * One live connection per flow, shared by its listeners: opened by the first, closed after the
 * last leaves. A connection whose credential ended is forgotten, so the next listener (after
 * signing in again) opens a new one.
 */
export class LiveHub {
  private readonly opts: LiveHubOptions;
  private readonly shared = new Map<string, Shared>();

  constructor(opts: LiveHubOptions) {
    this.opts = opts;
  }

  /** The flows with an open (or reconnecting) connection. */
  get flows(): string[] {
    return [...this.shared.keys()];
  }

  /** Listens to a flow's live log; the returned function stops listening. */
  subscribe(flowId: string, listener: LiveListener): () => void {
    let sh = this.shared.get(flowId);
    if (sh) {
      sh.listeners.add(listener);
      listener.onState?.(sh.client.state);
    } else {
      const listeners = new Set<LiveListener>([listener]);
      const each = (f: (l: LiveListener) => void) => [...listeners].forEach((l) => listeners.has(l) && f(l));
      const client: LiveClient = new LiveClient({
        url: (since) => this.opts.url(flowId, since),
        onEvent: (ev) => each((l) => l.onEvent?.(ev)),
        onGap: (ev) => each((l) => l.onGap?.(ev)),
        onState: (st) => {
          if (st === 'ended' && this.shared.get(flowId)?.client === client) this.shared.delete(flowId);
          each((l) => l.onState?.(st));
        },
        socket: this.opts.socket,
        backoff: this.opts.backoff,
        random: this.opts.random,
      });
      sh = { client, listeners };
      this.shared.set(flowId, sh);
      client.start();
    }
    const mine = sh;
    return () => {
      if (!mine.listeners.delete(listener) || mine.listeners.size > 0) return;
      mine.client.stop();
      if (this.shared.get(flowId) === mine) this.shared.delete(flowId);
    };
  }
}

/** The page's hub: connections to its own server. */
export const liveHub = new LiveHub({ url: (flowId, since) => liveURL(window.location.origin, flowId, since) });

/** Listens to a flow's live log on the page's shared connection. */
export function subscribeLive(flowId: string, listener: LiveListener): () => void {
  return liveHub.subscribe(flowId, listener);
}

export interface Waiting {
  cancel(): void;
}

/**
 * "Wait for a test request": calls onArrived once with the stored request's id ('' from a server
 * that does not send it) when the flow's webhook stores the next one (active or stopped, the
 * server announces it as event_received). A dropped connection reconnects without losing the
 * event; onFailed is called only when the connection cannot come back (the sign-in ended).
 * onListening, when given, is told whether the server listens for it now: a request sent before
 * that (the connection still being opened) would not be seen arriving.
 */
export function waitForRequest(flowId: string, onArrived: (eventId: string) => void, onFailed: () => void,
  hub: LiveHub = liveHub, onListening?: (listening: boolean) => void): Waiting {
  let done = false;
  let listening: boolean | undefined;
  let stop: (() => void) | null = null;
  const finish = () => {
    done = true;
    stop?.();
  };
  stop = hub.subscribe(flowId, {
    onEvent: (ev) => {
      if (done || ev.type !== 'event_received') return;
      finish();
      onArrived(ev.event_id ?? '');
    },
    onState: (st) => {
      if (done) return;
      if (st !== 'ended') {
        if (st === 'open' ? !listening : listening !== false) {
          listening = st === 'open';
          onListening?.(listening);
        }
        return;
      }
      finish();
      onFailed();
    },
  });
  if (done) stop();
  return { cancel: () => !done && finish() };
}
