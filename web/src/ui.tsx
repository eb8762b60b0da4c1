/** Small shared pieces: data loading, badges, cards, errors, times. Everything a user controls is text. */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError } from './api';
import { navigate } from './router';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
  reload(): void;
}

/** Runs `load` now and whenever `deps` change; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const run = useCallback(load, deps);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    run().then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [run, tick]);
  return { data: state.data, error: state.error, loading: state.loading, reload: () => setTick((t) => t + 1) };
}

export function ErrorBox({ error }: { error: Error | undefined }): ReactNode {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <strong>{error instanceof ApiError ? error.code : 'error'}</strong>: {error.message}
    </div>
  );
}

export function Card({ title, children, className, actions }: { title?: string; children: ReactNode; className?: string; actions?: ReactNode }): ReactNode {
  return (
    <section className={`card ${className ?? ''}`}>
      {(title || actions) && (
        <header className="card-head">
          {title && <h2>{title}</h2>}
          {actions}
        </header>
      )}
      {children}
    </section>
  );
}

export function Stat({ label, value, tone }: { label: string; value: ReactNode; tone?: string }): ReactNode {
  return (
    <div className={`stat ${tone ?? ''}`}>
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}

const OUTCOME_LABEL: Record<string, string> = { allow: 'allow', deny: 'deny', step_up: 'step-up' };

export function Outcome({ value, enforced = true }: { value: string; enforced?: boolean }): ReactNode {
  return (
    <span className={`badge outcome-${value}`}>
      {OUTCOME_LABEL[value] ?? value}
      {!enforced && <span className="monitor" title="monitor only: recorded, not enforced"> · monitor</span>}
    </span>
  );
}

export function Severity({ value }: { value: string }): ReactNode {
  return <span className={`badge sev-${value}`}>{value}</span>;
}

export function Time({ iso }: { iso: string }): ReactNode {
  const d = new Date(iso);
  return <time dateTime={iso} title={iso}>{d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })}</time>;
}

/** An in-app link (keeps the single page; still a real link for middle-click and screen readers). */
export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }): ReactNode {
  return (
    <a
      href={`/ui/${to}`}
      className={className}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

export function Empty({ children }: { children: ReactNode }): ReactNode {
  return <p className="empty">{children}</p>;
}

export const pct = (part: number, whole: number): string => (whole === 0 ? '0%' : `${((100 * part) / whole).toFixed(1)}%`);

/** `User::alice` → `{ type: 'User', id: 'alice' }`. */
export function splitRef(ref: string): { type: string; id: string } {
  const i = ref.indexOf('::');
  return i < 0 ? { type: 'User', id: ref } : { type: ref.slice(0, i), id: ref.slice(i + 2) };
}
