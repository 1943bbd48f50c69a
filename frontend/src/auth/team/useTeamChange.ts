// A change to the team (a role, a removal, an invitation, a token): its mutation, which asks the
// server again for what it changed — the list it is in, and the owner's audit log, which records
// every change.
import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { keys } from '../../query/keys';

export function useTeamChange<V, R>(change: (v: V) => Promise<R>, list: QueryKey, onDone?: (r: R) => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: (r) => {
      onDone?.(r);
      return Promise.all([
        qc.invalidateQueries({ queryKey: list }),
        qc.invalidateQueries({ queryKey: keys.audit() }),
      ]);
    },
  });
}
