// After Retry or Replay the server only queues the stored request again; the new run appears in
// the journal when a worker has run it. This polls the flow's newest runs for it.
import { api } from '../api/client';
import type { RunView } from '../api/types';

export interface FollowUp {
  cancel(): void;
}

/**
 * Calls found with the first run of eventId that is not one of `known` (the runs that existed
 * before), or gone after `tries` polls. Retries of a run keep its event, so known matters.
 */
export function followUp(flowId: string, eventId: string, known: Set<string>, found: (r: RunView) => void, gone: () => void,
  everyMs = 1000, tries = 120): FollowUp {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let n = 0;
  const poll = async () => {
    n++;
    try {
      const runs = await api.listRuns(flowId, { limit: 20 });
      if (stopped) return;
      const run = runs.find((r) => r.event_id === eventId && !known.has(r.id));
      if (run) return found(run);
    } catch {
      // a blip: the next poll asks again
    }
    if (stopped) return;
    if (n >= tries) return gone();
    timer = setTimeout(poll, everyMs);
  };
  timer = setTimeout(poll, Math.min(250, everyMs));
  return {
    cancel() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}
