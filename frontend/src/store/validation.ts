// Validation while editing: the engine (wasm, in its worker) checks the flow a moment after the
// last change, and its problems replace the store's. Only the latest answer counts, and an engine
// that cannot run (not built, failed to load) leaves the problems as they were.
import { useEffect } from 'react';
import type { FlowDocument, Problem } from '../api/types';
import { validate as engineValidateFlow } from '../engine/engine';
import { useLang } from '../i18n/i18n';
import { mergeValidated } from './problems';
import { useFlowStore } from './flowStore';

export const VALIDATE_DELAY_MS = 400;

export type ValidateFn = (doc: FlowDocument, lang: string) => Promise<{ problems: unknown[] }>;

export interface Validator {
  schedule(doc: () => FlowDocument, lang: string): void;
  cancel(): void;
}

export function createValidator(validate: ValidateFn, apply: (p: Problem[]) => void, delayMs = VALIDATE_DELAY_MS): Validator {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let latest = 0;
  return {
    schedule(doc, lang) {
      if (timer) clearTimeout(timer);
      // an answer still on its way is about an older flow: it must not win
      const ticket = ++latest;
      timer = setTimeout(async () => {
        timer = null;
        try {
          const res = await validate(doc(), lang);
          if (ticket === latest) apply((res.problems ?? []) as Problem[]);
        } catch {
          // the engine is unavailable: the last known problems stay
        }
      }, delayMs);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
      latest++;
    },
  };
}

const engineValidate: ValidateFn = (d, l) => engineValidateFlow(d, l);

/** Validates the editor's flow after every change of its graph or settings, and on a language switch. */
export function useLiveValidation(validate: ValidateFn = engineValidate): void {
  const lang = useLang((s) => s.lang);
  useEffect(() => {
    const store = useFlowStore;
    const v = createValidator(validate, (p) => store.getState().setProblems(mergeValidated(store.getState().problems, p)));
    const doc = () => store.getState().document();
    if (store.getState().nodes.length > 0) v.schedule(doc, lang);
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.nodes !== prev.nodes || s.edges !== prev.edges || s.meta !== prev.meta) v.schedule(doc, lang);
    });
    return () => {
      unsubscribe();
      v.cancel();
    };
  }, [lang, validate]);
}
