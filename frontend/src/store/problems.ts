// Which validation problems belong to a node and to one of its form fields. A problem's field is
// the config path the engine names: "url", "success.condition", "fields[2].value".
import type { Problem } from '../api/types';
import { translate } from '../i18n/i18n';
import { languages } from '../i18n/languages';

/** The engine in the browser does not know the saved setting values; the server does. */
export const SERVER_ONLY_CODES = new Set(['flow.input_missing']);

export function problemsOfNode(problems: Problem[], nodeId: string): Problem[] {
  return problems.filter((p) => p.node === nodeId);
}

/** Whether a problem's field is the field at path or inside it (a row or member of it). */
export function fieldMatches(field: string | undefined, path: string): boolean {
  if (!field) return false;
  return field === path || field.startsWith(path + '[') || field.startsWith(path + '.');
}

export function problemsOfField(problems: Problem[], nodeId: string, path: string): Problem[] {
  return problems.filter((p) => p.node === nodeId && fieldMatches(p.field, path));
}

/** The node's problems that no form field shows (bad config as a whole, graph problems). */
export function problemsOfNoField(problems: Problem[], nodeId: string, paths: string[]): Problem[] {
  return problems.filter((p) => p.node === nodeId && !paths.some((path) => fieldMatches(p.field, path)));
}

/**
 * The problems after a validation in the browser: the engine's, plus the server's findings the
 * engine cannot make (missing setting values), so they do not vanish on the first edit.
 */
export function mergeValidated(previous: Problem[], validated: Problem[]): Problem[] {
  return [...previous.filter((p) => SERVER_ONLY_CODES.has(p.code)), ...validated];
}

/**
 * The sentence without its "HTTP request 'send': " opening (flows.Message writes it, each
 * language as its "problem.opening" says), for places that already show the node: its badge on
 * the canvas and its form.
 */
export function messageOnNode(p: Problem): string {
  const node = p.params?.node;
  if (!node) return p.message;
  const openings = languages.map((l) =>
    translate(l.code, 'problem.opening', { kind: p.params?.[`kind_${l.code}`] ?? p.params?.kind ?? '', node }));
  const opening = openings.find((o) => p.message.startsWith(o));
  if (!opening) return p.message;
  const rest = p.message.slice(opening.length);
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}
