// The editor warms the engine with the flow it opens (see Engine.warm).
import type { FlowDocument } from '../api/types';
import { engine } from './engine';
import { parsePayload } from './sample';

/**
 * The flow to warm the engine with: the flow itself, but with its JavaScript steps doing nothing,
 * so that an endless loop being written cannot hold the engine before the user asked for a Test.
 */
export function warmupFlow(doc: FlowDocument): FlowDocument {
  return { ...doc, nodes: doc.nodes.map((n) => (n.kind === 'js' ? { ...n, config: { ...n.config, code: 'return input;' } } : n)) };
}

/** Warms the engine with this flow and sample request; resolves when a Test will be quick. */
export function warmFor(doc: FlowDocument, payloadText: string, lang: string): Promise<unknown> {
  const parsed = parsePayload(payloadText);
  const inputs = Object.fromEntries((doc.inputs ?? []).map((i) => [i.key, i.default || '0']));
  // A page without workers (tests under jsdom) has nothing to warm.
  if (typeof Worker === 'undefined') return Promise.resolve();
  return engine().warm(warmupFlow(doc), parsed?.body ?? {}, inputs, lang);
}
