// Which values of a flow can become template inputs: every non-empty text in a step's config
// that is not already just a reference ({{…}}), with the path the server expects.
import type { FlowDocument } from '../api/types';
import { isTriggerKind } from '../store/catalog';

export interface Promotable {
  node: string;
  field: string; // "url", "headers.1.value"
  value: string;
  key: string; // a suggested input name
}

const onlyReference = /^\s*\{\{[^}]*\}\}\s*$/;

function walk(v: unknown, path: string[], out: (path: string[], s: string) => void): void {
  if (typeof v === 'string') {
    out(path, v);
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => walk(x, [...path, String(i)], out));
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) walk(x, [...path, k], out);
  }
}

export function suggestKey(node: string, field: string): string {
  const k = `${node}_${field}`.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
  return /^[a-z_]/.test(k) ? k : `v_${k}`;
}

export function promotable(doc: FlowDocument): Promotable[] {
  const out: Promotable[] = [];
  for (const n of doc.nodes) {
    if (isTriggerKind(n.kind)) continue; // the trigger's preset and fields describe the source
    walk(n.config, [], (path, s) => {
      if (!s.trim() || onlyReference.test(s) || path.length === 0) return;
      const last = path[path.length - 1];
      if (last === 'key' || last === 'method' || last === 'kind' || last === 'body_type' || last === 'op' || last === 'match') return;
      const field = path.join('.');
      out.push({ node: n.id, field, value: s, key: suggestKey(n.id, field) });
    });
  }
  return out;
}
