// The lines' labels read by screen readers, in the user's language (React Flow's would be
// English); the controls' and keyboard help's words are the canvas's ariaLabelConfig.
import { useMemo } from 'react';
import type { AriaLabelConfig, Edge } from '@xyflow/react';
import { useT, type MessageKey } from '../i18n/i18n';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Edges labelled with the steps' names ("Связь от «Форма» к «Отправить»"), not React Flow's English. */
export function labelEdges<E extends Edge>(edges: E[], nameOf: (id: string) => string, t: T): E[] {
  return edges.map((e) => (e.ariaLabel ? e : { ...e, ariaLabel: t('words.canvas.edge', { from: nameOf(e.source), to: nameOf(e.target) }) }));
}

/** React Flow's own words — its controls' tooltips and the keyboard help screen readers read — in
 * the user's language, for the editor's canvas and the run page's picture alike. */
export function useCanvasWords(): Partial<AriaLabelConfig> {
  const t = useT();
  return useMemo(() => ({
    'controls.ariaLabel': t('canvas.aria.controls'),
    'controls.zoomIn.ariaLabel': t('canvas.aria.zoomIn'),
    'controls.zoomOut.ariaLabel': t('canvas.aria.zoomOut'),
    'controls.fitView.ariaLabel': t('canvas.aria.fitView'),
    'controls.interactive.ariaLabel': t('canvas.aria.interactive'),
    'node.a11yDescription.default': t('canvas.aria.node'),
    'node.a11yDescription.keyboardDisabled': t('canvas.aria.node'),
    'edge.a11yDescription.default': t('canvas.aria.edge'),
    'handle.ariaLabel': t('canvas.aria.handle'),
  }), [t]);
}
