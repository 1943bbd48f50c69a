// The few shapes the generated types (types.*.gen.ts, from Go by `make types`) cannot say.
import type { Edge, Flow, Input, Node } from './types.flows.gen';

/**
 * A sentence in every language the engine speaks (Go: flows.Text, from its catalogs
 * flows/text_*.go): {"en": …, "ru": …} and one more member for each language added. The editor
 * makes Texts of its own with English only (a router's routes named by the user), so any
 * language but English may be missing.
 */
export interface Text {
  en: string;
  [lang: string]: string | undefined;
}

// A flow document keeps the members this version does not know (a template's "name_ru",
// "label_ru", a newer editor's additions): Go holds them in Extra, which its MarshalJSON writes
// back beside the known fields, and tygo sees only the known ones. The editor keeps them too.

/** A node of the flow document. Unknown members are kept by the editor. */
export interface DocNode extends Node {
  [extra: string]: unknown;
}

export interface DocEdge extends Edge {
  [extra: string]: unknown;
}

export interface FlowInputDef extends Input {
  [extra: string]: unknown;
}

export interface FlowDocument extends Flow {
  [extra: string]: unknown;
}
