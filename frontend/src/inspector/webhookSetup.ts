// The trigger panel's pure parts: the address to paste into the source system, its setup guide,
// the arrived request in readable form, and copying to the clipboard.
import { listIn, type Preset, type TriggerPayload } from '../api/types';

/** What to append to the webhook address, e.g. ?email={object.email}&phone={object.phone}. */
export function presetUrlTemplate(preset: Preset | undefined): string {
  return preset?.url_template ?? '';
}

/** The ready-to-paste address: the flow's webhook URL followed by the preset's parameters. */
export function readyUrl(webhookUrl: string, preset: Preset | undefined): string {
  return webhookUrl + presetUrlTemplate(preset);
}

/** The preset's setup steps in the language asked, with the flow's address filled in. */
export function guideSteps(preset: Preset | undefined, lang: string, webhookUrl: string): string[] {
  if (!preset) return [];
  const steps = listIn(preset.guide, lang);
  return steps.map((s) => s.split('{webhook_url}').join(webhookUrl));
}

export interface RequestView {
  method: string;
  query: [string, string][];
  /** the body as form fields, when it is a form */
  form: [string, string][] | null;
  /** the body as JSON, when it is JSON */
  json: unknown;
  /** the body as text otherwise ('' when there is none) */
  text: string;
}

function header(p: TriggerPayload, name: string): string {
  for (const [k, v] of Object.entries(p.headers ?? {})) if (k.toLowerCase() === name) return v;
  return '';
}

/** The arrived request as the panel shows it: method, query parameters and the decoded body. */
export function describeRequest(p: TriggerPayload): RequestView {
  const query: [string, string][] =
    typeof p.query === 'string'
      ? [...new URLSearchParams(p.query).entries()]
      : Object.entries(p.query ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  const body = p.body ?? '';
  const type = header(p, 'content-type').toLowerCase();
  const view: RequestView = { method: p.method || 'GET', query, form: null, json: undefined, text: '' };
  if (!body) return view;
  const trimmed = body.trim();
  if (type.includes('json') || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      view.json = JSON.parse(trimmed);
      return view;
    } catch {
      // not JSON after all: shown as text
    }
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    view.form = [...new URLSearchParams(body).entries()];
    return view;
  }
  view.text = body;
  return view;
}

/** The payload for the Test button: the stored request without its stored id. */
export function testPayload(p: TriggerPayload): string {
  const { event_id: _drop, ...rest } = p;
  void _drop;
  return JSON.stringify(rest, null, 2);
}

/**
 * Copies text. The clipboard API needs a secure page (https or localhost); elsewhere the text in
 * `fallback` is selected and copied the old way, and if even that fails it stays selected for
 * Ctrl+C. Resolves to whether the text reached the clipboard.
 */
export async function copyText(text: string, fallback: HTMLInputElement | HTMLTextAreaElement | null): Promise<boolean> {
  try {
    if (typeof navigator !== 'undefined' && navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // refused (no permission, not a secure page): fall through
  }
  if (!fallback) return false;
  fallback.focus();
  fallback.select();
  try {
    return typeof document !== 'undefined' && typeof document.execCommand === 'function' && document.execCommand('copy');
  } catch {
    return false;
  }
}
