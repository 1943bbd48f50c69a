// A step's outputs come from its kind (KindInfo.outputs, declared once in the kind's Go file): a
// plain kind has one unnamed output, a branching kind one handle per named output, labelled in
// the user's language. The canvas, the run page and the drop-join read them from here.
import { Handle, Position } from '@xyflow/react';
import type { KindInfo, Text } from '../api/types';
import { textIn } from '../api/types';
import { useCatalog } from '../store/catalog';

export interface Output {
  name: string;
  label: Text;
}

const NONE: Output[] = []; // one array, so that a store selector returning it is stable

/** The named outputs of a kind; empty for a kind with one output. */
export function outputsOf(kind: string, kinds: KindInfo[] = useCatalog.getState().kinds): Output[] {
  return kinds.find((k) => k.kind === kind)?.outputs ?? NONE;
}

/** The label of a line leaving by output `name` of a step of `kind` ("" for a plain line). */
export function outputLabel(kind: string, name: string | null | undefined, lang: string, kinds?: KindInfo[]): string {
  if (!name) return '';
  const out = outputsOf(kind, kinds).find((o) => o.name === name);
  return out ? textIn(out.label, lang) : name;
}

/** The output a new line from a step takes: the first one nothing leaves by yet, else the first. */
export function freeOutput(kind: string, used: Set<string | null | undefined>, kinds?: KindInfo[]): string | null {
  const outs = outputsOf(kind, kinds);
  if (!outs.length) return null;
  return (outs.find((o) => !used.has(o.name)) ?? outs[0]).name;
}

/** The source handles of a step: one per named output, spread along the bottom, or one plain. */
export function OutputHandles({ kind, lang, connectable = true, title }: {
  kind: string;
  lang: string;
  connectable?: boolean;
  /** the tooltip of a handle (the plain one gets no output) */
  title?: (out?: Output) => string;
}) {
  const outs = useCatalog((s) => outputsOf(kind, s.kinds));
  if (!outs.length) {
    return <Handle type="source" position={Position.Bottom} isConnectable={connectable} title={title?.()} />;
  }
  return (
    <>
      {outs.map((o, i) => (
        <Handle key={o.name} type="source" id={o.name} position={Position.Bottom} isConnectable={connectable}
          style={{ left: `${((i + 1) * 100) / (outs.length + 1)}%` }} className={`handle-${o.name}`} title={title?.(o)}>
          {connectable && <span className="handle-label">{textIn(o.label, lang)}</span>}
        </Handle>
      ))}
    </>
  );
}
