// Shapes of the hookflow HTTP API and flow document (see README "HTTP API" and flows/*.go).

/** Words by language, as the engine's catalogs give them (flows/text_*.go): {"en": …, "ru": …}
 * and one more member for each language the engine speaks. */
export interface Text {
  en: string;
  ru?: string;
  [lang: string]: string | undefined;
}

export type FieldType = 'string' | 'text' | 'code' | 'number' | 'bool' | 'select' | 'list' | 'object' | 'rules';

export interface Field {
  key: string;
  type: FieldType;
  label: Text;
  help?: Text;
  required?: boolean;
  template?: boolean;
  secret?: boolean;
  /** a path inside what the step reads (a JSON parser's field paths): pointing writes the path */
  path?: boolean;
  options?: string[];
  /** the options named in the user's words; an option without one is shown as it is */
  option_labels?: Record<string, Text>;
  default?: unknown;
  min?: number;
  max?: number;
  fields?: Field[];
  /** rules: the keys of the sibling "all/any" select and JavaScript expression shown with the rows */
  match?: string;
  expression?: string;
}

export interface KindInfo {
  kind: string;
  title: Text;
  help: Text;
  trigger?: boolean;
  /** Named branches (a condition's "true" and "false"); none for a kind with one output. */
  outputs?: { name: string; label: Text }[];
  /** A list field whose rows ({id, name}) are more outputs, before `outputs` (a router's routes). */
  outputs_from?: string;
  fields: Field[];
  schema?: unknown;
}

export interface Problem {
  code: string;
  node?: string;
  field?: string;
  params?: Record<string, string>;
  message: string;
}

export interface Position {
  x: number;
  y: number;
}

/** A node of the flow document. Unknown members are kept by the editor. */
export interface DocNode {
  id: string;
  kind: string;
  name?: string;
  position?: Position;
  config?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface DocEdge {
  from: string;
  to: string;
  branch?: string;
  [extra: string]: unknown;
}

export interface FlowInputDef {
  key: string;
  label?: string;
  description?: string;
  secret?: boolean;
  required?: boolean;
  default?: string;
  [extra: string]: unknown;
}

export interface FlowDocument {
  schema: number;
  name: string;
  description?: string;
  inputs?: FlowInputDef[];
  nodes: DocNode[];
  edges: DocEdge[];
  [extra: string]: unknown;
}

export interface FlowView {
  id: string;
  name: string;
  active: boolean;
  version: number;
  webhook_url: string;
  document: FlowDocument;
  input_values: Record<string, string>;
  settings: Record<string, unknown>;
  problems: Problem[];
  created_at: string;
  updated_at: string;
  last_run_at?: string;
  last_status?: string;
  failed_runs: number;
  /** set when the stored flow cannot be read (a damaged row): the server's sentence */
  error?: string;
}

export interface PresetParam {
  key: string;
  /** what the source substitutes, e.g. {object.email} */
  variable?: string;
  label?: Text;
  example?: string;
  [extra: string]: unknown;
}

export interface Preset {
  id: string;
  source: string;
  title: Text;
  method: string;
  params: PresetParam[];
  guide: { en: string[]; ru: string[] };
  url_template?: string;
  sample_query?: string;
}

export interface Template {
  id: string;
  source: string;
  target: string;
  title: Text;
  description: Text;
  flow: FlowDocument;
  preset?: Preset | string;
  url_template?: string;
  /** The setup on the target's side (where the key or chat id comes from), step by step. */
  guide?: { en: string[]; ru: string[] };
  /** Saved by the team (not built in). */
  team?: boolean;
}

export interface HTTPExchange {
  [k: string]: unknown;
}

export interface StepTrace {
  node: string;
  kind: string;
  name?: string;
  status: string;
  input?: unknown;
  output?: unknown;
  logs?: string[];
  error?: string;
  error_text?: string;
  error_code?: string;
  error_params?: Record<string, string>;
  http?: HTTPExchange;
  branch?: string;
  /** a Delay step: the time it waits (or waited, or would wait) until */
  until?: string;
  /** a Delay step that went on at once because a test does not wait */
  no_wait?: boolean;
  duration_ms: number;
  /** For each and Collect: one row per item of the list (For each's with the item's own steps) */
  items?: ItemTrace[];
}

/** One item of a For each loop: its value, how it went, why it failed, its own steps. */
export interface ItemTrace {
  index: number;
  status: string;
  item?: unknown;
  error?: string;
  /** the error in both languages */
  error_text?: Text;
  steps?: StepTrace[];
}

export interface Trace {
  status: string;
  /** status "waiting": when the run goes on after its Delay step */
  until?: string;
  error?: Problem;
  problems?: Problem[];
  steps: StepTrace[];
  started_at?: string;
  duration_ms?: number;
}

export interface RunView {
  id: string;
  flow_id: string;
  event_id?: string;
  status: string;
  error?: string;
  failed_step?: string;
  test?: boolean;
  /** started by the flow's schedule, not by a webhook */
  scheduled?: boolean;
  attempt?: number;
  /** how many times the webhook ran: the journal shows one row per webhook */
  attempts?: number;
  /** status "waiting": when the next attempt is due */
  retry_at?: string;
  /** waiting at a Delay step (waited, when superseded): when the run goes on */
  until?: string;
  /** a later attempt of the same webhook exists */
  superseded?: boolean;
  started_at: string;
  duration_ms: number;
  trace?: Trace;
  /** every run of the webhook, first attempt first (run page only) */
  attempt_list?: RunView[];
}

/** The trigger payload: what the webhook stores and previews take. */
export interface TriggerPayload {
  method?: string;
  query?: string | Record<string, unknown>;
  headers?: Record<string, string>;
  body?: string;
  body_base64?: string;
  [extra: string]: unknown;
}

/** A request captured by the flow's webhook (GET /api/flows/{id}/samples). */
export interface Sample {
  event_id: string;
  status: string;
  received_at: string;
  payload: TriggerPayload;
}

/** A parameter seen in captured requests, with one example value. */
export interface LearnedField {
  key: string;
  example: string;
  seen: number;
}

/** A flow input's label in lang: templates give Russian as "label_ru" beside "label". */
export function inputLabel(def: FlowInputDef, lang: string): string {
  const ru = lang === 'ru' && typeof def.label_ru === 'string' ? def.label_ru : '';
  return ru || def.label || def.key;
}

/** A flow input's description in lang ("description_ru" beside "description"). */
export function inputHelp(def: FlowInputDef, lang: string): string {
  const ru = lang === 'ru' && typeof def.description_ru === 'string' ? def.description_ru : '';
  return ru || def.description || '';
}

/** Picks the text in the asked language, falling back to English. */
export function textIn(t: Text | undefined, lang: string): string {
  if (!t) return '';
  return t[lang] || t.en;
}
