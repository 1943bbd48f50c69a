import { describe, expect, it } from 'vitest';
import type { Preset } from '../api/types';
import type { Lang } from '../i18n/i18n';
import gcUser from '../../../flows/presets/getcourse.user_created.json';
import generic from '../../../flows/presets/generic.json';
import klientiks from '../../../flows/presets/klientiks.client_added.json';
import sms from '../../../flows/presets/sms_deliverer.json';
import uon from '../../../flows/presets/uon.request.json';
import { describeStep, hostOf, kindName, rulesSummary, serviceOf, serviceOfUrl, shortValue, type LinkLike, type StepLike } from './describe';

const presets = [gcUser, generic, klientiks, sms, uon] as unknown as Preset[];

const fields = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `f${i}`, value: `{{trigger.params.f${i}}}` }));

// GetCourse → CPA.House as the template builds it, with the ids a hand-built flow gets.
const chain: StepLike[] = [
  { id: 'webhook1', kind: 'webhook', config: { preset: 'getcourse.user_created' } },
  { id: 'form_encode1', kind: 'form_encode', config: { fields: fields(14) } },
  { id: 'http1', kind: 'http', config: { method: 'POST', url: 'https://api.cpa.house/method/send_order', body_type: 'previous' } },
];
const chainEdges: LinkLike[] = [
  { source: 'webhook1', target: 'form_encode1' },
  { source: 'form_encode1', target: 'http1' },
];

function say(node: StepLike, lang: Lang, nodes: StepLike[] = [node], edges: LinkLike[] = []) {
  return describeStep(node, { nodes, edges, presets, lang });
}

describe('hostOf and serviceOfUrl', () => {
  it.each([
    ['https://api.cpa.house/method/send_order', 'api.cpa.house', 'cpahouse'],
    ['https://{{inputs.account}}.getcourse.ru/pl/api/users', '….getcourse.ru', 'getcourse'],
    ['https://shkola.getcourse.ru/pl/api/deals', 'shkola.getcourse.ru', 'getcourse'],
    ['https://api.u-on.ru/{{inputs.key}}/request/1.json', 'api.u-on.ru', 'uon'],
    ['https://api.aray.com/api/v2/order/create/', 'api.aray.com', 'aray'],
    ['https://api.offerrum.com/webmaster/order/?key=1', 'api.offerrum.com', 'offerrum'],
    ['https://user:pw@API.KLIENTIKS.RU:8443/x', 'api.klientiks.ru', 'klientiks'],
    ['https://api.telegram.org/bot{{inputs.bot_token}}/sendMessage', 'api.telegram.org', 'telegram'],
    ['https://school.bitrix24.ru/rest/1/abc123/crm.lead.add.json', 'school.bitrix24.ru', 'bitrix24'],
    ['https://b24-x1y2z3.bitrix24.com.br/rest/7/code/crm.contact.add', 'b24-x1y2z3.bitrix24.com.br', 'bitrix24'],
    ['https://{{inputs.bitrix_portal}}/rest/{{inputs.bitrix_webhook}}/crm.lead.add.json', '…', 'bitrix24'],
    ['https://{{inputs.amo_subdomain}}.amocrm.ru/api/v4/leads/complex', '….amocrm.ru', 'amocrm'],
    ['https://sheets.googleapis.com/v4/spreadsheets/1Bx/values/A1:append', 'sheets.googleapis.com', 'googlesheets'],
    ['https://telegram.org.example/x', 'telegram.org.example', 'generic'],
    ['https://shop.example/crm.lead.add.json.bak', 'shop.example', 'generic'],
    ['http://127.0.0.1:18091/send', '127.0.0.1', 'generic'],
    ['https://notcpa.housing.example/x', 'notcpa.housing.example', 'generic'],
    ['{{inputs.url}}', '…', 'generic'],
    ['', '', 'generic'],
  ])('%s → host %s, service %s', (url, host, service) => {
    expect(hostOf(url)).toBe(host);
    expect(serviceOfUrl(url)).toBe(service);
  });
});

describe('serviceOf', () => {
  const ctx = { nodes: chain, edges: chainEdges, presets };
  it.each([
    ['a GetCourse trigger, from its preset source', chain[0], 'getcourse'],
    ['a form feeding CPA.House, from the step it feeds', chain[1], 'cpahouse'],
    ['an HTTP step, from its host', chain[2], 'cpahouse'],
    ['a trigger whose preset is not loaded, from its preset id', { id: 't', kind: 'webhook', config: { preset: 'sms_deliverer' } }, 'smsdeliverer'],
    ['a Tilda trigger whose preset is not loaded, from its preset id', { id: 't', kind: 'webhook', config: { preset: 'tilda.form' } }, 'tilda'],
    ['a generic trigger', { id: 't', kind: 'webhook', config: { preset: 'generic' } }, 'generic'],
    ['a trigger with no preset', { id: 't', kind: 'webhook', config: {} }, 'generic'],
    ['a condition', { id: 'f', kind: 'filter', config: {} }, 'generic'],
  ] as [string, StepLike, string][])('%s', (_, node, want) => {
    expect(serviceOf(node, ctx)).toBe(want);
  });

  it('gives a JSON parser the service whose answer it reads', () => {
    const nodes: StepLike[] = [
      { id: 'fetch', kind: 'http', config: { method: 'GET', url: 'https://api.u-on.ru/k/request/1.json' } },
      { id: 'parse', kind: 'json_parse', config: { source: '{{fetch.body}}', fields: fields(20) } },
    ];
    expect(serviceOf(nodes[1], { nodes, edges: [{ source: 'fetch', target: 'parse' }], presets })).toBe('uon');
  });
});

