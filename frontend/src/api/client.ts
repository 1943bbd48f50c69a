// All calls to the hookflow server. Errors carry the server's `error` and `details[]`.
import { translate, useLang } from '../i18n/i18n';
import type { FlowBody, FlowDocument, FlowView, KindInfo, Preset, Problem, RunView, SamplesView, Template, TestView, Trace } from './types';

/** T with each member that Go may send as null (an empty list) allowed to be null. */
type Nullable<T> = { [K in keyof T]: T[K] | null };

export class ApiError extends Error {
  readonly status: number;
  readonly details: Problem[];
  constructor(status: number, message: string, details: Problem[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.details = details;
  }
}

let base = '';
/** Sets the server address prefix (tests; the page uses its own origin). */
export function setApiBase(prefix: string): void {
  base = prefix.replace(/\/$/, '');
}

/** The CSRF token the server set at sign-in (a readable cookie); repeated on unsafe methods. */
export function csrfToken(cookies: string = typeof document === 'undefined' ? '' : document.cookie): string {
  for (const part of cookies.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'hookflow_csrf') return decodeURIComponent(v.join('='));
  }
  return '';
}

/** Called when the server says the session is gone (401), so the app shows sign-in. */
let onUnauthorized: (() => void) | null = null;
export function setOnUnauthorized(f: (() => void) | null): void {
  onUnauthorized = f;
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  // The server writes its error sentences in the language the user chose here.
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': useLang.getState().lang };
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = csrfToken();
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(base + path, init);
  } catch {
    // The browser's own text ("Failed to fetch") is English whatever the user chose.
    throw new ApiError(0, translate(useLang.getState().lang, 'words.offline'));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (res.status === 401 && !path.startsWith('/api/auth/')) onUnauthorized?.();
  if (!res.ok) {
    const obj = (data ?? {}) as { error?: string; details?: Problem[] };
    throw new ApiError(res.status, obj.error || translate(useLang.getState().lang, 'words.httpStatus', { status: res.status }),
      Array.isArray(obj.details) ? obj.details : []);
  }
  return data as T;
}

/** What saving a flow sends (server/api/views.go FlowBody). */
export type FlowSave = FlowBody;

export interface RunFilter {
  status?: 'success' | 'failed' | 'filtered' | 'waiting';
  /** the language errors are written in */
  lang?: string;
  since?: string;
  until?: string;
  before?: string;
  limit?: number;
}

const enc = encodeURIComponent;

export const api = {
  listFlows: () => call<{ flows: FlowView[] }>('GET', '/api/flows').then((r) => r.flows ?? []),
  getFlow: (id: string) => call<FlowView>('GET', `/api/flows/${enc(id)}`),
  createFlow: (body: FlowSave, draft = true) => call<FlowView>('POST', `/api/flows${draft ? '?draft=1' : ''}`, body),
  updateFlow: (id: string, body: FlowSave, draft = true) =>
    call<FlowView>('PUT', `/api/flows/${enc(id)}${draft ? '?draft=1' : ''}`, body),
  deleteFlow: (id: string) => call<void>('DELETE', `/api/flows/${enc(id)}`),
  startFlow: (id: string) => call<FlowView>('POST', `/api/flows/${enc(id)}/start`),
  stopFlow: (id: string) => call<FlowView>('POST', `/api/flows/${enc(id)}/stop`),
  listTemplates: () => call<{ templates: Template[] }>('GET', '/api/templates').then((r) => r.templates ?? []),
  instantiate: (id: string, name: string, inputs: Record<string, string>) =>
    call<FlowView>('POST', `/api/templates/${enc(id)}/instantiate`, { name, inputs }),
  kinds: () => call<{ kinds: KindInfo[] }>('GET', '/api/kinds').then((r) => r.kinds ?? []),
  presets: () => call<{ presets: Preset[] }>('GET', '/api/presets').then((r) => r.presets ?? []),
  listRuns: (flowId: string, f: RunFilter = {}) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') q.set(k, String(v));
    const qs = q.toString();
    return call<{ runs: RunView[] }>('GET', `/api/flows/${enc(flowId)}/runs${qs ? '?' + qs : ''}`).then((r) => r.runs ?? []);
  },
  getRun: (id: string) => call<RunView>('GET', `/api/runs/${enc(id)}`),
  /** The editor's Test run by the server's engine in preview mode (nothing sent; see engine/preview.ts). */
  preview: (flowId: string, document: FlowDocument, payload: unknown, inputs: Record<string, string>, lang: string) =>
    call<Trace>('POST', `/api/flows/${enc(flowId)}/preview`, { document, payload, inputs, lang }),
  test: (flowId: string, payload: unknown, document?: FlowDocument) =>
    call<TestView>('POST', `/api/flows/${enc(flowId)}/test`, document ? { payload, document } : { payload }),
  samples: (flowId: string) =>
    // Go sends null for an empty list.
    call<Nullable<SamplesView>>('GET', `/api/flows/${enc(flowId)}/samples`).then((r) => ({
      samples: r.samples ?? [],
      fields: r.fields ?? [],
    })),
};
