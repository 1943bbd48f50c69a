// The Test's sample request as a form: one row per field the source sends (the trigger preset's
// parameters, then the fields the webhook declares, then whatever else the sample carries), each
// with its label in the user's language and its value in the sample. And which request the sample
// is: the newest captured one when there is any, else the preset's example.
import { textIn, type Preset, type Sample, type TriggerPayload } from '../api/types';
import type { HookNode } from '../store/document';
import { samplePayload } from './sample';
import { isTriggerKind } from '../store/catalog';

/** Where the sample request came from; decides whether it may be replaced by itself. */
export type SampleOrigin =
  /** picked: the user chose the example over the captured requests */
  | { kind: 'example'; preset: string; text: string; picked?: boolean }
  /** auto: chosen by itself, so a newer captured request replaces it */
  | { kind: 'captured'; eventId: string; auto?: boolean }
  | { kind: 'edited'; preset: string };

export interface SampleField {
  key: string;
  label: string;
  value: string;
  /** the preset's example, shown as a placeholder */
  example: string;
}

interface Declared {
  key?: unknown;
  label?: unknown;
  example?: unknown;
}

function trigger(nodes: HookNode[]): HookNode | undefined {
  return nodes.find((n) => isTriggerKind(n.data.kind));
}

export function triggerPreset(nodes: HookNode[], presets: Preset[]): Preset | undefined {
  const id = trigger(nodes)?.data.config.preset;
  return presets.find((p) => p.id === id);
}

function presetId(nodes: HookNode[]): string {
  const id = trigger(nodes)?.data.config.preset;
  return typeof id === 'string' ? id : '';
}

/** The stored request as the Test's sample: without its stored id. */
export function capturedPayload(s: Sample): string {
  const { event_id: _drop, ...rest } = s.payload;
  void _drop;
  return JSON.stringify(rest, null, 2);
}

/**
 * What the sample should become by itself, or null to keep it. The user's own choice and typing
 * are kept; otherwise a captured request beats the preset's example (it is what the source really
 * sends), the newest one as requests arrive, and the example follows the preset and the declared
 * fields as they change. Choosing
 * another preset refills the sample from its example unless the sample is a captured request.
 */
export function autoSample(
  payload: string,
  origin: SampleOrigin | null,
  nodes: HookNode[],
  presets: Preset[],
  samples: Sample[],
): { payload: string; origin: SampleOrigin } | null {
  const preset = presetId(nodes);
  const captured = (s: Sample) => ({ payload: capturedPayload(s), origin: { kind: 'captured', eventId: s.event_id, auto: true } as SampleOrigin });
  const example = () => {
    const text = samplePayload(nodes, presets);
    return { payload: text, origin: { kind: 'example', preset, text } as SampleOrigin };
  };
  if (!payload.trim() || !origin) {
    if (samples.length > 0) return captured(samples[0]);
    return presets.length ? example() : null;
  }
  if (origin.kind === 'captured') {
    // One the user chose stays; one chosen by itself follows the newest request.
    return origin.auto && samples.length > 0 && samples[0].event_id !== origin.eventId ? captured(samples[0]) : null;
  }
  if (origin.kind === 'edited') return origin.preset === preset ? null : example();
  // origin is the example: a captured request replaces it (unless the user picked the example),
  // a changed preset or field list refills it.
  if (samples.length > 0 && !origin.picked) return captured(samples[0]);
  const next = example();
  if (origin.picked && next.origin.kind === 'example') next.origin.picked = true;
  return next.payload === payload ? null : next;
}

/** The preset's example, picked by the user over the captured requests. */
export function pickedExample(nodes: HookNode[], presets: Preset[]): { payload: string; origin: SampleOrigin } {
  const text = samplePayload(nodes, presets);
  return { payload: text, origin: { kind: 'example', preset: presetId(nodes), text, picked: true } };
}

function parse(payload: string): TriggerPayload | null {
  try {
    const v = JSON.parse(payload || '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as TriggerPayload) : null;
  } catch {
    return null;
  }
}

function header(p: TriggerPayload, name: string): string {
  for (const [k, v] of Object.entries(p.headers ?? {})) if (k.toLowerCase() === name) return v;
  return '';
}

type Part = 'query' | 'form' | 'json';

/** The sample's top-level values by key, and which part of the request holds each. */
function values(p: TriggerPayload): Map<string, { value: string; part: Part }> {
  const out = new Map<string, { value: string; part: Part }>();
  const text = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v));
  if (typeof p.query === 'string') {
    for (const [k, v] of new URLSearchParams(p.query)) if (!out.has(k)) out.set(k, { value: v, part: 'query' });
  } else if (p.query && typeof p.query === 'object') {
    for (const [k, v] of Object.entries(p.query)) out.set(k, { value: text(Array.isArray(v) ? v[0] : v), part: 'query' });
  }
  const body = (p.body ?? '').trim();
  if (!body) return out;
  if (body.startsWith('{')) {
    try {
      const json = JSON.parse(body) as Record<string, unknown>;
      for (const [k, v] of Object.entries(json)) out.set(k, { value: text(v), part: 'json' });
      return out;
    } catch {
      // not JSON: maybe a form
    }
  }
  if (header(p, 'content-type').toLowerCase().includes('form-urlencoded') || /^[^=&\s]+=/.test(body)) {
    for (const [k, v] of new URLSearchParams(body)) out.set(k, { value: v, part: 'form' });
  }
  return out;
}

/** The form's rows; null when the sample is not readable as a request (shown as raw JSON then). */
export function sampleFields(payload: string, preset: Preset | undefined, nodes: HookNode[], lang: string): SampleField[] | null {
  const p = parse(payload);
  if (!p) return null;
  const have = values(p);
  const rows: SampleField[] = [];
  const seen = new Set<string>();
  const add = (key: string, label: string, example: string) => {
    if (!key || seen.has(key)) return;
    seen.add(key);
    rows.push({ key, label: label || key, value: have.get(key)?.value ?? '', example });
  };
  for (const param of preset?.params ?? []) {
    const label = textIn(param.label, lang);
    add(param.key, label, param.example ?? '');
  }
  const declared = trigger(nodes)?.data.config.fields;
  if (Array.isArray(declared)) {
    for (const f of declared as Declared[]) {
      if (typeof f?.key !== 'string') continue;
      add(f.key, typeof f.label === 'string' ? f.label : '', typeof f.example === 'string' ? f.example : '');
    }
  }
  for (const key of have.keys()) add(key, key, '');
  return rows;
}

/** The sample with one field's value changed, in the part of the request that holds it. */
export function setSampleValue(payload: string, key: string, value: string): string {
  const p = parse(payload) ?? {};
  const part = values(p).get(key)?.part ?? 'query';
  if (part === 'json') {
    const json = JSON.parse(p.body ?? '{}') as Record<string, unknown>;
    json[key] = value;
    p.body = JSON.stringify(json);
  } else if (part === 'form') {
    const form = new URLSearchParams(p.body ?? '');
    form.set(key, value);
    p.body = form.toString();
  } else if (p.query && typeof p.query === 'object') {
    p.query = { ...p.query, [key]: value };
  } else {
    const q = new URLSearchParams(typeof p.query === 'string' ? p.query : '');
    q.set(key, value);
    p.query = q.toString();
  }
  if (!p.method) p.method = 'GET';
  return JSON.stringify(p, null, 2);
}
