// API calls of the journal, live log, version history and flows list actions (the editor's
// calls are in client.ts). Their shapes are generated from Go (types.ts).
import { call } from './client';
import type { AcceptedView, Daily, FlowDocument, FlowView, HTTPExchange, RunView, Sample, StepTrace, VersionView } from './types';

/** An http step's exchange, when it has one. */
export function httpOf(step: StepTrace): HTTPExchange | null {
  const h = step.http;
  return h && typeof h === 'object' && h.request ? h : null;
}

const enc = encodeURIComponent;

export const runsApi = {
  retryRun: (id: string) => call<AcceptedView>('POST', `/api/runs/${enc(id)}/retry`),
  replayEvent: (flowId: string, eventId: string) =>
    call<AcceptedView>('POST', `/api/flows/${enc(flowId)}/events/${enc(eventId)}/replay`),
  captured: (flowId: string) =>
    call<{ samples: Sample[] | null }>('GET', `/api/flows/${enc(flowId)}/samples?limit=50`).then((r) => r.samples ?? []),
  /** The run with its trace; errors are rendered in lang (the server keeps their codes). */
  getRun: (id: string, lang = 'en') => call<RunView>('GET', `/api/runs/${enc(id)}?lang=${enc(lang)}`),
  versions: (flowId: string) =>
    call<{ versions: VersionView[] | null }>('GET', `/api/flows/${enc(flowId)}/versions`).then((r) => r.versions ?? []),
  version: (flowId: string, v: number) =>
    call<{ version: number; document: FlowDocument }>('GET', `/api/flows/${enc(flowId)}/versions/${v}`),
  restoreVersion: (flowId: string, v: number) => call<FlowView>('POST', `/api/flows/${enc(flowId)}/versions/${v}/restore`),
  duplicateFlow: (flowId: string, name?: string) =>
    call<FlowView>('POST', `/api/flows/${enc(flowId)}/duplicate`, name ? { name } : {}),
  importFlow: (doc: unknown) => call<FlowView>('POST', '/api/flows/import', doc),
  /** Webhooks per day and status for the charts (one count per day, oldest first): one flow's, or every flow's of the team. */
  daily: (flowId: string | null, tz: string, days = 14) =>
    call<Daily>('GET', `${flowId ? `/api/flows/${enc(flowId)}/runs/daily` : '/api/runs/daily'}?days=${days}${tz ? `&tz=${enc(tz)}` : ''}`),
};

/** Download addresses (same origin; the server sends Content-Disposition with the file name). */
export const exportURL = (flowId: string) => `/api/flows/${enc(flowId)}/export`;
export const templateURL = (flowId: string) => `/api/flows/${enc(flowId)}/template`;
