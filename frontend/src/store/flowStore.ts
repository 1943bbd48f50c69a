// The editor's state in one store: the graph, selection, undo/redo, whether it differs from the
// saved flow, last preview, validation problems, the Test payload and the requests the webhook
// captured.
import { create } from 'zustand';
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react';
import type { Field, FlowDocument, LearnedField, Problem, Sample, StepTrace, Trace } from '../api/types';
import { edgeId, fromDocument, toDocument, type DocMeta, type Graph, type HookEdge, type HookNode } from './document';
import { layoutPositions } from './layout';
import { isTriggerKind, useCatalog } from './catalog';

export { isTriggerKind } from './catalog';
import { freeOutput, outputsOf } from '../nodes/outputs';

export { fromDocument, toDocument } from './document';

const HISTORY_LIMIT = 100;
const EDIT_COALESCE_MS = 1000;

export interface FlowState extends Graph {
  flowId: string | null;
  selectedId: string | null;
  past: Graph[];
  future: Graph[];
  /** whether the document differs from the one last loaded or saved (undo back to it: false) */
  dirty: boolean;
  /** documentKey of the document last loaded or saved */
  savedKey: string;
  trace: Trace | null;
  /** whether the trace is of a run sent for real (Send for real) rather than a preview */
  traceSent: boolean;
  steps: Record<string, StepTrace>;
  /** the flow's problems: from the server on load and save, then from live validation */
  problems: Problem[];
  /** the Test button's sample request (JSON text) */
  payload: string;
  /** the flow's webhook address, without the preset's parameters */
  webhookUrl: string;
  /** requests the webhook captured, newest first, and the parameters they carried */
  samples: Sample[];
  learned: LearnedField[];

  load(doc: FlowDocument, flowId?: string | null, webhookUrl?: string): void;
  document(): FlowDocument;
  onNodesChange(changes: NodeChange<HookNode>[]): void;
  onEdgesChange(changes: EdgeChange<HookEdge>[]): void;
  connect(c: Connection): void;
  addNode(kind: string, position: { x: number; y: number }, config?: Record<string, unknown>, name?: string): string;
  /** adds a step from the palette and joins it to the selected step, or to the last one (one undo step) */
  dropNode(kind: string, position: { x: number; y: number }): string;
  removeNode(id: string): void;
  updateNode(id: string, patch: { name?: string; config?: Record<string, unknown> }): void;
  setMeta(patch: Partial<DocMeta>): void;
  select(id: string | null): void;
  snapshot(): void;
  undo(): void;
  redo(): void;
  setTrace(t: Trace | null, sent?: boolean): void;
  /** records `saved` (by default the current document) as what the server holds */
  markSaved(flowId?: string, saved?: FlowDocument): void;
  autoLayout(): void;
  setProblems(p: Problem[]): void;
  setPayload(p: string): void;
  setSamples(samples: Sample[], learned: LearnedField[]): void;
}

function graphOf(s: Graph): Graph {
  return { meta: s.meta, nodes: s.nodes, edges: s.edges };
}

function uniqueId(kind: string, nodes: HookNode[]): string {
  const taken = new Set(nodes.map((n) => n.id));
  const stem = kind.replace(/[^a-z0-9_]/gi, '_') || 'node';
  for (let i = 1; ; i++) {
    const id = `${stem}${i}`;
    if (!taken.has(id)) return id;
  }
}

/**
 * The document as a string that is equal for equal documents whatever their members' order: the
 * editor is "unsaved" exactly when this differs from the saved document's.
 */
