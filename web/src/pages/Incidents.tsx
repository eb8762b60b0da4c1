/**
 * Incidents, from the response module: the list (by state, live), and one incident's entities,
 * indicators, timeline and notes, with its actions: acknowledge, contain, resolve (with a resolution and
 * a note), add a note. Analysts and admins act; auditors read.
 */
import { useCallback, useState, type FormEvent, type ReactNode } from 'react';
import { api, qs } from '../api';
import { useLive } from '../live';
import { navigate, seg } from '../router';
import type { Incident, IncidentState, LiveItem, Session } from '../types';
import { Card, Empty, ErrorBox, Link, Severity, Time, useLoad } from '../ui';

const STATES: IncidentState[] = ['open', 'acknowledged', 'contained', 'resolved'];
const RESOLUTIONS = [
  { value: 'true_positive', label: 'true positive' },
  { value: 'benign', label: 'benign' },
  { value: 'false_positive', label: 'false positive' },
] as const;

export function Incidents({ session, rest }: { session: Session; rest: string[] }): ReactNode {
  const [state, setState] = useState<IncidentState | ''>('');
  const [fresh, setFresh] = useState(0);
  const list = useLoad(() => api<{ incidents: Incident[] }>(`/admin/incidents${qs({ state, limit: 200 })}`).then((r) => r.incidents), [state, fresh]);
  useLive(
    useCallback((item: LiveItem) => {
      if (item.kind === 'response' || item.kind === 'detection') setFresh((n) => n + 1);
    }, []),
  );
  const selected = rest[0];
  return (
    <div className="split">
      <div className="split-main">
        <Card
          title="Incidents"
          actions={
            <label className="toolbar">
              State{' '}
              <select value={state} onChange={(e) => setState(e.target.value as IncidentState | '')}>
                <option value="">any</option>
                {STATES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
          }
        >
          <ErrorBox error={list.error} />
          {list.data && list.data.length === 0 ? (
            <Empty>No incidents.</Empty>
          ) : (
            <table aria-label="Incidents">
              <thead>
                <tr>
                  <th scope="col">Last activity</th>
                  <th scope="col">Severity</th>
                  <th scope="col">State</th>
                  <th scope="col">Title</th>
                  <th scope="col">Entities</th>
                </tr>
              </thead>
              <tbody>
                {list.data?.map((i) => (
                  <tr key={i.id} className={i.id === selected ? 'selected' : undefined}>
                    <td>
                      <Time iso={i.lastActivityAt} />
                    </td>
                    <td>
                      <Severity value={i.severity} />
                    </td>
                    <td>
                      <StateBadge state={i.state} />
                    </td>
                    <td>
                      <Link to={`incidents/${seg(i.id)}`}>{i.title}</Link>
                    </td>
                    <td className="mono">{i.entities.map((e) => `${e.type}::${e.id}`).join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </div>
      {selected && <IncidentDetail key={selected} id={selected} fresh={fresh} canAct={session.role !== 'auditor'} onChange={() => setFresh((n) => n + 1)} />}
    </div>
  );
}

function StateBadge({ state }: { state: IncidentState }): ReactNode {
  return <span className={`badge state-${state}`}>{state}</span>;
}

function IncidentDetail({ id, fresh, canAct, onChange }: { id: string; fresh: number; canAct: boolean; onChange(): void }): ReactNode {
  const incident = useLoad(() => api<Incident>(`/admin/incidents/${seg(id)}`), [id, fresh]);
  const [error, setError] = useState<Error>();
  const [resolution, setResolution] = useState<(typeof RESOLUTIONS)[number]['value']>('true_positive');
  const [resolveNote, setResolveNote] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  async function act(path: string, body?: unknown): Promise<void> {
    setError(undefined);
    setBusy(true);
    try {
      await api(`/admin/incidents/${seg(id)}/${path}`, { method: 'POST', ...(body !== undefined ? { body } : {}) });
      onChange();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }
  const resolve = (e: FormEvent): void => {
    e.preventDefault();
    void act('resolve', { resolution, ...(resolveNote.trim() ? { note: resolveNote.trim() } : {}) });
  };
  const addNote = (e: FormEvent): void => {
    e.preventDefault();
    if (note.trim()) void act('notes', { text: note.trim() });
  };

  const i = incident.data;
  return (
    <Card title="Incident" className="split-side">
      <ErrorBox error={incident.error ?? error} />
      {i && (
        <>
          <p>
            <Severity value={i.severity} /> <StateBadge state={i.state} /> {i.resolution && <span className="badge">{i.resolution.replace('_', ' ')}</span>}
          </p>
          <h3>{i.title}</h3>
          <dl className="facts">
            <dt>Id</dt>
            <dd className="mono">{i.id}</dd>
            <dt>Kind</dt>
            <dd>
              {i.kind} · {i.type}
            </dd>
            <dt>Entities</dt>
            <dd>
              {i.entities.map((e) => (
                <div key={`${e.type}::${e.id}`}>
                  <Link to={`principals/${seg(e.type)}/${seg(e.id)}`} className="mono">
                    {e.type}::{e.id}
                  </Link>
                </div>
              ))}
            </dd>
            <dt>Indicators</dt>
            <dd className="mono">{i.indicators.join(', ') || '–'}</dd>
            <dt>First event</dt>
            <dd>
              <Time iso={i.firstEventAt} />
            </dd>
            <dt>Detected</dt>
            <dd>
              <Time iso={i.firstDetectionAt} />
            </dd>
            {i.containedAt && (
              <>
                <dt>Contained</dt>
                <dd>
                  <Time iso={i.containedAt} />
                </dd>
              </>
            )}
            <dt>Detections, actions</dt>
            <dd>
              {i.detections.length}, {i.actions.length}
            </dd>
          </dl>
          {canAct && i.state !== 'resolved' && (
            <div className="toolbar">
              {i.state === 'open' && (
                <button type="button" className="secondary" disabled={busy} onClick={() => void act('acknowledge')}>
                  Acknowledge
                </button>
              )}
              {(i.state === 'open' || i.state === 'acknowledged') && (
                <button type="button" className="danger" disabled={busy} onClick={() => void act('contain')}>
                  Contain
                </button>
              )}
            </div>
          )}
          {canAct && i.state !== 'resolved' && (
            <form className="stack" onSubmit={resolve} aria-label="Resolve the incident">
              <label htmlFor="incident-resolution">Resolution</label>
              <select id="incident-resolution" value={resolution} onChange={(e) => setResolution(e.target.value as typeof resolution)}>
                {RESOLUTIONS.map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
              </select>
              <label htmlFor="incident-resolution-note">Resolution note</label>
              <input id="incident-resolution-note" value={resolveNote} maxLength={4000} onChange={(e) => setResolveNote(e.target.value)} />
              <button type="submit" disabled={busy}>
                Resolve
              </button>
            </form>
          )}
          <h3>Timeline</h3>
          <ol className="timeline" tabIndex={0} aria-label="Timeline">
            {i.timeline.map((t, n) => (
              <li key={n}>
                <Time iso={t.time} /> <span className="badge">{t.kind.replaceAll('_', ' ')}</span> {t.text}
                {t.actor && <span className="muted"> · {t.actor}</span>}
              </li>
            ))}
          </ol>
          <h3>Notes</h3>
          {i.notes.length === 0 ? (
            <Empty>No notes.</Empty>
          ) : (
            <ul className="plain">
              {i.notes.map((n, k) => (
                <li key={k}>
                  <Time iso={n.time} /> <span className="mono">{n.author}</span>: <span className="note-inline">{n.text}</span>
                </li>
              ))}
            </ul>
          )}
          {canAct && (
            <form className="toolbar" onSubmit={addNote}>
              <label className="sr-only" htmlFor="incident-note">
                Note
              </label>
              <input id="incident-note" value={note} maxLength={4000} placeholder="Add a note" onChange={(e) => setNote(e.target.value)} />
              <button type="submit" className="secondary" disabled={busy || !note.trim()}>
                Add note
              </button>
            </form>
          )}
          <p>
            <button type="button" className="secondary" onClick={() => navigate('incidents')}>
              Close
            </button>
          </p>
        </>
      )}
    </Card>
  );
}
