/** Overview: decisions per minute by outcome, rates, top denied, guard findings, risk, open incidents, time to detect and contain, open detections, live feed. */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api } from '../api';
import { useLive } from '../live';
import type { Detection, IncidentOverview, LiveItem } from '../types';
import { Card, Empty, ErrorBox, Link, Outcome, Severity, Stat, Time, pct, splitRef, useLoad } from '../ui';

interface OverviewData {
  minutes: number;
  decisions: {
    perMinute: { minute: string; allow: number; deny: number; step_up: number }[];
    totals: { allow: number; deny: number; step_up: number };
    topDeniedPrincipals: { principal: string; count: number }[];
    topDeniedResources: { resource: string; count: number }[];
    riskBands: { band: string; count: number }[];
  };
  detections: { count: number; byDetector: { detector: string; count: number }[]; guardFindings: { detector: string; count: number }[]; open: Detection[] };
}

const WINDOWS = [
  { minutes: 60, label: '1 hour' },
  { minutes: 360, label: '6 hours' },
  { minutes: 1440, label: '24 hours' },
];

export function Overview(): ReactNode {
  const [minutes, setMinutes] = useState(60);
  const [data, setData] = useState<OverviewData>();
  const [error, setError] = useState<Error>();
  const [feed, setFeed] = useState<LiveItem[]>([]);
  const [incidentTick, setIncidentTick] = useState(0);
  const incidents = useLoad(() => api<IncidentOverview>('/incidents/overview?days=30'), [incidentTick]);
  const load = useCallback(() => {
    api<OverviewData>(`/overview?minutes=${minutes}`).then(setData, setError);
  }, [minutes]);
  useEffect(load, [load]);
  useLive(
    useCallback((item: LiveItem) => {
      if (item.kind === 'decision' || item.kind === 'detection') setFeed((f) => [item, ...f].slice(0, 12));
      if (item.kind === 'response') setIncidentTick((n) => n + 1);
    }, []),
  );
  const t = data?.decisions.totals;
  const total = t ? t.allow + t.deny + t.step_up : 0;
  const series = (data?.decisions.perMinute ?? []).map((m) => ({ ...m, minute: m.minute.slice(11) }));
  return (
    <div className="grid">
      <div className="toolbar span-all">
        <span className="muted">Window</span>
        {WINDOWS.map((w) => (
          <button key={w.minutes} type="button" className={w.minutes === minutes ? 'chip active' : 'chip'} aria-pressed={w.minutes === minutes} onClick={() => setMinutes(w.minutes)}>
            {w.label}
          </button>
        ))}
        <button type="button" className="secondary" onClick={load}>
          Refresh
        </button>
      </div>
      <ErrorBox error={error} />
      <div className="stats span-all">
        <Stat label="decisions" value={total.toLocaleString()} />
        <Stat label="deny rate" value={t ? pct(t.deny, total) : '–'} tone="deny" />
        <Stat label="step-up rate" value={t ? pct(t.step_up, total) : '–'} tone="stepup" />
        <Stat label="detections" value={data?.detections.count.toLocaleString() ?? '–'} tone="warn" />
        <Stat label="open incidents" value={incidents.data?.openCount.toLocaleString() ?? '–'} tone="warn" />
      </div>
      <Card title="Decisions per minute" className="span-2">
        {series.length === 0 ? (
          <Empty>No decisions in this window.</Empty>
        ) : (
          <ResponsiveContainer width="100%" height={240}>
            <AreaChart data={series} margin={{ top: 8, right: 12, left: 0, bottom: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e3e8ef" />
              <XAxis dataKey="minute" tick={{ fontSize: 11 }} />
              <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={36} />
              <Tooltip />
              <Legend />
              <Area type="monotone" dataKey="allow" stackId="1" stroke="#2f7d4f" fill="#8fd0a8" name="allow" isAnimationActive={false} />
              <Area type="monotone" dataKey="step_up" stackId="1" stroke="#9a6a00" fill="#f3d27a" name="step-up" isAnimationActive={false} />
              <Area type="monotone" dataKey="deny" stackId="1" stroke="#b3261e" fill="#f0a39d" name="deny" isAnimationActive={false} />
            </AreaChart>
          </ResponsiveContainer>
        )}
      </Card>
      <Card title="Live">
        {feed.length === 0 ? (
          <Empty>New decisions and detections appear here as they happen.</Empty>
        ) : (
          <ul className="feed" aria-live="polite">
            {feed.map((item) => (
              <li key={item.id}>
                {item.kind === 'decision' ? (
                  <Link to={`decisions/${encodeURIComponent(item.decisionId)}`}>
                    <Outcome value={item.outcome} enforced={item.enforced} /> <span className="mono">{item.principal ?? 'anonymous'}</span> {item.action} <span className="mono">{item.resource}</span>
                  </Link>
                ) : item.kind === 'detection' ? (
                  <span>
                    <Severity value={item.severity} /> {item.detector} <span className="mono">{item.entity}</span>
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Top denied principals">
        <RankList rows={data?.decisions.topDeniedPrincipals.map((r) => ({ label: r.principal, count: r.count, to: `principals/${encodeURIComponent(splitRef(r.principal).type)}/${encodeURIComponent(splitRef(r.principal).id)}` })) ?? []} />
      </Card>
      <Card title="Top denied resources">
        <RankList rows={data?.decisions.topDeniedResources.map((r) => ({ label: r.resource, count: r.count })) ?? []} />
      </Card>
      <Card title="Guard findings by type">
        {data && data.detections.guardFindings.length === 0 ? (
          <Empty>No guard findings in this window.</Empty>
        ) : (
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={data?.detections.guardFindings ?? []} layout="vertical" margin={{ left: 20 }}>
              <XAxis type="number" allowDecimals={false} tick={{ fontSize: 11 }} />
              <YAxis type="category" dataKey="detector" width={140} tick={{ fontSize: 11 }} />
              <Tooltip />
              <Bar dataKey="count" fill="#6b4fbb" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        )}
      </Card>
      <Card title="Risk score at decision time">
        <ResponsiveContainer width="100%" height={200}>
          <BarChart data={data?.decisions.riskBands ?? []}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e8ef" />
            <XAxis dataKey="band" tick={{ fontSize: 10 }} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={36} />
            <Tooltip />
            <Bar dataKey="count" fill="#1f4e8c" name="decisions" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </Card>
      <Card title="Open incidents" className="span-2" actions={<Link to="incidents">All incidents →</Link>}>
        <ErrorBox error={incidents.error} />
        {incidents.data && incidents.data.open.length === 0 ? (
          <Empty>No open incidents.</Empty>
        ) : (
          <table aria-label="Open incidents">
            <thead>
              <tr>
                <th scope="col">Last activity</th>
                <th scope="col">Severity</th>
                <th scope="col">State</th>
                <th scope="col">Title</th>
              </tr>
            </thead>
            <tbody>
              {incidents.data?.open.map((i) => (
                <tr key={i.id}>
                  <td>
                    <Time iso={i.lastActivityAt} />
                  </td>
                  <td>
                    <Severity value={i.severity} />
                  </td>
                  <td>
                    <span className={`badge state-${i.state}`}>{i.state}</span>
                  </td>
                  <td>
                    <Link to={`incidents/${encodeURIComponent(i.id)}`}>{i.title}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card title="Time to detect and to contain (daily mean, 30 days)">
        {incidents.data && incidents.data.perDay.length === 0 ? (
          <Empty>No incidents in the last 30 days.</Empty>
        ) : (
          <ResponsiveContainer width="100%" height={200}>
            <LineChart data={(incidents.data?.perDay ?? []).map((d) => ({ day: d.day.slice(5), detect: d.timeToDetectSeconds, contain: d.timeToContainSeconds }))}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e3e8ef" />
              <XAxis dataKey="day" tick={{ fontSize: 10 }} />
              <YAxis tick={{ fontSize: 11 }} width={44} unit=" s" />
              <Tooltip />
              <Legend />
              <Line type="monotone" dataKey="detect" name="to detect" stroke="#6b4fbb" connectNulls isAnimationActive={false} />
              <Line type="monotone" dataKey="contain" name="to contain" stroke="#b3261e" connectNulls isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        )}
      </Card>
      <Card title="Open detections" className="span-2" actions={<Link to="incidents">All incidents →</Link>}>
        {data && data.detections.open.length === 0 ? (
          <Empty>No detections in this window.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Severity</th>
                <th scope="col">Detector</th>
                <th scope="col">Entity</th>
                <th scope="col">Explanation</th>
              </tr>
            </thead>
            <tbody>
              {data?.detections.open.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Time iso={d.time} />
                  </td>
                  <td>
                    <Severity value={d.severity} />
                  </td>
                  <td>{d.detector}</td>
                  <td className="mono">
                    {d.entity.type}::{d.entity.id}
                  </td>
                  <td>{d.explanation}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}

function RankList({ rows }: { rows: { label: string; count: number; to?: string }[] }): ReactNode {
  if (rows.length === 0) return <Empty>Nothing denied in this window.</Empty>;
  const max = Math.max(...rows.map((r) => r.count));
  return (
    <ol className="rank">
      {rows.map((r) => (
        <li key={r.label}>
          <span className="rank-label mono">{r.to ? <Link to={r.to}>{r.label}</Link> : r.label}</span>
          <meter min={0} max={max} value={r.count} aria-label={`${r.count} denials`} />
          <span className="rank-count">{r.count}</span>
        </li>
      ))}
    </ol>
  );
}
