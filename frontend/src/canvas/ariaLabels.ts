// The lines' labels read by screen readers, in the user's language (React Flow's would be
// English); the controls' and keyboard help's words are the canvas's ariaLabelConfig.
import type { Edge } from '@xyflow/react';
import type { MessageKey } from '../i18n/i18n';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Edges labelled with the steps' names ("Связь от «Форма» к «Отправить»"), not React Flow's English. */
export function labelEdges<E extends Edge>(edges: E[], nameOf: (id: string) => string, t: T): E[] {
  return edges.map((e) => (e.ariaLabel ? e : { ...e, ariaLabel: t('words.canvas.edge', { from: nameOf(e.source), to: nameOf(e.target) }) }));
}
