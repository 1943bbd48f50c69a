// A step's outputs come from its kind (KindInfo.outputs, declared once in the kind's Go file): a
// plain kind has one unnamed output, a branching kind one handle per named output, labelled in
// the user's language. A kind that takes more outputs from its settings (KindInfo.outputs_from,
// a router's routes) has one per row of that list first — the row's id names the output, its
// name labels it — then its fixed ones ("Иначе"). The canvas, the run page and the drop-join
// read them from here.
import { useEffect, useMemo, useRef } from 'react';
import { Handle, Position, useUpdateNodeInternals } from '@xyflow/react';
import type { KindInfo, Text } from '../api/types';
import { textIn } from '../api/types';
import { useCatalog } from '../store/catalog';

export interface Output {
  name: string;
  label: Text;
}

type Config = Record<string, unknown> | undefined;

/** The outputs a row list of a step's settings adds: one per row with an id, labelled by its name. */
function rowOutputs(rows: unknown): Output[] {
  if (!Array.isArray(rows)) return [];
  return rows.flatMap((r, i): Output[] => {
    const row = r && typeof r === 'object' ? (r as Record<string, unknown>) : {};
    const id = typeof row.id === 'string' ? row.id : '';
    if (!id) return [];
    const name = (typeof row.name === 'string' ? row.name : '').trim() || String(i + 1);
    return [{ name: id, label: { en: name, ru: name } }];
  });
}

const NONE: Output[] = []; // one array, so that a store selector returning it is stable

/**
 * The named outputs of a step of `kind` (with settings `config` when its kind takes outputs from
 * them); empty for a kind with one output.
 */
export function outputsOf(kind: string, kinds: KindInfo[] = useCatalog.getState().kinds, config?: Config): Output[] {
  const k = kinds.find((x) => x.kind === kind);
  if (!k) return NONE;
  const fixed = k.outputs ?? NONE;
  return k.outputs_from ? [...rowOutputs(config?.[k.outputs_from]), ...fixed] : fixed;
}

/** The label of a line leaving by output `name` of a step ("" for a plain line). */
export function outputLabel(kind: string, name: string | null | undefined, lang: string, kinds?: KindInfo[], config?: Config): string {
  if (!name) return '';
  const out = outputsOf(kind, kinds, config).find((o) => o.name === name);
  return out ? textIn(out.label, lang) : name;
}

/** The output a new line from a step takes: the first one nothing leaves by yet, else the first. */
export function freeOutput(kind: string, used: Set<string | null | undefined>, kinds?: KindInfo[], config?: Config): string | null {
  const outs = outputsOf(kind, kinds, config);
  if (!outs.length) return null;
  return (outs.find((o) => !used.has(o.name)) ?? outs[0]).name;
}

/** A fresh id for a new row of an outputs list: short, never shown, unlike any id there. */
export function newOutputId(rows: unknown[]): string {
  const taken = new Set(rows.map((r) => (r && typeof r === 'object' ? (r as Record<string, unknown>).id : undefined)));
  for (let n = rows.length + 1; ; n++) {
    if (!taken.has(`r${n}`)) return `r${n}`;
  }
}

/** The source handles of a step: one per named output, spread along the bottom, or one plain. */
export function OutputHandles({ nodeId, kind, config, lang, connectable = true, title }: {
  /** the step's id: handles added or removed with its settings are measured again */
  nodeId?: string;
  kind: string;
  config?: Config;
  lang: string;
  connectable?: boolean;
  /** the tooltip of a handle (the plain one gets no output) */
  title?: (out?: Output) => string;
}) {
  const info = useCatalog((s) => s.kinds.find((k) => k.kind === kind));
  const outs = useMemo(() => (info ? outputsOf(kind, [info], config) : NONE), [info, kind, config]);
  // Handles added or removed with the settings (a new route) are measured again to be joinable.
  // Not at the first render: React Flow measures new nodes itself, and then fits the view.
  const updateInternals = useUpdateNodeInternals();
  const names = outs.map((o) => o.name).join('\u0000');
  const measured = useRef(names);
  useEffect(() => {
    if (measured.current === names || !nodeId) return;
    measured.current = names;
    updateInternals(nodeId);
  }, [names, nodeId, updateInternals]);
  if (!outs.length) {
    return <Handle type="source" position={Position.Bottom} isConnectable={connectable} title={title?.()} />;
  }
  return (
    <>
      {outs.map((o, i) => (
        <Handle key={o.name} type="source" id={o.name} position={Position.Bottom} isConnectable={connectable}
          style={{ left: `${((i + 1) * 100) / (outs.length + 1)}%` }} className={`handle-${o.name}`} title={title?.(o)}
          data-output={o.name}>
          {connectable && <span className="handle-label">{textIn(o.label, lang)}</span>}
        </Handle>
      ))}
    </>
  );
}
