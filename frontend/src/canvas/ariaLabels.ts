// React Flow's own words (the controls' tooltips, the keyboard help read by screen readers, the
// edges' labels) in the user's language, through its ariaLabelConfig and each edge's ariaLabel.
import type { AriaLabelConfig, Edge } from '@xyflow/react';
import type { MessageKey } from '../i18n/i18n';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

export function canvasAriaLabels(t: T): Partial<AriaLabelConfig> {
  return {
    'node.a11yDescription.default': t('words.canvas.nodeHelp'),
    'node.a11yDescription.keyboardDisabled': t('words.canvas.nodeHelpKeys'),
    'node.a11yDescription.ariaLiveMessage': ({ x, y }) => t('words.canvas.nodeMoved', { x: Math.round(x), y: Math.round(y) }),
    'edge.a11yDescription.default': t('words.canvas.edgeHelp'),
    'controls.ariaLabel': t('words.canvas.controls'),
    'controls.zoomIn.ariaLabel': t('words.canvas.zoomIn'),
    'controls.zoomOut.ariaLabel': t('words.canvas.zoomOut'),
    'controls.fitView.ariaLabel': t('words.canvas.fitView'),
    'controls.interactive.ariaLabel': t('words.canvas.interactive'),
    'minimap.ariaLabel': t('words.canvas.minimap'),
    'handle.ariaLabel': t('words.canvas.handle'),
  };
}

/** Edges labelled with the steps' names ("Связь от «Форма» к «Отправить»"), not React Flow's English. */
export function labelEdges<E extends Edge>(edges: E[], nameOf: (id: string) => string, t: T): E[] {
  return edges.map((e) => (e.ariaLabel ? e : { ...e, ariaLabel: t('words.canvas.edge', { from: nameOf(e.source), to: nameOf(e.target) }) }));
}