export function documentKey(doc: FlowDocument): string {
  return JSON.stringify(doc, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v as Record<string, unknown>).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

export const emptyDocument = (name = ''): FlowDocument => ({ schema: 1, name, nodes: [], edges: [] });

export const useFlowStore = create<FlowState>()((set, get) => {
  /** records the current graph for undo; call before a change */
  let lastEdit: { id: string; at: number } | null = null;
  const push = () => {
    lastEdit = null;
    const s = get();
    // a snapshot just taken is not taken twice: one undo step per edit
    const top = s.past[s.past.length - 1];
    if (top && top.nodes === s.nodes && top.edges === s.edges && top.meta === s.meta) return;
    set({ past: [...s.past, graphOf(s)].slice(-HISTORY_LIMIT), future: [] });
  };
  /** sets a change to the graph and whether the result differs from the saved document */
  const change = (patch: Partial<FlowState> | ((s: FlowState) => Partial<FlowState>)) => {
    set(patch);
    const s = get();
    const dirty = documentKey(toDocument(s)) !== s.savedKey;
    if (dirty !== s.dirty) set({ dirty });
  };
  return {
    ...fromDocument(emptyDocument()),
    savedKey: documentKey(toDocument(fromDocument(emptyDocument()))),
    flowId: null,
    selectedId: null,
    past: [],
    future: [],
    dirty: false,
    trace: null,
    traceSent: false,
    steps: {},
    problems: [],
    payload: '',
    webhookUrl: '',
    samples: [],
    learned: [],

    load(doc, flowId = null, webhookUrl = '') {
      const graph = fromDocument(doc);
      set({
        ...graph, flowId, selectedId: null, past: [], future: [], dirty: false, savedKey: documentKey(toDocument(graph)),
        trace: null, steps: {}, problems: [], payload: '', webhookUrl, samples: [], learned: [],
      });
    },
    document() {
      return toDocument(get());
    },
    onNodesChange(changes) {
      const structural = changes.some((c) => c.type === 'remove' || c.type === 'add');
      if (structural) push();
      const s = get();
      const nodes = applyNodeChanges(changes, s.nodes);
      const removed = new Set(changes.filter((c) => c.type === 'remove').map((c) => (c as { id: string }).id));
      const edges = removed.size ? s.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)) : s.edges;
      const moved = changes.some((c) => c.type === 'position' && c.dragging === false);
      const selected = changes.filter((c) => c.type === 'select');
      let selectedId = s.selectedId;
      for (const c of selected) {
        if (c.type === 'select') {
          if (c.selected) selectedId = c.id;
          else if (selectedId === c.id) selectedId = null;
        }
      }
      if (selectedId && removed.has(selectedId)) selectedId = null;
      // Selecting and measuring do not change the document; only those changes skip the comparison.
      if (structural || moved || changes.some((c) => c.type === 'position' || c.type === 'replace')) change({ nodes, edges, selectedId });
      else set({ nodes, edges, selectedId });
    },
    onEdgesChange(changes) {
      const structural = changes.some((c) => c.type === 'remove' || c.type === 'add');
      if (structural) push();
      const s = get();
      change({ edges: applyEdgeChanges(changes, s.edges) });
    },
    connect(c) {
      const s = get();
      if (!canConnect(c, s.nodes, s.edges)) return;
      push();
      change((s) => ({ edges: [...s.edges, newEdge(c.source, c.target, c.sourceHandle || undefined)] }));
    },
    addNode(kind, position, config, name = '') {
      push();
      const node = newNode(kind, position, get().nodes, config, name);
      change((s) => ({ nodes: [...s.nodes, node], selectedId: node.id }));
      return node.id;
    },
    dropNode(kind, position) {
      push();
      const s = get();
      const node = newNode(kind, position, s.nodes);
      const join = joinFor(node, s.nodes, s.edges, s.selectedId);
      const edges = join && canConnect(join, [...s.nodes, node], s.edges)
        ? [...s.edges, newEdge(join.source, join.target, join.sourceHandle ?? undefined)]
        : s.edges;
      change({
        nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...node, selected: true }],
        edges, selectedId: node.id,
      });
      return node.id;
    },
    removeNode(id) {
      push();
      change((s) => ({
        nodes: s.nodes.filter((n) => n.id !== id),
        edges: s.edges.filter((e) => e.source !== id && e.target !== id),
        selectedId: s.selectedId === id ? null : s.selectedId,
      }));
    },
    updateNode(id, patch) {
      // Typing into one node's form is one undo step, not one per keystroke.
      const now = Date.now();
      if (!(lastEdit && lastEdit.id === id && now - lastEdit.at < EDIT_COALESCE_MS)) push();
      lastEdit = { id, at: now };
      change((s) => {
        const nodes = s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n));
        // a line leaving by an output the new settings no longer have (a removed route) goes too
        const node = nodes.find((n) => n.id === id);
        const outs = patch.config && node ? outputsOf(node.data.kind, undefined, node.data.config).map((o) => o.name) : [];
        const edges = s.edges.filter((e) => e.source !== id || !e.sourceHandle || !outs.length || outs.includes(e.sourceHandle));
        return edges.length === s.edges.length ? { nodes } : { nodes, edges };
      });
    },
    setMeta(patch) {
      push();
      change((s) => ({ meta: { ...s.meta, ...patch } }));
    },
    select(id) {
      set((s) => ({ selectedId: id, nodes: s.nodes.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })) }));
    },
    snapshot() {
      push();
    },
    undo() {
      const s = get();
      const prev = s.past[s.past.length - 1];
      if (!prev) return;
      change({ ...prev, past: s.past.slice(0, -1), future: [graphOf(s), ...s.future] });
    },
    redo() {
      const s = get();
      const next = s.future[0];
      if (!next) return;
      change({ ...next, past: [...s.past, graphOf(s)], future: s.future.slice(1) });
    },
    setTrace(t, sent = false) {
      const steps: Record<string, StepTrace> = {};
      for (const st of t?.steps ?? []) steps[st.node] = st;
      set({ trace: t, traceSent: sent, steps });
    },
    markSaved(flowId, saved) {
      // What was sent may be older than the editor by now (edits during the save): compare with it.
      change((s) => ({ savedKey: documentKey(saved ?? toDocument(s)), flowId: flowId ?? s.flowId }));
    },
    autoLayout() {
      const s = get();
      if (s.nodes.length === 0) return;
      push();
      const pos = layoutPositions(s.nodes, s.edges);
      change({ nodes: s.nodes.map((n) => ({ ...n, position: pos[n.id] ?? n.position })) });
    },
    setProblems(problems) {
      set({ problems });
    },
    setPayload(payload) {
      set({ payload });
    },
    setSamples(samples, learned) {
      set({ samples, learned });
    },
  };
});

