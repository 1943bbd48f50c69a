// What a step on the canvas says about itself: a title in the user's words ("Отправить лид в
// CPA.House"), the service it talks to (its badge and colour) and a one-line summary ("POST
// api.cpa.house · 14 полей", "status = success"). Pure, so the canvas and the tests share it.
// The node's id (http1) is internal and never shown; a name the user typed still wins.
import type { KindInfo, Preset } from '../api/types';
import { textIn } from '../api/types';
import { hasMessage, translate, type Lang, type MessageKey } from '../i18n/i18n';

export type ServiceId = 'getcourse' | 'cpahouse' | 'uon' | 'aray' | 'offerrum' | 'klientiks' | 'smsdeliverer'
  | 'tilda' | 'telegram' | 'bitrix24' | 'googlesheets' | 'amocrm' | 'generic';

export interface Service {
  id: ServiceId;
  /** the brand as the service writes it */
  name: string;
  /** the short mark on the node's badge */
  mark: string;
  colour: string;
}

export const SERVICES: Record<ServiceId, Service> = {
  getcourse: { id: 'getcourse', name: 'GetCourse', mark: 'GC', colour: '#1f6fd1' },
  cpahouse: { id: 'cpahouse', name: 'CPA.House', mark: 'CPA', colour: '#e8590c' },
  uon: { id: 'uon', name: 'U-ON', mark: 'U-ON', colour: '#0b8a5f' },
  aray: { id: 'aray', name: 'aray', mark: 'ar', colour: '#6741d9' },
  offerrum: { id: 'offerrum', name: 'Offerrum', mark: 'Of', colour: '#c2255c' },
  klientiks: { id: 'klientiks', name: 'Klientiks', mark: 'Kl', colour: '#0c8599' },
  smsdeliverer: { id: 'smsdeliverer', name: 'SMS Deliverer', mark: 'SMS', colour: '#d9480f' },
  tilda: { id: 'tilda', name: 'Tilda', mark: 'T', colour: '#d9534f' },
  telegram: { id: 'telegram', name: 'Telegram', mark: 'TG', colour: '#1b87c0' },
  bitrix24: { id: 'bitrix24', name: 'Bitrix24', mark: 'B24', colour: '#0b7fa8' },
  googlesheets: { id: 'googlesheets', name: 'Google Sheets', mark: 'GS', colour: '#188038' },
  amocrm: { id: 'amocrm', name: 'amoCRM', mark: 'amo', colour: '#2f6fb0' },
  generic: { id: 'generic', name: '', mark: '', colour: '#64748b' },
};

/** Hosts of each service's API (suffixes, so account subdomains of getcourse.ru match). */
const HOSTS: [RegExp, ServiceId][] = [
  [/(^|\.)cpa\.house$/, 'cpahouse'],
  [/(^|\.)getcourse\.ru$/, 'getcourse'],
  [/(^|\.)u-on\.ru$/, 'uon'],
  [/(^|\.)aray\.(com|ru)$/, 'aray'],
  [/(^|\.)offerrum\.(com|ru)$/, 'offerrum'],
  [/(^|\.)klientiks\.ru$/, 'klientiks'],
  [/sms-?deliverer/, 'smsdeliverer'],
  [/(^|\.)api\.telegram\.org$/, 'telegram'],
  [/(^|\.)bitrix24\.[a-z]{2,3}(\.[a-z]{2})?$/, 'bitrix24'],
  [/(^|\.)amocrm\.(ru|com)$/, 'amocrm'],
  [/^sheets\.googleapis\.com$/, 'googlesheets'],
];

/** A Bitrix24 portal is often an input (https://{{inputs.bitrix_portal}}/rest/…/crm.lead.add.json):
 *  its host is unknown, its REST method (crm.lead.add) still names the service. */
