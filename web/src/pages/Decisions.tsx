/** Decisions: filters, a newest-first list that grows live, and one decision explained. */
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api, qs } from '../api';
import { useLive } from '../live';
import { navigate } from '../router';
import type { Decision, Detection, LiveItem } from '../types';
import { Card, Empty, ErrorBox, Link, Outcome, Severity, Time, useLoad } from '../ui';

interface Filters {
  principal: string;
  outcome: string;
  resource: string;
  since: string;
  until: string;
}

/** One row of the list: from a page of the API or straight from the live stream. */
interface Row {
  decisionId: string;
  time: string;
  outcome: string;
  enforced: boolean;
  principal: string | null;
  action: string;
  resource: string;
  status: number;
  risk: number | null;
}

const rowOf = (d: Decision): Row => ({
  decisionId: d.decisionId,
  time: d.time,
  outcome: d.outcome,
  enforced: d.enforced,
  principal: d.principal ? `${d.principal.type}::${d.principal.id}` : null,
  action: d.action,
  resource: `${d.resource.type}::${d.resource.id}`,
  status: d.status,
  risk: d.risk ?? null,
});

const EMPTY: Filters = { principal: '', outcome: '', resource: '', since: '', until: '' };
const toIso = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

export function Decisions({ selected }: { selected: string | undefined }): ReactNode {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [items, setItems] = useState<Row[]>([]);
  const [next, setNext] = useState<number>();
  const [error, setError] = useState<Error>();
  const [fresh, setFresh] = useState(0);

  const query = useCallback(
    (before?: number) => `/decisions${qs({ principal: filters.principal, outcome: filters.outcome, resource: filters.resource, since: toIso(filters.since), until: toIso(filters.until), before, limit: 50 })}`,
    [filters],
  );
  const load = useCallback(() => {
    setError(undefined);
    setFresh(0);
    api<{ items: Decision[]; next?: number }>(query()).then((page) => {
      setItems(page.items.map(rowOf));
      setNext(page.next);
    }, setError);
  }, [query]);
  useEffect(load, [load]);

  // A live decision joins the top of the list when it matches the filters.
  useLive(
    useCallback(
      (item: LiveItem) => {
        if (item.kind !== 'decision') return;
        if (filters.outcome && item.outcome !== filters.outcome) return;
        if (filters.principal && item.principal !== filters.principal) return;
        if (filters.resource && item.resource !== filters.resource) return;
        if (filters.until) return;
        const { kind: _kind, id: _id, ...row } = item;
        setItems((list) => (list.some((d) => d.decisionId === row.decisionId) ? list : [row, ...list].slice(0, 500)));
        setFresh((n) => n + 1);
      },
      [filters],
    ),
  );

  function apply(e: FormEvent): void {
    e.preventDefault();
    setFilters(draft);
  }

  async function more(): Promise<void> {
    if (next === undefined) return;
    const page = await api<{ items: Decision[]; next?: number }>(query(next));
    setItems((list) => [...list, ...page.items.map(rowOf)]);
    setNext(page.next);
  }

  return (
    <div className="split">
      <div className="split-main">
        <form className="filters card" onSubmit={apply} aria-label="Filter decisions">
          <label>
            Principal
            <input value={draft.principal} onChange={(e) => setDraft({ ...draft, principal: e.target.value })} placeholder="User::alice" />
          </label>
          <label>
            Outcome
            <select value={draft.outcome} onChange={(e) => setDraft({ ...draft, outcome: e.target.value })}>
              <option value="">any</option>
              <option value="allow">allow</option>
              <option value="step_up">step-up</option>
              <option value="deny">deny</option>
            </select>
          </label>
          <label>
            Resource
            <input value={draft.resource} onChange={(e) => setDraft({ ...draft, resource: e.target.value })} placeholder="Model::gpt-4o" />
          </label>
          <label>
            From
            <input type="datetime-local" value={draft.since} onChange={(e) => setDraft({ ...draft, since: e.target.value })} />
          </label>
          <label>
            Until
            <input type="datetime-local" value={draft.until} onChange={(e) => setDraft({ ...draft, until: e.target.value })} />
          </label>
          <div className="filter-actions">
            <button type="submit">Apply</button>
            <button type="button" className="secondary" onClick={() => { setDraft(EMPTY); setFilters(EMPTY); }}>
              Clear
            </button>
          </div>
        </form>
        <ErrorBox error={error} />
        <Card title="Decisions" actions={fresh > 0 ? <span className="badge live-count">{fresh} new</span> : undefined}>
          {items.length === 0 ? (
            <Empty>No decisions match.</Empty>
          ) : (
            <table className="clickable" aria-label="Decisions">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Principal</th>
                  <th scope="col">Action</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Status</th>
                  <th scope="col">Risk</th>
                </tr>
              </thead>
              <tbody>
                {items.map((d) => (
                  <tr key={d.decisionId} className={d.decisionId === selected ? 'selected' : ''} data-decision={d.decisionId}>
                    <td>
                      <Link to={`decisions/${encodeURIComponent(d.decisionId)}`}>
                        <Time iso={d.time} />
                      </Link>
                    </td>
                    <td>
                      <Outcome value={d.outcome} enforced={d.enforced} />
                    </td>
                    <td className="mono">{d.principal ?? 'anonymous'}</td>
                    <td>{d.action}</td>
                    <td className="mono">{d.resource}</td>
                    <td>{d.status}</td>
                    <td>{d.risk ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {next !== undefined && (
            <button type="button" className="secondary" onClick={() => void more()}>
              Older decisions
            </button>
          )}
        </Card>
      </div>
      {selected && <Explanation decisionId={selected} />}
    </div>
  );
}

interface ExplanationData {
  decision: Decision;
  policyVersion: number | null;
  policies: { id: string; effect: string; text: string | null; annotations: Record<string, string>; source: { file: string; line: number } | null }[];
  context: {
    authentication: { method: string; credentialId: string | null };
    device: Record<string, unknown> | null;
    network: { sourceIp: string; userAgent: string | null };
    delegation: { actor: { type: string; id: string }; onBehalfOf: { type: string; id: string } } | null;
    riskAtDecision: number | null;
    riskNow: { score: number; factors: { name: string; weight: number; detail?: string }[] } | null;
  };
  detections: Detection[];
  monitorOnly: boolean;
}

function Explanation({ decisionId }: { decisionId: string }): ReactNode {
  const { data, error } = useLoad(() => api<ExplanationData>(`/decisions/${encodeURIComponent(decisionId)}/explain`), [decisionId]);
  return (
    <aside className="split-side card" aria-label="Decision explanation">
      <header className="card-head">
        <h2>Why this decision</h2>
        <button type="button" className="secondary" onClick={() => navigate('decisions')} aria-label="Close explanation">
          ✕
        </button>
      </header>
      <ErrorBox error={error} />
      {data && (
        <div className="explain">
          <p>
            <Outcome value={data.decision.outcome} enforced={data.decision.enforced} /> <span className="mono">{data.decision.principal ? `${data.decision.principal.type}::${data.decision.principal.id}` : 'anonymous'}</span> → {data.decision.action} on{' '}
            <span className="mono">
              {data.decision.resource.type}::{data.decision.resource.id}
            </span>
          </p>
          {data.monitorOnly && <p className="note">Monitor only: this outcome was recorded, not enforced.</p>}
          <dl className="facts">
            <dt>Time</dt>
            <dd>
              <Time iso={data.decision.time} />
            </dd>
            <dt>Decision id</dt>
            <dd className="mono">{data.decision.decisionId}</dd>
            <dt>Route</dt>
            <dd className="mono">
              {data.decision.method} {data.decision.path} ({data.decision.route})
            </dd>
            <dt>Status</dt>
            <dd>
              {data.decision.status}
              {data.decision.errorCode ? ` · ${data.decision.errorCode}` : ''}
            </dd>
          </dl>
          <h3>Policies that decided</h3>
          {data.policies.length === 0 ? (
            <Empty>No policy matched: Cedar denies by default.</Empty>
          ) : (
            data.policies.map((p) => (
              <div key={p.id} className={`policy effect-${p.effect}`}>
                <div className="policy-head">
                  <span className="mono">{p.id}</span> <span className={`badge effect-${p.effect}`}>{p.effect}</span>
                  {p.source && (
                    <span className="muted small">
                      {' '}
                      {p.source.file}:{p.source.line}
                    </span>
                  )}
                </div>
                {Object.keys(p.annotations).length > 0 && (
                  <ul className="annotations">
                    {Object.entries(p.annotations).map(([k, v]) => (
                      <li key={k}>
                        <span className="mono">@{k}</span> {v}
                      </li>
                    ))}
                  </ul>
                )}
                {p.text ? <pre>{p.text}</pre> : <p className="muted small">Not in the policy version in force now.</p>}
              </div>
            ))
          )}
          <p className="muted small">Policy text from version {data.policyVersion ?? '–'} (in force now).</p>
          <h3>Context the policies saw</h3>
          <dl className="facts">
            <dt>Authentication</dt>
            <dd>
              {data.context.authentication.method}
              {data.context.authentication.credentialId ? <span className="mono"> · key {data.context.authentication.credentialId}</span> : null}
            </dd>
            <dt>Network</dt>
            <dd className="mono">{data.context.network.sourceIp}</dd>
            <dt>User agent</dt>
            <dd className="mono">{data.context.network.userAgent ?? '–'}</dd>
            <dt>Device</dt>
            <dd className="mono">{data.context.device ? JSON.stringify(data.context.device) : 'none proven'}</dd>
            {data.context.delegation && (
              <>
                <dt>Delegation</dt>
                <dd className="mono">
                  {data.context.delegation.actor.id} for {data.context.delegation.onBehalfOf.id}
                </dd>
              </>
            )}
            <dt>Risk at decision</dt>
            <dd>{data.context.riskAtDecision ?? '–'}</dd>
            <dt>Risk now</dt>
            <dd>{data.context.riskNow ? data.context.riskNow.score : '–'}</dd>
          </dl>
          {data.context.riskNow && data.context.riskNow.factors.length > 0 && (
            <ul className="factors">
              {data.context.riskNow.factors.map((f) => (
                <li key={f.name}>
                  <span className="mono">{f.name}</span> +{f.weight} {f.detail ? <span className="muted">{f.detail}</span> : null}
                </li>
              ))}
            </ul>
          )}
          <h3>Detections around it</h3>
          {data.detections.length === 0 ? (
            <Empty>None.</Empty>
          ) : (
            <ul className="factors">
              {data.detections.map((d) => (
                <li key={d.id}>
                  <Severity value={d.severity} /> {d.detector}: {d.explanation}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </aside>
  );
}
