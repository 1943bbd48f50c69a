// API calls of the journal, live log, version history and flows list actions (the editor's
// calls are in client.ts), and the trace shapes they show.
import { call } from './client';
import type { FlowDocument, FlowView, RunView, StepTrace } from './types';

export interface KeyVal {
  key: string;
  value: string;
  secret?: boolean;
}

/** An http step's exchange (flows/trace.go HTTPExchange). */
export interface HTTPDetail {
  sent: boolean;
  request: { method: string; url: string; headers?: KeyVal[]; body?: string };
  response?: { status: number; headers?: Record<string, string>; body?: string };
  attempts?: Array<{ status?: number; error?: string; duration_ms: number; wait_ms?: number }>;
}

export function httpOf(step: StepTrace): HTTPDetail | null {
  const h = step.http as unknown as HTTPDetail | undefined;
  return h && typeof h === 'object' && h.request ? h : null;
}

/** A stored webhook request (GET /api/flows/{id}/samples); status "sample": kept while the flow was stopped. */
export interface CapturedRequest {
  event_id: string;
  status: string;
  received_at: string;
  payload: { method?: string; query?: unknown; headers?: Record<string, string>; body?: string };
}

export interface VersionInfo {
  version: number;
  created_at: string;
}

const enc = encodeURIComponent;

export const runsApi = {
  retryRun: (id: string) => call<{ ok: boolean; event_id: string }>('POST', `/api/runs/${enc(id)}/retry`),
  replayEvent: (flowId: string, eventId: string) =>
    call<{ ok: boolean; event_id: string }>('POST', `/api/flows/${enc(flowId)}/events/${enc(eventId)}/replay`),
  captured: (flowId: string) =>
    call<{ samples: CapturedRequest[] }>('GET', `/api/flows/${enc(flowId)}/samples?limit=50`).then((r) => r.samples ?? []),
  /** The run with its trace; errors are rendered in lang (the server keeps their codes). */
  getRun: (id: string, lang = 'en') => call<RunView>('GET', `/api/runs/${enc(id)}?lang=${enc(lang)}`),
  versions: (flowId: string) =>
    call<{ versions: VersionInfo[] }>('GET', `/api/flows/${enc(flowId)}/versions`).then((r) => r.versions ?? []),
  version: (flowId: string, v: number) =>
    call<{ version: number; document: FlowDocument }>('GET', `/api/flows/${enc(flowId)}/versions/${v}`),
  restoreVersion: (flowId: string, v: number) => call<FlowView>('POST', `/api/flows/${enc(flowId)}/versions/${v}/restore`),
  duplicateFlow: (flowId: string, name?: string) =>
    call<FlowView>('POST', `/api/flows/${enc(flowId)}/duplicate`, name ? { name } : {}),
  importFlow: (doc: unknown) => call<FlowView>('POST', '/api/flows/import', doc),
  /** Webhooks per day and status for the charts: one flow's, or every flow's of the team. */
  daily: (flowId: string | null, tz: string, days = 14) =>
    call<DailyCounts>('GET', `${flowId ? `/api/flows/${enc(flowId)}/runs/daily` : '/api/runs/daily'}?days=${days}${tz ? `&tz=${enc(tz)}` : ''}`),
};

/** Counts per flow and status, one number per day of `days` (YYYY-MM-DD, oldest first). */
export interface DailyCounts {
  timezone: string;
  days: string[];
  flows: Record<string, DayStatusCounts>;
}

export interface DayStatusCounts {
  success: number[];
  failed: number[];
  filtered: number[];
  waiting: number[];
}

/** Download addresses (same origin; the server sends Content-Disposition with the file name). */
export const exportURL = (flowId: string) => `/api/flows/${enc(flowId)}/export`;
export const templateURL = (flowId: string) => `/api/flows/${enc(flowId)}/template`;
