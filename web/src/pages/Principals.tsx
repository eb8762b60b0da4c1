/** Principals: the list by current risk, and one principal's risk over time, factors, detections, keys and decisions. */
import { useState, type ReactNode } from 'react';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, qs } from '../api';
import type { ApiKey, Decision, Detection, Session } from '../types';
import { Card, Empty, ErrorBox, Link, Outcome, Severity, Time, useLoad } from '../ui';

interface PrincipalRow {
  type: string;
  id: string;
  roles: string[];
  groups: string[];
  risk: number;
  keys: number;
  activeKeys: number;
}

export function Principals({ session, selected }: { session: Session; selected: { type: string; id: string } | undefined }): ReactNode {
  if (selected) return <PrincipalDetail session={session} principal={selected} />;
  return <PrincipalList />;
}

function PrincipalList(): ReactNode {
  const { data, error } = useLoad(() => api<{ items: PrincipalRow[] }>('/principals'), []);
  return (
    <Card title="Principals by current risk">
      <ErrorBox error={error} />
      {data && data.items.length === 0 ? (
        <Empty>No principals configured or holding keys.</Empty>
      ) : (
        <table aria-label="Principals">
          <thead>
            <tr>
              <th scope="col">Principal</th>
              <th scope="col">Risk</th>
              <th scope="col">Roles</th>
              <th scope="col">Groups</th>
              <th scope="col">Keys (active)</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((p) => (
              <tr key={`${p.type}::${p.id}`}>
                <td>
                  <Link to={`principals/${encodeURIComponent(p.type)}/${encodeURIComponent(p.id)}`} className="mono">
                    {p.type}::{p.id}
                  </Link>
                </td>
                <td>
                  <RiskBar score={p.risk} />
                </td>
                <td>{p.roles.join(', ') || '–'}</td>
                <td>{p.groups.join(', ') || '–'}</td>
                <td>
                  {p.keys} ({p.activeKeys})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

export function RiskBar({ score }: { score: number }): ReactNode {
  const tone = score >= 70 ? 'high' : score >= 40 ? 'medium' : 'low';
  return (
    <span className={`riskbar risk-${tone}`}>
      <meter min={0} max={100} low={40} high={70} optimum={0} value={score} aria-label={`risk ${score}`} /> {score}
    </span>
  );
}

interface RiskView {
  score: number;
  factors: { name: string; weight: number; detail?: string }[];
  detections: Detection[];
}

function PrincipalDetail({ session, principal }: { session: Session; principal: { type: string; id: string } }): ReactNode {
  const ref = `${principal.type}::${principal.id}`;
  const path = `${encodeURIComponent(principal.type)}/${encodeURIComponent(principal.id)}`;
  const [days, setDays] = useState(7);
  const risk = useLoad(() => api<RiskView>(`/admin/risk/${path}`), [path]);
  const history = useLoad(() => api<{ hours: { hour: string; risk: number | null; decisions: number; refused: number }[] }>(`/principals/${path}/risk-history?days=${days}`), [path, days]);
  const keys = useLoad(() => api<{ items: ApiKey[] }>(`/admin/keys${qs({ principal: principal.id })}`), [principal.id]);
  const decisions = useLoad(() => api<{ items: Decision[] }>(`/decisions${qs({ principal: ref, limit: 15 })}`), [ref]);
  const [actionError, setActionError] = useState<Error>();
  const canRespond = session.role !== 'auditor';

  async function revoke(key: ApiKey): Promise<void> {
    if (!confirm(`Revoke key ${key.id} (${key.name}) of ${ref}? Requests with it are refused at once.`)) return;
    setActionError(undefined);
    try {
      await api(`/admin/keys/${encodeURIComponent(key.id)}`, { method: 'DELETE' });
      keys.reload();
    } catch (e) {
      setActionError(e as Error);
    }
  }

  return (
    <div className="grid">
      <div className="span-all crumbs">
        <Link to="principals">Principals</Link> / <span className="mono">{ref}</span>
      </div>
      <Card title="Risk now">
        <ErrorBox error={risk.error} />
        {risk.data && (
          <>
            <div className="big-number">
              <RiskBar score={risk.data.score} />
            </div>
            {risk.data.factors.length === 0 ? (
              <Empty>No risk factors.</Empty>
            ) : (
              <ul className="factors">
                {risk.data.factors.map((f) => (
                  <li key={f.name}>
                    <span className="mono">{f.name}</span> +{f.weight} {f.detail && <span className="muted">{f.detail}</span>}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Card>
      <Card
        title="Risk over time"
        className="span-2"
        actions={
          <select aria-label="Period" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            <option value={1}>1 day</option>
            <option value={7}>7 days</option>
            <option value={30}>30 days</option>
          </select>
        }
      >
        {history.data && history.data.hours.length === 0 ? (
          <Empty>No decisions in this period.</Empty>
        ) : (
          <ResponsiveContainer width="100%" height={220}>
            <ComposedChart data={history.data?.hours.map((h) => ({ ...h, hour: h.hour.replace('T', ' ') + 'h' })) ?? []}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e3e8ef" />
              <XAxis dataKey="hour" tick={{ fontSize: 10 }} />
              <YAxis yAxisId="risk" domain={[0, 100]} tick={{ fontSize: 11 }} width={32} />
              <YAxis yAxisId="n" orientation="right" allowDecimals={false} tick={{ fontSize: 11 }} width={32} />
              <Tooltip />
              <Legend />
              <Bar yAxisId="n" dataKey="refused" name="refused" fill="#f0a39d" isAnimationActive={false} />
              <Line yAxisId="risk" type="monotone" dataKey="risk" name="peak risk" stroke="#b3261e" dot={false} isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        )}
      </Card>
      <Card title="Keys" className="span-2">
        <ErrorBox error={keys.error ?? actionError} />
        {keys.data && keys.data.items.length === 0 ? (
          <Empty>No API keys.</Empty>
        ) : (
          <table aria-label="Keys">
            <thead>
              <tr>
                <th scope="col">Key id</th>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data?.items.map((k) => (
                <tr key={k.id}>
                  <td className="mono">{k.id}</td>
                  <td>{k.name}</td>
                  <td className="mono">{k.scopes.join(' ')}</td>
                  <td>{k.lastUsedAt ? <Time iso={k.lastUsedAt} /> : 'never'}</td>
                  <td>{k.revokedAt ? <span className="badge outcome-deny">revoked</span> : k.expiresAt && Date.parse(k.expiresAt) < Date.now() ? 'expired' : <span className="badge outcome-allow">active</span>}</td>
                  <td>
                    {!k.revokedAt && canRespond && (
                      <button type="button" className="danger" onClick={() => void revoke(k)} aria-label={`Revoke key ${k.id}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card title="Detections">
        {risk.data && risk.data.detections.length === 0 ? (
          <Empty>No detections.</Empty>
        ) : (
          <ul className="factors">
            {risk.data?.detections.map((d) => (
              <li key={d.id}>
                <Severity value={d.severity} /> <Time iso={d.time} /> {d.detector}: {d.explanation}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Recent decisions" className="span-all">
        {decisions.data && decisions.data.items.length === 0 ? (
          <Empty>No decisions.</Empty>
        ) : (
          <table aria-label="Recent decisions">
            <tbody>
              {decisions.data?.items.map((d) => (
                <tr key={d.decisionId}>
                  <td>
                    <Link to={`decisions/${encodeURIComponent(d.decisionId)}`}>
                      <Time iso={d.time} />
                    </Link>
                  </td>
                  <td>
                    <Outcome value={d.outcome} enforced={d.enforced} />
                  </td>
                  <td>{d.action}</td>
                  <td className="mono">
                    {d.resource.type}::{d.resource.id}
                  </td>
                  <td className="mono">{d.userAgent ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
