// The result under the Test button: a preview (nothing was sent) or a run sent for real, with
// its status in the user's language and the run's error.
import type { Trace } from '../api/types';
import { useT } from '../i18n/i18n';
import { StatusText } from '../journal/StatusText';

export function TraceResult({ trace, sent }: { trace: Trace; sent: boolean }) {
  const t = useT();
  return (
    <div className={`status-${trace.status}`} data-testid="trace-status" data-sent={sent}>
      {t(sent ? 'editor.sentResult' : 'editor.testResult')} <StatusText status={trace.status} />
      {trace.error && <div className="error">{trace.error.message}</div>}
    </div>
  );
}
