// A flow's settings (failure emails, journal retention, the webhook's rate limit) as the form
// edits them: every value a string, turned back into the server's shape on save with the problems
// a person can fix named by field. What the webhook answers is a step of the flow now (the Reply
// step, kind "reply"); the server reads an old flow's reply setting as that step.
export interface SettingsForm {
  recipients: string; // emails separated by commas, spaces or new lines
  lang: string;
  retentionDays: string;
  retentionCount: string;
  ratePerSecond: string;
  rateBurst: string;
}

export type SettingsProblem = { field: keyof SettingsForm; key: 'email' | 'whole' | 'positive'; value?: string };

type Stored = Record<string, unknown>;

const str = (v: unknown) => (v === undefined || v === null || v === 0 ? '' : String(v));

export function toForm(settings: Stored = {}): SettingsForm {
  const rate = (settings.rate_limit ?? {}) as Stored;
  return {
    recipients: Array.isArray(settings.recipients) ? settings.recipients.join(', ') : '',
    lang: str(settings.lang) || 'en',
    retentionDays: str(settings.retention_days),
    retentionCount: str(settings.retention_count),
    ratePerSecond: str(rate.per_second),
    rateBurst: str(rate.burst),
  };
}

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

/** The members of o that are set; undefined when none is. */
function defined(o: Stored): Stored | undefined {
  const set = Object.entries(o).filter(([, v]) => v !== undefined);
  return set.length ? Object.fromEntries(set) : undefined;
}

/** The server's settings from the form, keeping members the form does not know; or the problems. */
export function fromForm(form: SettingsForm, previous: Stored = {}): { settings?: Stored; problems: SettingsProblem[] } {
  const problems: SettingsProblem[] = [];
  const whole = (field: keyof SettingsForm, min = 0): number | undefined => {
    const s = form[field].trim();
    if (s === '') return undefined;
    const n = Number(s);
    if (!Number.isInteger(n) || n < min) {
      problems.push({ field, key: min > 0 ? 'positive' : 'whole' });
      return undefined;
    }
    return n;
  };
  const recipients = form.recipients.split(/[\s,;]+/).filter(Boolean);
  for (const r of recipients) if (!EMAIL.test(r)) problems.push({ field: 'recipients', key: 'email', value: r });

  const retentionDays = whole('retentionDays', 1);
  const retentionCount = whole('retentionCount', 1);
  let perSecond: number | undefined;
  if (form.ratePerSecond.trim() !== '') {
    perSecond = Number(form.ratePerSecond.trim());
    if (!(perSecond > 0)) {
      problems.push({ field: 'ratePerSecond', key: 'positive' });
      perSecond = undefined;
    }
  }
  const burst = whole('rateBurst', 1);
  if (problems.length) return { problems };

  const out: Stored = { ...previous };
  const put = (key: string, v: unknown) => {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) delete out[key];
    else out[key] = v;
  };
  put('recipients', recipients);
  put('lang', recipients.length ? form.lang : undefined);
  put('retention_days', retentionDays);
  put('retention_count', retentionCount);
  put('rate_limit', defined({ per_second: perSecond, burst }));
  return { settings: out, problems };
}
