// The flow's input values for a browser Test: typed for the test, else saved, else the default.
// The server never returns saved secrets (it sends a mask); a preview sends nothing and masks
// secrets in the trace, so the mask stands in for them and the panel says why.
import type { FlowInputDef } from '../api/types';

export const SECRET_MASK = '••••••';

export interface TestInput {
  def: FlowInputDef;
  /** The value the preview uses. */
  value: string;
  /** A saved secret the browser cannot see and the user has not typed. */
  hidden: boolean;
}

export function testInputs(defs: FlowInputDef[] = [], saved: Record<string, string> = {}, typed: Record<string, string> = {}): TestInput[] {
  return defs.map((def) => {
    const mine = typed[def.key];
    if (mine !== undefined && mine !== '') return { def, value: mine, hidden: false };
    const stored = saved[def.key];
    if (def.secret && stored === SECRET_MASK) return { def, value: SECRET_MASK, hidden: true };
    return { def, value: stored || def.default || '', hidden: false };
  });
}

export function inputValues(list: TestInput[]): Record<string, string> {
  return Object.fromEntries(list.map((i) => [i.def.key, i.value]));
}
