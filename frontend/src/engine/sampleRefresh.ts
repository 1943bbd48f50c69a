// A request stored by the flow's webhook while the editor is open joins the Test's list of
// captured requests (the live log announces it). Reloads are spaced out: a busy webhook must not
// turn into a request per webhook from every open editor.
import { loadSamples } from '../picker/samples';

export const SPACING_MS = 2000;
const spacing = new Map<string, { again: boolean }>();

/** Reloads the flow's captured requests now, or once more at the end of SPACING_MS if just done. */
export function requestArrived(flowId: string, load: (flowId: string) => Promise<void> = loadSamples): void {
  const busy = spacing.get(flowId);
  if (busy) {
    busy.again = true;
    return;
  }
  const entry = { again: false };
  spacing.set(flowId, entry);
  load(flowId).catch(() => undefined); // the list stays as it was; the next arrival retries
  setTimeout(() => {
    spacing.delete(flowId);
    if (entry.again) requestArrived(flowId, load);
  }, SPACING_MS);
}
