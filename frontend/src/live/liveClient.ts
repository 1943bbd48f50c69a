// The live log's websocket client: GET /api/flows/{id}/live. It keeps the last sequence number it
// saw and reconnects with ?since=<seq> after any close but the server's "your sign-in ended", waiting longer after each failed attempt, so
// a dropped connection (server restart, "too slow" close 1013, network blip) loses no event and
// shows none twice. A `gap` event means the events after our cursor are gone: the page reloads its
// recent runs from the journal and the cursor moves to the gap's seq (see server/live/doc.go).
import type { StepTrace } from '../api/types';

export type LiveEventType = 'event_received' | 'run_started' | 'step_started' | 'step_finished' | 'run_finished' | 'gap';

export interface LiveEvent {
  seq: number;
  flow_id?: string;
  run_id?: string;
  type: LiveEventType;
  node?: string;
  step?: StepTrace;
  status?: string;
  /** run_finished, status waiting at a Delay step: when the run goes on */
  until?: string;
  at: string;
  /** the failed step's or run's error in each language ("en", "ru") */
  error_text?: Record<string, string>;
}

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
