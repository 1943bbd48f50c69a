// Mapping by pointing: the inspector's last focused template field registers itself here, and a
// click on a value shown after a Test (a step's input, a captured request) inserts that value's
// {{reference}} into it. refOf turns "where the value sits" into the reference the engine
// resolves (flows/run.go: a step's output is scope[node id], the trigger's also scope.trigger).
import { create } from 'zustand';
import type { GraphEdge } from './model';
import { joinPath } from './model';

export interface ActiveField {
  nodeId: string;
  /** the field's element id, to mark it while values can be clicked */
  fieldId: string;
  label: string;
  /** inserts text at the field's last caret (or over its selection) */
  insert(text: string): void;
  /**
   * Set for a field holding a path inside what the step reads (Field.path, e.g. a JSON parser's
   * field paths): a click on a value of the step's input calls it with where the value sits
   * (request[0].client_phone) and the value's name (client_phone), instead of inserting a
   * {{reference}}; then only the input's values are clickable.
   */
  insertPath?(path: string, name: string): void;
}

interface PointingState {
  field: ActiveField | null;
  setField(f: ActiveField): void;
  /** forgets the field when it is the one given (it was removed from the page) */
  clear(fieldId: string): void;
}

export const usePointing = create<PointingState>((set, get) => ({
  field: null,
  setField: (field) => set({ field }),
  clear: (fieldId) => {
    if (get().field?.fieldId === fieldId) set({ field: null });
  },
}));

/** Where a shown value came from: the output of a node, or the trigger's (or a captured request's) data. */
export interface ValueSource {
  /** the node whose output this is; '' with viaInput for "the step's input" fed by several steps */
  node: string;
  trigger: boolean;
  /** the value is the input of a step with several incoming steps: only {{input…}} names it */
  viaInput?: boolean;
}

/**
 * The reference of a value at path inside a source's data. For the trigger, a field repeated
 * from the query or the form into params is referred to by params, as the picker does.
 */
export function refOf(src: ValueSource, path: (string | number)[], data: unknown): string {
  if (src.viaInput) return joinPath(['input', ...path]);
  if (!src.trigger) return joinPath([src.node, ...path]);
  const [head, key, ...rest] = path;
  if ((head === 'query' || head === 'form' || head === 'json') && key !== undefined && data && typeof data === 'object') {
    const params = (data as Record<string, unknown>).params;
    if (params && typeof params === 'object' && Object.prototype.hasOwnProperty.call(params, key)) {
      return joinPath(['trigger', 'params', key, ...rest]);
    }
  }
  return joinPath(['trigger', ...path]);
}

/**
 * What fed a step's input: the single step before it, or (several before it) the input itself.
 * Null for the trigger, which has no input.
 */
export function inputSource(nodeId: string, edges: GraphEdge[], triggerId: string | undefined): ValueSource | null {
  if (nodeId === triggerId) return null;
  const from = [...new Set(edges.filter((e) => e.target === nodeId).map((e) => e.source))];
  if (from.length === 1) return { node: from[0], trigger: from[0] === triggerId };
  return { node: '', trigger: false, viaInput: true };
}

const BARE = /^[\p{L}_\-$@][\p{L}\p{N}_\-$@]*$/u;

/** A path as a JSON parser reads it (flows/path.go): request[0].client_phone, ["client name"]. */
export function pathText(path: (string | number)[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (BARE.test(p)) out += out === '' ? p : '.' + p;
    else out += '["' + p.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"]';
  }
  return out;
}

/**
 * Where a value of a step's input sits inside what a JSON parser parses from that input: an
 * HTTP answer ({status, body, json}) is parsed from its json, so json.request[0].id is
 * request[0].id; the answer's status or headers are not in it (null: not clickable).
 */
export function parsedPath(input: unknown, path: (string | number)[]): string | null {
  if (input && typeof input === 'object' && !Array.isArray(input) && 'json' in input && 'status' in input) {
    if (path[0] !== 'json' || path.length < 2) return null;
    return pathText(path.slice(1));
  }
  return path.length ? pathText(path) : null;
}

/** The name a path's value is known by: its last key (request[0].client_phone → client_phone). */
export function nameOfPath(path: (string | number)[]): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return path[i] as string;
  return '';
}
