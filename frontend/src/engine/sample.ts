import type { Preset } from '../api/types';
import type { HookNode } from '../store/document';
import { isTriggerKind } from '../store/catalog';

/**
 * The sample request for the Test button: the trigger preset's sample query, plus a test value
 * for each field the webhook node declares that the sample lacks (generic presets have none).
 */
export function samplePayload(nodes: HookNode[], presets: Preset[]): string {
  const trigger = nodes.find((n) => isTriggerKind(n.data.kind));
  const presetId = trigger?.data.config.preset;
  const preset = presets.find((p) => p.id === presetId);
  const query = new URLSearchParams(
    preset?.sample_query ?? (preset?.params ?? []).map((p) => [p.key, p.example ?? '']),
  );
  const declared = trigger?.data.config.fields;
  if (Array.isArray(declared)) {
    for (const f of declared as { key?: unknown; example?: unknown }[]) {
      if (typeof f?.key !== 'string' || !f.key || query.has(f.key)) continue;
      query.set(f.key, typeof f.example === 'string' && f.example ? f.example : 'test');
    }
  }
  return JSON.stringify({ method: 'GET', query: query.toString() }, null, 2);
}

/** The Test panel's sample request as a value; undefined when it is not JSON (empty means {}). */
export function parsePayload(text: string): { body: unknown } | undefined {
  try {
    return { body: JSON.parse(text || '{}') };
  } catch {
    return undefined;
  }
}
