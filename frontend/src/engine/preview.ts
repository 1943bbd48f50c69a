// The editor's Test. It runs in the browser's engine, which first has to load (a 24 MB module
// the browser compiles: seconds on a slow machine) and warm up. A Test clicked before that is
// answered by the server running the same engine code in preview mode (POST
// /api/flows/{id}/preview, nothing sent), so the first result paints as fast as the next; if the
// server cannot answer (offline, busy, a viewer), the browser's engine does once ready.
import { api } from '../api/client';
import type { FlowDocument, Trace } from '../api/types';
import { engine, preview } from './engine';

export interface TestTarget {
  /** The flow being edited; null for a document that is not saved on the server. */
  flowId: string | null;
  /** Whether the server may be asked (the user can edit the flow). */
  server: boolean;
}

export async function testPreview(target: TestTarget, doc: FlowDocument, payload: unknown, inputs: Record<string, string>, lang: string): Promise<Trace> {
  const e = engine();
  if (!e.ready() && target.flowId && target.server) {
    void e.init().catch(() => undefined); // keeps loading meanwhile, for the next Test
    try {
      const tr = await api.preview(target.flowId, doc, payload, inputs, lang);
      e.serverPreviews++;
      return tr;
    } catch {
      // The browser's engine answers instead, once loaded.
    }
  }
  return preview(doc, payload, inputs, lang);
}