const BITRIX24_METHOD = /(\/|}})crm\.[a-z_]+\.[a-z_]+(\.json)?([?#]|$)/;

/** A service's name squashed the way preset sources and ids spell it: "SMS Deliverer" → smsdeliverer. */
function squash(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The service a name names: a preset's source ("U-ON") or the stem of its id ("uon.request"). */
export function serviceNamed(name: string | undefined): ServiceId {
  const s = squash(name ?? '');
  return (Object.keys(SERVICES) as ServiceId[]).find((id) => id !== 'generic' && id === s) ?? 'generic';
}

/** The host of a URL template, with template parts shown as "…": https://{{inputs.a}}.getcourse.ru/x → ….getcourse.ru */
export function hostOf(url: string): string {
  const noScheme = url.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  // Cut at the first / ? or # that is not inside {{…}}.
  let host = '';
  for (let i = 0; i < noScheme.length; i++) {
    if (noScheme.startsWith('{{', i)) {
      const end = noScheme.indexOf('}}', i);
      if (end < 0) break;
      host += '…';
      i = end + 1;
      continue;
    }
    const c = noScheme[i];
    if (c === '/' || c === '?' || c === '#') break;
    host += c;
  }
  return host.replace(/^[^@]*@/, '').replace(/:\d+$/, '').toLowerCase();
}

/** The service a URL goes to, from its host. */
export function serviceOfUrl(url: string): ServiceId {
  const host = hostOf(url);
  if (!host) return 'generic';
  const byHost = HOSTS.find(([re]) => re.test(host))?.[1];
  if (byHost) return byHost;
  return BITRIX24_METHOD.test(url.trim()) ? 'bitrix24' : 'generic';
}

/** The parts of a node this file reads (a HookNode's data, or a document node). */
export interface StepLike {
  id: string;
  kind: string;
  name?: string;
  config?: Record<string, unknown>;
}

export interface LinkLike {
  source: string;
  target: string;
}

export interface DescribeContext {
  nodes: StepLike[];
  edges: LinkLike[];
  presets: Preset[];
  lang: Lang;
  /** the kinds' fields, for the words of a schedule's time zone */
  kinds?: KindInfo[];
}

export interface StepDescription {
  title: string;
  summary: string;
  service: ServiceId;
  /** whether the title is the user's own name rather than one derived from the settings */
  named: boolean;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);

function presetOf(node: StepLike, presets: Preset[]): { id: string; preset?: Preset } {
  const id = str(node.config?.preset) || 'generic';
  return { id, preset: presets.find((p) => p.id === id) };
}

/** The service a step talks to: the trigger's preset, an HTTP step's host, the HTTP step a form
 * feeds or the one whose answer a parser reads. */
export function serviceOf(node: StepLike, ctx: Pick<DescribeContext, 'nodes' | 'edges' | 'presets'>, seen = new Set<string>()): ServiceId {
  if (seen.has(node.id)) return 'generic';
  seen.add(node.id);
  switch (node.kind) {
    case 'webhook': {
      const { id, preset } = presetOf(node, ctx.presets);
      return serviceNamed(preset?.source || id.split('.')[0]);
    }
    case 'http':
      return serviceOfUrl(str(node.config?.url));
    case 'google_sheets':
      return 'googlesheets';
    case 'form_encode':
    case 'set': {
      // The fields of a request: the service of the HTTP step they go to.
      const next = ctx.edges.filter((e) => e.source === node.id).map((e) => ctx.nodes.find((n) => n.id === e.target));
      for (const n of next) {
        if (n && (n.kind === 'http' || n.kind === 'form_encode')) {
          const s = serviceOf(n, ctx, seen);
          if (s !== 'generic') return s;
        }
      }
      return 'generic';
    }
    case 'json_parse': {
      const from = answerSource(node, ctx.nodes);
      return from ? serviceOf(from, ctx, seen) : 'generic';
    }
    default:
      return 'generic';
  }
}

/** The HTTP step whose answer a JSON parser reads: {{fetch.body}} or {{steps.fetch.body}}. */
function answerSource(node: StepLike, nodes: StepLike[]): StepLike | undefined {
  const m = /\{\{\s*(?:steps\.)?([A-Za-z0-9_-]+)/.exec(str(node.config?.source));
  const n = m ? nodes.find((x) => x.id === m[1]) : undefined;
  return n?.kind === 'http' ? n : undefined;
}

/** How many fields a step sends or produces, where that is what it is about. */
export function fieldCount(node: StepLike, ctx: Pick<DescribeContext, 'nodes' | 'edges'>): number {
  const c = node.config ?? {};
  switch (node.kind) {
    case 'http': {
      if (str(c.body_type) === 'previous') {
        // The body is the previous step's output: count the fields that step builds.
        const prev = ctx.edges.filter((e) => e.target === node.id).map((e) => ctx.nodes.find((n) => n.id === e.source));
        const p = prev.find((n) => n && (n.kind === 'form_encode' || n.kind === 'set'));
        return (p ? list(p.config?.fields).length : 0) + list(c.query).length;
      }
      if (str(c.body_type) === 'json') {
        try {
          const body = JSON.parse(str(c.body));
          if (body && typeof body === 'object' && !Array.isArray(body)) return Object.keys(body).length + list(c.query).length;
        } catch {
          /* a body with templates is not JSON yet: count the query only */
        }
      }
      return list(c.query).length;
    }
    case 'form_encode':
    case 'set':
    case 'json_parse':
    case 'webhook':
      return list(c.fields).length;
    default:
      return 0;
  }
}

/** The short name of a value in a rule: {{steps.send.json.status}} → status; text stays text. */
export function shortValue(v: string): string {
  const t = v.trim();
  const m = /^\{\{\s*([^}|]+?)\s*(\|[^}]*)?\}\}$/.exec(t);
  if (!m) return t.length > 24 ? t.slice(0, 23) + '…' : t;
  const path = m[1].replace(/\[\s*["']?([^\]"']+)["']?\s*\]/g, '.$1').split('.').filter(Boolean);
  const last = [...path].reverse().find((p) => !/^\d+$/.test(p)) ?? path[path.length - 1] ?? t;
  return last;
}

/** A value as shortValue says it, but a flow's setting ({{inputs.…}}) as "from the settings":
 * its key is a programmer's name (manager_email), and the value is the user's to fill in. */
function settingOr(v: string, t: (k: MessageKey) => string): string {
  return /^\{\{\s*inputs\./.test(v.trim()) ? t('canvas.summary.fromSettings') : shortValue(v);
}

const OPS_WITHOUT_RIGHT = new Set(['is_empty', 'not_empty']);

/** The translator into lang of the words of the canvas. */
const wordsIn = (lang: Lang) => (k: MessageKey, p?: Record<string, string | number>) => translate(lang, k, p);

/** A filter's rules in one line: "status = success и sum > 1000"; the expression as written. */
export function rulesSummary(config: Record<string, unknown> | undefined, lang: Lang): string {
  const t = wordsIn(lang);
  const rules = list(config?.rules).filter((r) => str(r.left).trim() !== '');
  if (rules.length === 0) {
    const expr = str(config?.expression).trim().replace(/\s+/g, ' ');
    if (expr) return expr.length > 48 ? expr.slice(0, 47) + '…' : expr;
    return t('canvas.summary.noRules');
  }
  const one = (r: Record<string, unknown>) => {
    const op = str(r.op) || 'equals';
    const word = t(`canvas.op.${op}` as MessageKey);
    const left = shortValue(str(r.left));
    if (OPS_WITHOUT_RIGHT.has(op)) return `${left} ${word}`;
    return `${left} ${word} ${shortValue(str(r.right)) || '…'}`;
  };
  const joiner = ` ${t(str(config?.match) === 'any' ? 'canvas.summary.or' : 'canvas.summary.and')} `;
  const shown = rules.slice(0, 2).map(one).join(joiner);
  return rules.length > 2 ? `${shown} ${t('canvas.summary.moreRules', { count: rules.length - 2 })}` : shown;
}

/** The title an HTTP step gets from where it sends: a lead to CPA.House, an order to aray … */
function httpTitle(node: StepLike, lang: Lang): string {
  const t = wordsIn(lang);
  const url = str(node.config?.url);
  const method = (str(node.config?.method) || 'GET').toUpperCase();
  const service = serviceOfUrl(url);
  const host = hostOf(url);
  if (!host) return t('canvas.title.http');
  const name = service === 'generic' ? host : SERVICES[service].name;
  if (method === 'GET') return t('canvas.title.fetch', { service: name });
  if (service === 'cpahouse' || service === 'amocrm') return t('canvas.title.lead', { service: name });
  if (service === 'aray' || service === 'offerrum') return t('canvas.title.order', { service: name });
  if (service === 'getcourse') {
    if (/\/pl\/api\/deals/.test(url)) return t('canvas.title.order', { service: name });
    if (/\/pl\/api\/users/.test(url)) return t('canvas.title.user', { service: name });
  }
  return t('canvas.title.send', { service: name });
}

/** Everything the canvas shows on a step, derived from its settings and neighbours. */
export function describeStep(node: StepLike, ctx: DescribeContext): StepDescription {
  const { lang } = ctx;
  const t = wordsIn(lang);
  const service = serviceOf(node, ctx);
  const svcName = SERVICES[service].name;
  const c = node.config ?? {};
  const fields = (n: number) => (n > 0 ? t('canvas.summary.fields', { count: n }) : '');
  let title = '';
  let summary = '';
  switch (node.kind) {
    case 'webhook': {
      const { id, preset } = presetOf(node, ctx.presets);
      title = service === 'generic' ? t('canvas.title.webhook') : t('canvas.title.webhookFrom', { service: svcName });
      summary = textIn(preset?.title, lang) || (id === 'generic' ? t('canvas.summary.anyService') : id);
      break;
    }
    case 'http': {
      title = httpTitle(node, lang);
      const host = hostOf(str(c.url));
      const method = (str(c.method) || 'GET').toUpperCase();
      summary = host ? [`${method} ${host}`, fields(fieldCount(node, ctx))].filter(Boolean).join(' · ') : t('canvas.summary.noUrl');
      break;
    }
    case 'form_encode':
      title = service === 'generic' ? t('canvas.title.form') : t('canvas.title.formFor', { service: svcName });
      summary = fields(fieldCount(node, ctx)) || t('canvas.summary.noFields');
      break;
    case 'set':
      title = t('canvas.title.set');
      summary = fields(fieldCount(node, ctx)) || t('canvas.summary.noFields');
      break;
    case 'json_parse':
      title = service === 'generic' ? t('canvas.title.parse') : t('canvas.title.parseFrom', { service: svcName });
      summary = fields(fieldCount(node, ctx)) || t('canvas.summary.noFields');
      break;
    case 'filter':
      title = t('canvas.title.filter');
      summary = rulesSummary(c, lang);
      break;
    case 'switch': {
      title = t('router.title');
      const routes = list(c.routes);
      const names = routes.map((r, i) => str(r.name).trim() || String(i + 1));
      summary = routes.length ? `${t('router.summary', { count: routes.length })}: ${names.join(', ')}` : t('router.noRoutes');
      break;
    }
    case 'reply':
      title = t('reply.title');
      summary = t('reply.summary', { status: str(c.status) || '200', type: str(c.content_type) || 'application/json' });
      break;
    case 'google_sheets': {
      title = t('sheets.title');
      const sheet = str(c.sheet).trim();
      const cells = list(c.cells).length;
      summary = [sheet && !sheet.includes('{{') ? sheet : t('sheets.anySheet'), cells ? t('sheets.cells', { count: cells }) : ''].filter(Boolean).join(' · ');
      break;
    }
    case 'delay': {
      title = t('delay.title');
      if (str(c.mode) === 'until') {
        summary = str(c.until).trim() ? t('delay.until', { time: str(c.until).trim() }) : t('delay.noUntil');
      } else {
        const unit = ({ minutes: 'delay.minutes', days: 'delay.days' } as Record<string, MessageKey>)[str(c.unit)] ?? 'delay.hours';
        const amount = typeof c.amount === 'number' ? c.amount : Number(c.amount ?? 1);
        summary = Number.isFinite(amount) ? t(unit, { count: amount }) : '';
      }
      break;
    }
    case 'email': {
      title = t('aiEmail.email.title');
      const to = str(c.to).split(/[,;]/).map((a) => settingOr(a, t)).filter(Boolean);
      summary = to.length ? t('aiEmail.email.summary', { to: to.join(', ') }) : t('aiEmail.email.noTo');
      break;
    }
    case 'ai_text': {
      title = t('aiEmail.ai.title');
      const model = settingOr(str(c.model), t) || '…';
      summary = t(str(c.answer) === 'json' ? 'aiEmail.ai.summaryJson' : 'aiEmail.ai.summaryText', { model });
      break;
    }
    case 'foreach': {
      title = t('loop.eachTitle');
      const what = [str(c.list).trim() ? shortValue(str(c.list)) : '', str(c.path).trim() ? shortValue(`{{${str(c.path).replace(/^\$\.?/, '')}}}`) : '']
        .filter(Boolean).pop();
      summary = what ? t('loop.eachSummary', { list: what }) : t('loop.eachPrevious');
      break;
    }
    case 'collect':
      title = t('loop.collectTitle');
      summary = t('loop.collectSummary');
      break;
    case 'schedule':
      title = scheduleTitle(c, lang);
      summary = scheduleZone(c, ctx.kinds, lang);
      break;
    case 'js': {
      title = t('canvas.title.js');
      const lines = str(c.code).split('\n').filter((l) => l.trim() !== '').length;
      summary = lines ? t('canvas.summary.lines', { count: lines }) : t('canvas.summary.noCode');
      break;
    }
    default:
      title = t('canvas.title.step');
  }
  const name = (node.name ?? '').trim();
  return { title: name || title, summary, service, named: name !== '' };
}

/** When a schedule step starts the flow, in words: "Каждый день в 09:00", "Каждые 15 минут". */
export function scheduleTitle(c: Record<string, unknown>, lang: Lang): string {
  const t = wordsIn(lang);
  const every = str(c.every) || 'day';
  const time = str(c.time) || '09:00';
  const n = /^(\d+)([mh])$/.exec(every);
  if (n) {
    const count = Number(n[1]);
    if (n[2] === 'm') return count === 1 ? t('schedule.title.minute') : t('schedule.title.minutes', { count });
    return count === 1 ? t('schedule.title.hour') : t('schedule.title.hours', { count });
  }
  switch (every) {
    case 'cron':
      return t('schedule.title.cron', { cron: str(c.cron).trim() || '…' });
    case 'workdays':
      return t('schedule.title.workdays', { time });
    case 'week': {
      const key = `schedule.title.week.${str(c.weekday) || 'monday'}` as MessageKey;
      return hasMessage(key) ? t(key, { time }) : t('schedule.title.day', { time });
    }
    default:
      return t('schedule.title.day', { time });
  }
}

/** A schedule's time zone by its label in the kind's list ("Москва (МСК)"). */
function scheduleZone(c: Record<string, unknown>, kinds: KindInfo[] | undefined, lang: Lang): string {
  const field = kinds?.find((k) => k.kind === 'schedule')?.fields.find((f) => f.key === 'timezone');
  const zone = str(c.timezone) || (typeof field?.default === 'string' ? field.default : '');
  return textIn(field?.option_labels?.[zone], lang);
}

/** A kind's name in the user's words (the same words its new step is titled with). */
export function kindName(k: KindInfo, lang: Lang): string {
  const key = `canvas.kind.${k.kind}` as MessageKey;
  return hasMessage(key) ? translate(lang, key) : textIn(k.title, lang) || k.kind;
}
