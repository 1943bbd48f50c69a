// Runs per day as small stacked bars (SVG, no chart library): delivered, filtered, waiting for a
// retry and failed, for the last days in the reader's time zone. Each bar says its day and
// counts on hover; in the journal a click on a bar shows that day's runs.
import { useQuery } from '@tanstack/react-query';
import { runsApi } from '../api/runs';
import type { Daily } from '../api/types';
import { useLang, useT, type MessageKey } from '../i18n/i18n';
import { keys } from '../query/keys';
import { chartModel, dayLabel, KINDS, readerTimeZone, type Bar, type DayKind } from './dailyChart';

const label: Record<DayKind, MessageKey> = {
  success: 'status.success',
  failed: 'status.failed',
  filtered: 'status.filtered',
  waiting: 'runs.waiting',
};

/** The counts for the charts of one flow (flowId) or of the team's flows (null); refreshed when
 * keys.daily(flowId) is invalidated. A failure shows no chart (the page works without it). */
export function useDailyCounts(flowId: string | null): Daily | null {
  const q = useQuery({
    queryKey: keys.daily(flowId),
    queryFn: () => {
      const tz = readerTimeZone();
      return runsApi.daily(flowId, tz).catch(() => runsApi.daily(flowId, '')); // a zone the server does not know: Moscow days
    },
  });
  return q.data ?? null;
}

export function DailyChart({ data, flowIds, width, height, onDay, compact, testId }: {
  data: Daily;
  flowIds?: string[];
  width: number;
  height: number;
  /** a click on a day's bar */
  onDay?: (day: string) => void;
  /** no legend or axis words: a row of the flows list */
  compact?: boolean;
  testId?: string;
}) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const m = chartModel(data, { flowIds, width, height, lang, gap: compact ? 1 : 3 });
  const describe = (b: Bar) => {
    const parts = KINDS.filter((k) => b.counts[k] > 0).map((k) => `${t(label[k])}: ${b.counts[k]}`);
    return `${dayLabel(b.day, lang, true)} — ${parts.length ? parts.join(', ') : t('runs.chartNone')}`;
  };
  const summary = t('runs.chartSummary', { n: m.total, days: data.days.length });
  return (
    <figure className={`daily-chart ${compact ? 'compact' : ''}`} data-testid={testId ?? 'daily-chart'} data-total={m.total}>
      <svg width={width} height={height + (compact ? 0 : 16)} role="img" aria-label={summary}>
        <title>{summary}</title>
        {m.bars.map((b) => (
          <g key={b.day} data-day={b.day} data-total={b.total} className={onDay ? 'clickable' : undefined}
            onClick={onDay ? () => onDay(b.day) : undefined}>
            <title>{describe(b)}</title>
            <rect x={b.x} y={0} width={b.width} height={height} className="day-back" />
            {b.segments.map((s) => (
              <rect key={s.kind} x={b.x} y={s.y} width={b.width} height={s.height} className={`day-${s.kind}`} data-kind={s.kind} data-n={s.n} />
            ))}
          </g>
        ))}
        {!compact && m.bars.length > 0 && (
          <>
            <text x={0} y={height + 12} className="day-axis">{m.bars[0].label}</text>
            <text x={width} y={height + 12} className="day-axis" textAnchor="end">{m.bars[m.bars.length - 1].label}</text>
          </>
        )}
      </svg>
      {!compact && (
        <figcaption className="daily-legend">
          <span className="muted">{summary}</span>
          {KINDS.map((k) => (
            <span key={k}><i className={`swatch day-${k}`} /> {t(label[k])}</span>
          ))}
        </figcaption>
      )}
    </figure>
  );
}
