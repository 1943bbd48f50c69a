// "Wait for a test request": listens on the flow's live log for the next request its webhook
// stores (active or stopped, the server announces it as event_received).
export interface SocketLike {
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  close(): void;
}

export type SocketFactory = (url: string) => SocketLike;

const browserSocket: SocketFactory = (url) => new WebSocket(url) as unknown as SocketLike;

/** The websocket address of a flow's live log on the page's own server. */
export function liveUrl(flowId: string, loc: { protocol: string; host: string } = window.location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/api/flows/${encodeURIComponent(flowId)}/live`;
}

export interface Waiting {
  cancel(): void;
}

/**
 * Calls onArrived once with the stored event's id ('' from a server that does not send it) when
 * the next request arrives, or onFailed when the connection ends first. Either ends the wait.
 */
export function waitForRequest(
  url: string,
  onArrived: (eventId: string) => void,
  onFailed: (reason: string) => void,
  open: SocketFactory = browserSocket,
): Waiting {
  let done = false;
  const ws = open(url);
  const finish = () => {
    done = true;
    ws.onmessage = ws.onerror = ws.onclose = null;
    ws.close();
  };
  ws.onmessage = (ev) => {
    if (done) return;
    let msg: { type?: string; event_id?: string };
    try {
      msg = JSON.parse(String(ev.data));
    } catch {
      return;
    }
    if (msg.type !== 'event_received') return;
    finish();
    onArrived(msg.event_id ?? '');
  };
  const failed = (reason: string) => {
    if (done) return;
    finish();
    onFailed(reason);
  };
  ws.onerror = () => failed('');
  ws.onclose = (ev) => failed(ev?.reason ?? '');
  return { cancel: () => !done && finish() };
}
