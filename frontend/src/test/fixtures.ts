// Shared fixtures for component tests: kinds and a preset shaped like the server's (flows/*.go).
import type { FlowDocument, KindInfo, Preset } from '../api/types';

export const kinds: KindInfo[] = [
  { kind: 'webhook', title: { en: 'Webhook' }, help: { en: '' }, schema: { type: 'object' }, trigger: true, fields: [
    { key: 'preset', type: 'select', label: { en: 'Source' }, options: ['getcourse.user_created', 'generic'], default: 'generic' },
  ] },
  { kind: 'form_encode', title: { en: 'Form' }, help: { en: '' }, schema: { type: 'object' }, fields: [
    { key: 'fields', type: 'list', label: { en: 'Fields' }, fields: [
      { key: 'key', type: 'string', label: { en: 'Name' }, required: true },
      { key: 'value', type: 'string', label: { en: 'Value' }, template: true },
    ] },
  ] },
  { kind: 'http', title: { en: 'HTTP request' }, help: { en: '' }, schema: { type: 'object' }, fields: [
    { key: 'url', type: 'string', label: { en: 'URL' }, required: true, template: true },
    { key: 'body', type: 'code', label: { en: 'Body text' }, template: true },
    { key: 'success', type: 'object', label: { en: 'Success rule' }, fields: [
      { key: 'condition', type: 'code', label: { en: 'Condition' } },
    ] },
  ] },
  { kind: 'filter', title: { en: 'Condition' }, help: { en: '' }, schema: { type: 'object' }, fields: [],
    outputs: [{ name: 'true', label: { en: 'yes', ru: 'да' } }, { name: 'false', label: { en: 'no', ru: 'нет' } }] },
  { kind: 'js', title: { en: 'JavaScript' }, help: { en: '' }, schema: { type: 'object' }, fields: [
    { key: 'code', type: 'code', label: { en: 'Code' }, required: true },
  ] },
];

export const getcourse: Preset = {
  id: 'getcourse.user_created',
  source: 'GetCourse',
  title: { en: 'GetCourse: user created' },
  method: 'GET',
  params: [
    { key: 'email', variable: '{object.email}', label: { en: 'Email' }, example: 'anna@mail.ru' },
    { key: 'phone', variable: '{object.phone}', label: { en: 'Phone' }, example: '+79161234567' },
  ],
  guide: { en: ['Open Processes.', 'Paste {webhook_url} followed by the parameter string.'], ru: ['Откройте процессы.', 'Вставьте {webhook_url} и строку параметров.'] },
  url_template: '?email={object.email}&phone={object.phone}',
  sample_query: 'email=anna%40mail.ru&phone=%2B79161234567',
};

export const doc: FlowDocument = {
  schema: 1,
  name: 'GetCourse → CPA.House',
  inputs: [{ key: 'api_key', label: 'API key', secret: true }],
  nodes: [
    { id: 'trigger', kind: 'webhook', name: 'GetCourse', position: { x: 0, y: 0 }, config: { preset: 'getcourse.user_created' } },
    { id: 'form', kind: 'form_encode', position: { x: 0, y: 140 }, config: { fields: [{ key: 'name', value: 'Hi ' }, { key: '', value: '' }] } },
    { id: 'send', kind: 'http', position: { x: 0, y: 280 }, config: { url: 'https://api.example/send', body: '', success: { condition: 'status == "ok"' } } },
    { id: 'script', kind: 'js', position: { x: 200, y: 280 }, config: { code: 'return input' } },
  ],
  edges: [{ from: 'trigger', to: 'form' }, { from: 'form', to: 'send' }, { from: 'form', to: 'script' }],
};
