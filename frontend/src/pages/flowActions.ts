// What the flows list does with a flow, apart from React so it can be tested: each action takes
// the server calls it needs, and the confirm question, as arguments.
import type { FlowView } from '../api/types';

export interface FlowsServer {
  startFlow(id: string): Promise<FlowView>;
  stopFlow(id: string): Promise<FlowView>;
  deleteFlow(id: string): Promise<void>;
  duplicateFlow(id: string, name?: string): Promise<FlowView>;
  importFlow(doc: unknown): Promise<FlowView>;
}

/** Starts a stopped flow or stops an active one. Starting a flow with problems fails with them. */
export function toggle(server: FlowsServer, f: FlowView): Promise<FlowView> {
  return f.active ? server.stopFlow(f.id) : server.startFlow(f.id);
}

/**
 * Copies a flow on the server: the API shows secret input values masked, so only the server can
 * copy them (POST /api/flows/{id}/duplicate).
 */
export function duplicate(server: FlowsServer, f: FlowView, copyName: (name: string) => string): Promise<FlowView> {
  return server.duplicateFlow(f.id, copyName(f.name || f.id));
}

/** Deletes after the user confirmed; false when they did not. */
export async function remove(server: FlowsServer, f: FlowView, confirm: (question: string) => boolean, question: (name: string) => string): Promise<boolean> {
  if (!confirm(question(f.name || f.id))) return false;
  await server.deleteFlow(f.id);
  return true;
}

export class FlowFileError extends Error {
  readonly reason: 'not_json' | 'not_flow';
  constructor(reason: 'not_json' | 'not_flow') {
    super(reason);
    this.name = 'FlowFileError';
    this.reason = reason;
  }
}

/** Reads an exported flow or template file; refuses what is not one before it reaches the server. */
export function parseFlowFile(text: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new FlowFileError('not_json');
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new FlowFileError('not_flow');
  const obj = data as Record<string, unknown>;
  // An export is a document; a saved API answer has it under "document".
  const doc = Array.isArray(obj.nodes) ? obj : obj.document && typeof obj.document === 'object' ? (obj.document as Record<string, unknown>) : null;
  if (!doc || !Array.isArray(doc.nodes)) throw new FlowFileError('not_flow');
  return doc;
}

/** Imports a flow file's text as a new, stopped flow. */
export async function importFile(server: FlowsServer, text: string): Promise<FlowView> {
  return server.importFlow(parseFlowFile(text));
}

/** Lets the browser download a same-origin address (the server names the file). */
export function download(href: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = '';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
