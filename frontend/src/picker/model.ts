// The variable picker's model: which {{…}} references the node being edited may use, collected
// from the trigger's preset, the fields learned from captured requests, the last preview's step
// outputs and the flow's settings. Pure, so it is unit-tested; the syntax follows flows/path.go
// and flows/template.go (bare names are letters, digits, _ - $ @; anything else goes in ["…"]).
import { textIn, type LearnedField, type Preset, type StepTrace } from '../api/types';

export type GroupId = 'trigger' | 'samples' | 'steps' | 'inputs' | 'event';

export interface Ref {
  /** what goes between the braces, e.g. trigger.params.email */
  path: string;
  /** a human name (the preset's label, the input's label) or '' */
  label: string;
  /** an example value, shortened */
  example: string;
}

export interface RefGroup {
  id: GroupId;
  /** the node id for a step group, '' for the others */
  node: string;
  /** the step's name for a step group */
  title: string;
  refs: Ref[];
}

export interface GraphNode {
  id: string;
  kind: string;
  name?: string;
  config: Record<string, unknown>;
}

export interface GraphEdge {
  source: string;
  target: string;
}

export interface PickerSources {
  /** the node whose field is being edited */
  nodeId: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  presets: Preset[];
  learned: LearnedField[];
  /** the last preview's steps by node id */
  steps: Record<string, StepTrace>;
  inputs: { key: string; label?: string; default?: string }[];
  lang: string;
}

const MAX_DEPTH = 6;
const MAX_REFS_PER_STEP = 200;
const EXAMPLE_LEN = 60;
const NAME = /^[\p{L}\p{N}_\-$@]+$/u;

/** One path segment as the engine's path parser reads it back. */
export function segment(key: string | number): string {
  if (typeof key === 'number') return String(key);
  if (NAME.test(key)) return key;
  return '["' + key.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"]';
}

/** Joins segments into a reference: bare names with dots, bracketed ones without. */
export function joinPath(parts: (string | number)[]): string {
  let out = '';
  for (const p of parts) {
    const s = segment(p);
    out += out === '' || s.startsWith('[') ? s : '.' + s;
  }
  return out;
}

/** The last name in a reference (trigger.params.first_name → first_name) for a field without a label. */
export function lastName(path: string): string {
  const m = /(?:\.|\[")([^.[\]"]+)"?\]?$/.exec(path);
  return m ? m[1] : path;
}

/** The {{…}} text to insert for a reference. */
export function expression(path: string): string {
  return `{{${path}}}`;
}

function shorten(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = '';
  else if (typeof v === 'string') s = v;
  else s = JSON.stringify(v);
  return s.length > EXAMPLE_LEN ? s.slice(0, EXAMPLE_LEN - 1) + '…' : s;
}

/**
 * Flattens a value to the paths of its leaves: objects by member, lists by their first item only
 * (a flow usually wants "the first result"; listing every item would drown the picker).
 */
export function flatten(value: unknown, prefix: (string | number)[], limit = MAX_REFS_PER_STEP): Ref[] {
  const out: Ref[] = [];
  const walk = (v: unknown, at: (string | number)[], depth: number) => {
    if (out.length >= limit) return;
    if (Array.isArray(v)) {
      if (v.length === 0 || depth >= MAX_DEPTH) out.push({ path: joinPath(at), label: '', example: shorten(v) });
      else walk(v[0], [...at, 0], depth + 1);
      return;
    }
    if (v && typeof v === 'object') {
      const keys = Object.keys(v as Record<string, unknown>);
      if (keys.length === 0 || depth >= MAX_DEPTH) {
        out.push({ path: joinPath(at), label: '', example: shorten(v) });
        return;
      }
      for (const k of keys) walk((v as Record<string, unknown>)[k], [...at, k], depth + 1);
      return;
    }
    out.push({ path: joinPath(at), label: '', example: shorten(v) });
  };
  walk(value, prefix, 0);
  return out;
}

/** The nodes that run before nodeId on some path (what the engine allows a template to use). */
export function upstreamOf(nodeId: string, edges: GraphEdge[]): Set<string> {
  const into = new Map<string, string[]>();
  for (const e of edges) into.set(e.target, [...(into.get(e.target) ?? []), e.source]);
  const seen = new Set<string>();
  const stack = [nodeId];
  while (stack.length) {
    const cur = stack.pop()!;
    for (const from of into.get(cur) ?? []) {
      if (!seen.has(from)) {
        seen.add(from);
        stack.push(from);
      }
    }
  }
  return seen;
}

