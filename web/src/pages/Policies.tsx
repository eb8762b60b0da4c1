/** Policies: versions, a diff between two, an edit validated and re-decided against recorded traffic, then activated. */
import { useEffect, useState, type ReactNode } from 'react';
import { diffLines } from 'diff';
import { api, ApiError } from '../api';
import type { Session } from '../types';
import { Card, Empty, ErrorBox, Outcome, Time, useLoad } from '../ui';

interface VersionInfo {
  version: number;
  digest: string;
  createdAt: string;
  createdBy: string;
  active: boolean;
}

interface ReplayResult {
  days: number;
  considered: number;
  changed: number;
  changes: { decisionId: string; time: string; principal: string; action: string; resource: string; recorded: string; active: string | null; candidate: string; candidatePolicies: string[] }[];
}

type Files = Record<string, string>;

const joinFiles = (files: Files): string =>
  Object.keys(files)
    .sort()
    .map((name) => `// ── ${name}\n${files[name]}`)
    .join('\n');

export function Policies({ session }: { session: Session }): ReactNode {
  const versions = useLoad(() => api<{ active: number | null; versions: VersionInfo[] }>('/admin/policies'), []);
  const [from, setFrom] = useState<number>();
  const [to, setTo] = useState<number>();
  const [draft, setDraft] = useState<Files>();
  const [file, setFile] = useState('');
  const [validation, setValidation] = useState<{ valid: boolean; problems: { file: string; line: number; column: number; message: string }[] }>();
  const [replay, setReplay] = useState<ReplayResult>();
  const [days, setDays] = useState(7);
  const [busy, setBusy] = useState('');
  const [error, setError] = useState<Error>();
  const [activated, setActivated] = useState<number>();

  const active = versions.data?.active ?? undefined;
  useEffect(() => {
    if (active === undefined || draft) return;
    api<{ files: Files }>(`/policies/versions/${active}`).then((v) => {
      setDraft(v.files);
      setFile(Object.keys(v.files).sort()[0] ?? '');
    }, setError);
    setTo(active);
  }, [active, draft]);

  const left = useLoad(() => (from ? api<{ files: Files }>(`/policies/versions/${from}`) : Promise.resolve(undefined)), [from]);
  const right = useLoad(() => (to ? api<{ files: Files }>(`/policies/versions/${to}`) : Promise.resolve(undefined)), [to]);

  async function run<T>(label: string, fn: () => Promise<T>): Promise<T | undefined> {
    setBusy(label);
    setError(undefined);
    try {
      return await fn();
    } catch (e) {
      setError(e as Error);
      return undefined;
    } finally {
      setBusy('');
    }
  }

  async function validate(): Promise<void> {
    await run('validate', async () => {
      try {
        setValidation(await api('/admin/policies/validate', { method: 'POST', body: { files: draft } }));
      } catch (e) {
        if (e instanceof ApiError && e.status === 422) setValidation({ valid: false, problems: (e.details.problems as never) ?? [] });
        else throw e;
      }
    });
  }

  const canEdit = session.role !== 'auditor';
  return (
    <div className="grid">
      <ErrorBox error={error ?? versions.error} />
      <Card title="Versions">
        <table aria-label="Policy versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Created</th>
              <th scope="col">By</th>
              <th scope="col">Diff</th>
            </tr>
          </thead>
          <tbody>
            {versions.data?.versions
              .slice()
              .reverse()
              .map((v) => (
                <tr key={v.version} className={v.active ? 'selected' : ''}>
                  <td>
                    v{v.version} {v.active && <span className="badge outcome-allow">active</span>}
                  </td>
                  <td>
                    <Time iso={v.createdAt} />
                  </td>
                  <td className="mono">{v.createdBy}</td>
                  <td className="nowrap">
                    <button type="button" className={`chip ${from === v.version ? 'active' : ''}`} aria-pressed={from === v.version} onClick={() => setFrom(v.version)}>
                      from
                    </button>
                    <button type="button" className={`chip ${to === v.version ? 'active' : ''}`} aria-pressed={to === v.version} onClick={() => setTo(v.version)}>
                      to
                    </button>
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      </Card>
      <Card title={from && to ? `Diff v${from} → v${to}` : 'Diff'} className="span-2">
        {from && to && left.data && right.data ? (
          <pre className="diff" aria-label="Policy diff">
            {diffLines(joinFiles(left.data.files), joinFiles(right.data.files)).map((part, i) => (
              <span key={i} className={part.added ? 'add' : part.removed ? 'del' : 'same'}>
                {part.value}
              </span>
            ))}
          </pre>
        ) : (
          <Empty>Pick a “from” and a “to” version.</Empty>
        )}
      </Card>
      {draft && (
        <Card title="Edit, check against recorded traffic, activate" className="span-all">
          <div className="toolbar">
            <label>
              File{' '}
              <select value={file} onChange={(e) => setFile(e.target.value)}>
                {Object.keys(draft)
                  .sort()
                  .map((f) => (
                    <option key={f} value={f}>
                      {f}
                    </option>
                  ))}
              </select>
            </label>
          </div>
          <label className="sr-only" htmlFor="policy-editor">
            Policy text of {file}
          </label>
          <textarea
            id="policy-editor"
            className="editor"
            spellCheck={false}
            readOnly={!canEdit}
            value={draft[file] ?? ''}
            onChange={(e) => {
              setDraft({ ...draft, [file]: e.target.value });
              setValidation(undefined);
              setReplay(undefined);
            }}
          />
          {canEdit ? (
            <div className="toolbar">
              <button type="button" disabled={!!busy} onClick={() => void validate()}>
                {busy === 'validate' ? 'Validating…' : 'Validate'}
              </button>
              <label>
                Last{' '}
                <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
                  <option value={1}>1 day</option>
                  <option value={7}>7 days</option>
                  <option value={30}>30 days</option>
                </select>
              </label>
              <button type="button" disabled={!!busy} onClick={() => void run('replay', async () => setReplay(await api<ReplayResult>('/policies/replay', { method: 'POST', body: { files: draft, days } })))}>
                {busy === 'replay' ? 'Re-deciding…' : 'Re-decide recorded traffic'}
              </button>
              {session.role === 'admin' && (
                <button
                  type="button"
                  className="danger"
                  disabled={!!busy || validation?.valid !== true}
                  title={validation?.valid ? '' : 'validate first'}
                  onClick={() => void run('activate', async () => {
                    const report = await api<{ version: number }>('/admin/policies', { method: 'POST', body: { files: draft } });
                    setActivated(report.version);
                    versions.reload();
                  })}
                >
                  Activate
                </button>
              )}
            </div>
          ) : (
            <p className="muted">Auditors read policies; editing needs the analyst or admin role.</p>
          )}
          {activated && <p className="success" role="status">Version {activated} is active.</p>}
          {validation && (
            <div className={validation.valid ? 'success' : 'error'} role="status">
              {validation.valid ? 'The edit is valid.' : 'The edit is invalid:'}
              {validation.problems.length > 0 && (
                <ul>
                  {validation.problems.map((p, i) => (
                    <li key={i} className="mono">
                      {p.file}:{p.line}:{p.column} {p.message}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {replay && (
            <div className="replay" role="status" aria-label="Re-decision result">
              <p>
                <strong>{replay.changed}</strong> of {replay.considered} recorded decisions in the last {replay.days} day(s) would change.
              </p>
              {replay.changes.length > 0 && (
                <table aria-label="Decisions that would change">
                  <thead>
                    <tr>
                      <th scope="col">Time</th>
                      <th scope="col">Principal</th>
                      <th scope="col">Action</th>
                      <th scope="col">Resource</th>
                      <th scope="col">Now</th>
                      <th scope="col">With the edit</th>
                    </tr>
                  </thead>
                  <tbody>
                    {replay.changes.map((c) => (
                      <tr key={c.decisionId}>
                        <td>
                          <Time iso={c.time} />
                        </td>
                        <td className="mono">{c.principal}</td>
                        <td>{c.action}</td>
                        <td className="mono">{c.resource}</td>
                        <td>
                          <Outcome value={c.active ?? c.recorded} />
                        </td>
                        <td>
                          <Outcome value={c.candidate} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          )}
        </Card>
      )}
    </div>
  );
}
