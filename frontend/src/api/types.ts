// Shapes of the hookflow HTTP API and flow document, under the names the editor uses. They are
// generated from the Go types (types.*.gen.ts by `make types`, see tygo.yaml): change the Go
// types, not these files. types.local.ts holds the little that Go's types cannot say.
import type { FlowInputDef, Text } from './types.local';

export * from './types.flows.gen';
export * from './types.core.gen';
export * from './types.api.gen';
export * from './types.local';

export type {
  /** The trigger payload: what the webhook stores and previews take. */
  Payload as TriggerPayload,
  /** A step of a run's trace or of a Test's (whose steps also carry error_text in the asked language). */
  PreviewStep as StepTrace,
  /** A run's trace (the journal) or a Test's (the preview). */
  PreviewTrace as Trace,
} from './types.flows.gen';
export type {
  /** A template in the gallery (built in or the team's). */
  TemplateView as Template,
  /** A source in the presets list. */
  PresetView as Preset,
} from './types.api.gen';
export type {
  /** One line of the live log (GET /api/flows/{id}/live). */
  Event as LiveEvent,
  EventType as LiveEventType,
} from './types.live.gen';

/** A flow input's label in lang: templates give it as "label_<lang>" ("label_ru") beside "label". */
export function inputLabel(def: FlowInputDef, lang: string): string {
  return inLang(def, 'label', lang) || def.label || def.key;
}

/** A flow input's description in lang ("description_ru" beside "description"). */
export function inputHelp(def: FlowInputDef, lang: string): string {
  return inLang(def, 'description', lang) || def.description || '';
}

/** The member "<name>_<lang>" of a document's object, when a language other than English has one. */
function inLang(def: FlowInputDef, name: string, lang: string): string {
  const v = lang === 'en' ? undefined : def[`${name}_${lang}`];
  return typeof v === 'string' ? v : '';
}

/** Picks the text in the asked language, falling back to English. */
export function textIn(t: Text | undefined, lang: string): string {
  if (!t) return '';
  return t[lang] || t.en;
}

/** Picks the list in the asked language when it has one, English otherwise (a setup guide's steps). */
export function listIn<T>(byLang: { en: T[] } | undefined, lang: string): T[] {
  if (!byLang) return [];
  const mine = (byLang as Record<string, T[] | undefined>)[lang];
  return (mine?.length ? mine : byLang.en) ?? [];
}
