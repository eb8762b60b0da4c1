/**
 * Incidents. Until the response module lands, the risk engine's detections are the incidents' raw
 * material: listed newest first, live, each with its entity and one containment action (revoke the
 * entity's API keys). The list is one `IncidentSource` so that incidents replace detections in one place.
 */
import { useCallback, useState, type ReactNode } from 'react';
import { api, qs } from '../api';
import { useLive } from '../live';
import type { ApiKey, Detection, LiveItem, Session } from '../types';
import { Card, Empty, ErrorBox, Link, Severity, Time, useLoad } from '../ui';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

/** Where the page's rows come from: today the detections; the response module's incidents later. */
const detectionSource = (detector: string): Promise<Detection[]> => api<{ detections: Detection[] }>(`/admin/detections${qs({ detector, limit: 200 })}`).then((r) => r.detections);

export function Incidents({ session }: { session: Session }): ReactNode {
  const [detector, setDetector] = useState('');
  const [severity, setSeverity] = useState('');
  const [fresh, setFresh] = useState(0);
  const list = useLoad(() => detectionSource(detector), [detector, fresh]);
  const [outcome, setOutcome] = useState<{ entity: string; revoked: number } | undefined>();
  const [actionError, setActionError] = useState<Error>();
  useLive(
    useCallback((item: LiveItem) => {
      if (item.kind === 'detection') setFresh((n) => n + 1);
    }, []),
  );
  const rows = (list.data ?? []).filter((d) => !severity || d.severity === severity);
  const detectors = [...new Set((list.data ?? []).map((d) => d.detector))].sort();

  async function contain(d: Detection): Promise<void> {
    const ref = `${d.entity.type}::${d.entity.id}`;
    if (!confirm(`Revoke every active API key of ${ref}?`)) return;
    setActionError(undefined);
    try {
      const { items } = await api<{ items: ApiKey[] }>(`/admin/keys${qs({ principal: d.entity.id })}`);
      const active = items.filter((k) => !k.revokedAt);
      for (const k of active) await api(`/admin/keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' });
      setOutcome({ entity: ref, revoked: active.length });
    } catch (e) {
      setActionError(e as Error);
    }
  }

  return (
    <div className="grid">
      <p className="note span-all">
        Incidents (timeline, acknowledge, contain, resolve, notes) arrive with the response module; until then this page lists the risk engine&apos;s detections, which incidents group.
      </p>
      <Card
        title="Detections"
        className="span-all"
        actions={
          <div className="toolbar">
            <label>
              Detector{' '}
              <select value={detector} onChange={(e) => setDetector(e.target.value)}>
                <option value="">any</option>
                {detectors.map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Severity{' '}
              <select value={severity} onChange={(e) => setSeverity(e.target.value)}>
                <option value="">any</option>
                {SEVERITIES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
          </div>
        }
      >
        <ErrorBox error={list.error ?? actionError} />
        {outcome && (
          <p className="success" role="status">
            Contained {outcome.entity}: {outcome.revoked} key(s) revoked.
          </p>
        )}
        {list.data && rows.length === 0 ? (
          <Empty>No detections.</Empty>
        ) : (
          <table aria-label="Detections">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Severity</th>
                <th scope="col">Detector</th>
                <th scope="col">Entity</th>
                <th scope="col">Explanation</th>
                <th scope="col">Risk +</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Time iso={d.time} />
                  </td>
                  <td>
                    <Severity value={d.severity} />
                  </td>
                  <td>{d.detector}</td>
                  <td>
                    <Link to={`principals/${encodeURIComponent(d.entity.type)}/${encodeURIComponent(d.entity.id)}`} className="mono">
                      {d.entity.type}::{d.entity.id}
                    </Link>
                  </td>
                  <td>{d.explanation}</td>
                  <td>{d.contribution}</td>
                  <td>
                    {session.role !== 'auditor' && ['User', 'Service', 'Agent'].includes(d.entity.type) && (
                      <button type="button" className="danger" onClick={() => void contain(d)} aria-label={`Contain ${d.entity.type}::${d.entity.id}`}>
                        Contain
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