describe('describeStep', () => {
  type Row = [string, Lang, StepLike, string, string, string];
  it.each([
    ['GetCourse trigger (ru)', 'ru', chain[0], 'Запрос из GetCourse', 'GetCourse: создан пользователь', 'getcourse'],
    ['GetCourse trigger (en)', 'en', chain[0], 'Request from GetCourse', 'GetCourse: user created', 'getcourse'],
    ['form for CPA.House (ru)', 'ru', chain[1], 'Поля для CPA.House', '14 полей', 'cpahouse'],
    ['form for CPA.House (en)', 'en', chain[1], 'Fields for CPA.House', '14 fields', 'cpahouse'],
    ['lead to CPA.House (ru)', 'ru', chain[2], 'Отправить лид в CPA.House', 'POST api.cpa.house · 14 полей', 'cpahouse'],
    ['lead to CPA.House (en)', 'en', chain[2], 'Send a lead to CPA.House', 'POST api.cpa.house · 14 fields', 'cpahouse'],
  ] as Row[])('%s', (_, lang, node, title, summary, service) => {
    const d = say(node, lang, chain, chainEdges);
    expect(d).toEqual({ title, summary, service, named: false });
  });

  it.each([
    ['ru', 1, '1 поле'],
    ['ru', 2, '2 поля'],
    ['ru', 5, '5 полей'],
    ['ru', 21, '21 поле'],
    ['ru', 11, '11 полей'],
    ['en', 1, '1 field'],
    ['en', 3, '3 fields'],
  ] as [Lang, number, string][])('counts fields in %s: %i → %s', (lang, n, want) => {
    expect(say({ id: 'set1', kind: 'set', config: { fields: fields(n) } }, lang).summary).toBe(want);
  });

  type One = [string, Lang, StepLike, string, string];
  it.each([
    ['aray order', 'ru', { id: 'http1', kind: 'http', config: { method: 'POST', url: 'https://api.aray.com/api/v2/order/create/' } }, 'Создать заказ в aray', 'POST api.aray.com'],
    ['Offerrum order with its query', 'en', { id: 'http1', kind: 'http', config: { method: 'POST', url: 'https://api.offerrum.com/webmaster/order/', query: fields(4) } }, 'Create an order in Offerrum', 'POST api.offerrum.com · 4 fields'],
    ['U-ON fetch', 'ru', { id: 'http1', kind: 'http', config: { method: 'GET', url: 'https://api.u-on.ru/{{inputs.k}}/request/1.json' } }, 'Получить данные из U-ON', 'GET api.u-on.ru'],
    ['GetCourse import of users', 'ru', { id: 'http1', kind: 'http', config: { method: 'POST', url: 'https://{{inputs.account}}.getcourse.ru/pl/api/users' } }, 'Добавить пользователя в GetCourse', 'POST ….getcourse.ru'],
    ['an unknown service is named by its host', 'ru', { id: 'http1', kind: 'http', config: { method: 'PUT', url: 'https://crm.example.com/leads', body_type: 'json', body: '{"a":1,"b":2}' } }, 'Отправить данные в crm.example.com', 'PUT crm.example.com · 2 поля'],
    ['a new HTTP step without address', 'ru', { id: 'http1', kind: 'http', config: { method: 'GET' } }, 'Запрос к сервису', 'адрес пока не указан'],
    ['a new HTTP step without address (en)', 'en', { id: 'http1', kind: 'http', config: {} }, 'Request to a service', 'address not set yet'],
    ['a generic trigger', 'ru', { id: 'webhook1', kind: 'webhook', config: { preset: 'generic' } }, 'Входящий запрос', generic.title.ru],
    ['Klientiks trigger', 'ru', { id: 'webhook1', kind: 'webhook', config: { preset: 'klientiks.client_added' } }, 'Запрос из Klientiks', klientiks.title.ru],
    ['SMS Deliverer trigger', 'en', { id: 'webhook1', kind: 'webhook', config: { preset: 'sms_deliverer' } }, 'Request from SMS Deliverer', sms.title.en],
    ['a condition from its rule', 'ru', { id: 'filter1', kind: 'filter', config: { match: 'all', rules: [{ left: '{{steps.send.json.status}}', op: 'equals', right: 'success' }] } }, 'Условие', 'status = success'],
    ['a condition without rules', 'ru', { id: 'filter1', kind: 'filter', config: { match: 'all', rules: [] } }, 'Условие', 'правил пока нет'],
    ['JavaScript', 'ru', { id: 'js1', kind: 'js', config: { code: 'const a = 1;\n\nreturn input;' } }, 'Код JavaScript', '2 строки'],
    ['an empty form', 'ru', { id: 'form_encode1', kind: 'form_encode', config: {} }, 'Поля формы', 'полей пока нет'],
    ['the answer to the webhook', 'ru', { id: 'reply1', kind: 'reply', config: { status: '201', content_type: 'application/json' } }, 'Ответ на вебхук', 'отвечает 201 · application/json'],
    ['a new answer, as the step answers', 'en', { id: 'reply1', kind: 'reply', config: {} }, 'Reply to the webhook', 'answers 200 · application/json'],
    ['amoCRM lead', 'ru', { id: 'http1', kind: 'http', config: { method: 'POST', url: 'https://{{inputs.amo_subdomain}}.amocrm.ru/api/v4/leads/complex' } }, 'Отправить лид в amoCRM', 'POST ….amocrm.ru'],
    ['Google Sheets row', 'ru', { id: 'google_sheets1', kind: 'google_sheets', config: { sheet: 'Заявки', cells: fields(3) } }, 'Строка в Google Таблицу', 'Заявки · 3 столбца'],
    ['Google Sheets row, sheet from the settings', 'en', { id: 'google_sheets1', kind: 'google_sheets', config: { sheet: '{{inputs.sheet}}', cells: fields(1) } }, 'Add a row to Google Sheets', 'the sheet from the settings · 1 column'],
  ] as One[])('%s', (_, lang, node, title, summary) => {
    const d = say(node, lang);
    expect([d.title, d.summary]).toEqual([title, summary]);
    expect(d.title).not.toContain(node.id);
  });

  it('shows the name the user gave instead of the derived title, keeping the summary', () => {
    const d = say({ ...chain[2], name: 'Лид партнёру' }, 'ru', chain, chainEdges);
    expect(d).toMatchObject({ title: 'Лид партнёру', summary: 'POST api.cpa.house · 14 полей', named: true });
  });

  it('never shows the node id, whatever the kind', () => {
    for (const kind of ['webhook', 'http', 'form_encode', 'set', 'json_parse', 'js', 'filter', 'reply', 'google_sheets', 'something_new']) {
      for (const lang of ['en', 'ru'] as Lang[]) {
        const d = say({ id: `${kind}1`, kind, config: {} }, lang);
        expect(d.title, `${kind} ${lang}`).not.toMatch(/\w+\d$/);
        expect(d.title).not.toBe('');
      }
    }
  });
});