/** The trigger step's output without its duplicates: query, form and json are merged into params. */
function triggerRefs(output: unknown): Ref[] {
  if (!output || typeof output !== 'object') return [];
  const o = output as Record<string, unknown>;
  const out: Ref[] = [];
  for (const k of ['params', 'headers']) if (o[k] !== undefined) out.push(...flatten(o[k], ['trigger', k]));
  for (const k of ['method', 'body']) if (o[k] !== undefined) out.push({ path: `trigger.${k}`, label: '', example: shorten(o[k]) });
  return out;
}

function addUnique(refs: Ref[], seen: Set<string>, r: Ref) {
  if (seen.has(r.path)) return;
  seen.add(r.path);
  refs.push(r);
}

/** Collects every reference the node may use, grouped; empty groups are left out. */
export function collectRefs(s: PickerSources): RefGroup[] {
  const trigger = s.nodes.find((n) => n.kind === 'webhook');
  const seen = new Set<string>();
  const groups: RefGroup[] = [];

  // (a) what the trigger expects: its preset's parameters and the fields declared on the node
  const triggerGroup: RefGroup = { id: 'trigger', node: trigger?.id ?? '', title: trigger?.name ?? '', refs: [] };
  const preset = s.presets.find((p) => p.id === trigger?.config.preset);
  // the example is what the last Test or a captured request carried, else the preset's own
  const tested = (trigger && (s.steps[trigger.id]?.output as { params?: Record<string, unknown> } | undefined)?.params) || {};
  const seenIn = new Map(s.learned.map((f) => [f.key, f.example]));
  for (const p of preset?.params ?? []) {
    const label = p.label && typeof p.label === 'object' ? textIn(p.label as { en: string; ru?: string }, s.lang) : '';
    const example = tested[p.key] ?? seenIn.get(p.key) ?? p.example ?? '';
    addUnique(triggerGroup.refs, seen, { path: joinPath(['trigger', 'params', p.key]), label, example: shorten(example) });
  }
  const declared = trigger?.config.fields;
  if (Array.isArray(declared)) {
    for (const f of declared as { key?: unknown; label?: unknown; example?: unknown }[]) {
      if (typeof f?.key !== 'string' || !f.key) continue;
      addUnique(triggerGroup.refs, seen, {
        path: joinPath(['trigger', 'params', f.key]),
        label: typeof f.label === 'string' ? f.label : '',
        example: shorten(typeof f.example === 'string' ? f.example : ''),
      });
    }
  }
  if (triggerGroup.refs.length) groups.push(triggerGroup);

  // (b) what captured requests actually carried
  const samples: RefGroup = { id: 'samples', node: '', title: '', refs: [] };
  for (const f of s.learned) addUnique(samples.refs, seen, { path: joinPath(['trigger', 'params', f.key]), label: '', example: shorten(f.example) });
  if (samples.refs.length) groups.push(samples);

  // (c) outputs of the steps that run before this node, as the last preview produced them
  const before = upstreamOf(s.nodeId, s.edges);
  for (const n of s.nodes) {
    if (!before.has(n.id)) continue;
    const step = s.steps[n.id];
    if (!step || step.output === undefined) continue;
    const isTrigger = n.id === trigger?.id;
    const refs = isTrigger ? triggerRefs(step.output) : flatten(step.output, [n.id]);
    const g: RefGroup = { id: 'steps', node: n.id, title: n.name || n.id, refs: [] };
    for (const r of refs) addUnique(g.refs, seen, r);
    if (g.refs.length) groups.push(g);
  }

  // the flow's settings, and the stored request's id
  const inputs: RefGroup = { id: 'inputs', node: '', title: '', refs: [] };
  for (const i of s.inputs) {
    if (i.key) addUnique(inputs.refs, seen, { path: joinPath(['inputs', i.key]), label: i.label ?? '', example: shorten(i.default ?? '') });
  }
  if (inputs.refs.length) groups.push(inputs);
  groups.push({ id: 'event', node: '', title: '', refs: [{ path: 'event.id', label: '', example: '' }] });
  return groups;
}

/** Keeps the references whose path, label or example contains every word of the query. */
export function filterRefs(groups: RefGroup[], query: string): RefGroup[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return groups;
  return groups
    .map((g) => ({
      ...g,
      refs: g.refs.filter((r) => {
        const hay = `${r.path} ${r.label} ${r.example} ${g.title}`.toLowerCase();
        return words.every((w) => hay.includes(w));
      }),
    }))
    .filter((g) => g.refs.length > 0);
}

/** Inserts text over the selection [start, end) and returns the new value and caret. */
export function insertAt(value: string, start: number | null, end: number | null, text: string): { value: string; caret: number } {
  const s = Math.max(0, Math.min(start ?? value.length, value.length));
  const e = Math.max(s, Math.min(end ?? s, value.length));
  return { value: value.slice(0, s) + text + value.slice(e), caret: s + text.length };
}