function newNode(kind: string, position: { x: number; y: number }, nodes: HookNode[], config?: Record<string, unknown>, name = ''): HookNode {
  // A new step starts with its kind's defaults, so the form shows what the flow holds.
  config ??= defaultConfig(useCatalog.getState().kinds.find((k) => k.kind === kind)?.fields ?? []);
  const id = uniqueId(kind, nodes);
  return { id, type: 'hook', position, data: { kind, name, config, extra: {}, hadPosition: true } };
}

function newEdge(source: string, target: string, branch?: string): HookEdge {
  return { id: edgeId(source, target, branch), source, target, sourceHandle: branch ?? null, label: branch, data: { extra: {} } };
}


interface Link {
  source: string | null;
  target: string | null;
  sourceHandle?: string | null;
}

/** Whether a line may join two steps: not a step to itself, nothing into a trigger, no second
 * identical line (React Flow's isValidConnection and the store's connect both ask). */
export function canConnect(c: Link, nodes: HookNode[], edges: HookEdge[]): c is Link & { source: string; target: string } {
  if (!c.source || !c.target || c.source === c.target) return false;
  const from = nodes.find((n) => n.id === c.source);
  const to = nodes.find((n) => n.id === c.target);
  if (!from || !to || isTriggerKind(to.data.kind)) return false;
  const id = edgeId(c.source, c.target, c.sourceHandle || undefined);
  return !edges.some((e) => e.id === id);
}

/**
 * The line a dropped step gets: from the selected step, or else from the last step (the newest
 * one nothing leaves yet), so a chain builds itself in the order the steps are dropped. A
 * step with named outputs (a condition's "true" and "false") hands on the first one still free. A dropped trigger instead leads into the first
 * step that nothing leads into yet.
 */
export function joinFor(node: HookNode, nodes: HookNode[], edges: HookEdge[], selectedId: string | null): Link | null {
  if (nodes.length === 0) return null;
  if (isTriggerKind(node.data.kind)) {
    const root = nodes.find((n) => !isTriggerKind(n.data.kind) && !edges.some((e) => e.target === n.id));
    return root ? { source: node.id, target: root.id, sourceHandle: null } : null;
  }
  const from = nodes.find((n) => n.id === selectedId)
    ?? [...nodes].reverse().find((n) => !edges.some((e) => e.source === n.id))
    ?? nodes[nodes.length - 1];
  const used = new Set(edges.filter((e) => e.source === from.id).map((e) => e.sourceHandle));
  return { source: from.id, target: node.id, sourceHandle: freeOutput(from.data.kind, used, undefined, from.data.config) };
}

/** The settings a new step of a kind starts with: every field that declares a default. */
export function defaultConfig(fields: Field[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => f.default !== undefined).map((f) => [f.key, structuredClone(f.default)]));
}