describe('rulesSummary', () => {
  it.each([
    ['ru', { rules: [{ left: '{{trigger.params.email}}', op: 'contains', right: 'gmail' }] }, 'email содержит gmail'],
    ['en', { rules: [{ left: '{{trigger.params.email}}', op: 'not_empty' }] }, 'email is not empty'],
    ['ru', { match: 'any', rules: [{ left: '{{trigger.params.sum | number}}', op: 'gt', right: '1000' }, { left: '{{trigger.params.vip}}', op: 'equals', right: 'да' }] }, 'sum > 1000 или vip = да'],
    ['ru', { match: 'all', rules: [
      { left: '{{a}}', op: 'is_empty' }, { left: '{{b}}', op: 'is_empty' }, { left: '{{c}}', op: 'is_empty' }, { left: '{{d}}', op: 'is_empty' },
    ] }, 'a пусто и b пусто и ещё 2'],
    ['ru', { rules: [{ left: '{{steps.fetch.json["request"][0]["status"]}}', op: 'not_equals', right: '{{inputs.closed}}' }] }, 'status ≠ closed'],
    ['en', { expression: 'trigger.params.sum > 1000' }, 'trigger.params.sum > 1000'],
    ['en', { rules: [{ left: '', op: 'equals' }] }, 'no rules yet'],
  ] as [Lang, Record<string, unknown>, string][])('%s %j → %s', (lang, config, want) => {
    expect(rulesSummary(config, lang)).toBe(want);
  });

  it('shortens long plain values', () => {
    expect(shortValue('a very long text that goes on and on')).toBe('a very long text that g…');
  });
});

describe('kindName', () => {
  const kind = (k: string) => ({ kind: k, title: { en: `${k} from the server`, ru: `${k} с сервера` }, help: { en: '' }, schema: { type: 'object' }, fields: [] });
  it.each([
    ['form_encode', 'ru', 'Поля формы'],
    ['http', 'ru', 'Запрос к сервису'],
    ['http', 'en', 'Request to a service'],
    ['webhook', 'ru', 'Вебхук'],
    ['brand_new', 'ru', 'brand_new с сервера'],
  ] as [string, Lang, string][])('%s in %s is %s', (k, lang, want) => {
    expect(kindName(kind(k), lang)).toBe(want);
  });
});
