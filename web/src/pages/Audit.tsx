/** Audit: tree size, the latest signed checkpoint, verify now with progress, an inclusion proof for any entry. */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../api';
import type { Session } from '../types';
import { Card, ErrorBox, Stat, Time, useLoad } from '../ui';

interface Verification {
  state: 'idle' | 'running' | 'done' | 'failed';
  startedAt: string | null;
  finishedAt: string | null;
  entries: number | null;
  report: { ok: boolean; entries: number; checkpointsVerified: number; uncoveredEntries: number; problems: { kind: string; message: string }[]; seconds: number } | null;
  error: string | null;
}

interface Proof {
  index: number;
  size: number;
  leafHash?: string;
  proof?: string[];
  hashes?: string[];
  checkpoint?: string;
}

export function Audit({ session }: { session: Session }): ReactNode {
  const size = useLoad(() => api<{ size: number }>('/admin/audit/entries?limit=1').then((r) => r.size), []);
  const checkpoint = useLoad(() => api<string>('/admin/audit/checkpoint', { text: true }), []);
  const [verification, setVerification] = useState<Verification>();
  const [error, setError] = useState<Error>();
  const [index, setIndex] = useState('');
  const [proof, setProof] = useState<Proof>();

  useEffect(() => {
    api<Verification>('/audit/verification').then(setVerification, setError);
  }, []);
  useEffect(() => {
    if (verification?.state !== 'running') return;
    const timer = setTimeout(() => api<Verification>('/audit/verification').then(setVerification, setError), 500);
    return () => clearTimeout(timer);
  }, [verification]);

  async function verify(): Promise<void> {
    setError(undefined);
    try {
      setVerification(await api<Verification>('/audit/verification', { method: 'POST' }));
    } catch (e) {
      setError(e as Error);
    }
  }

  async function prove(e: FormEvent): Promise<void> {
    e.preventDefault();
    setError(undefined);
    setProof(undefined);
    try {
      setProof(await api<Proof>(`/admin/audit/proofs/inclusion/${encodeURIComponent(index)}`));
    } catch (err) {
      setError(err as Error);
    }
  }

  const elapsed = verification?.startedAt ? ((verification.finishedAt ? Date.parse(verification.finishedAt) : Date.now()) - Date.parse(verification.startedAt)) / 1000 : 0;
  return (
    <div className="grid">
      <ErrorBox error={error ?? size.error ?? checkpoint.error} />
      <div className="stats span-all">
        <Stat label="entries in the log" value={size.data?.toLocaleString() ?? '–'} />
        <Stat label="verification" value={verification?.state === 'done' ? (verification.report?.ok ? 'intact' : 'TAMPERED') : (verification?.state ?? '–')} tone={verification?.state === 'done' ? (verification.report?.ok ? 'ok' : 'deny') : ''} />
      </div>
      <Card title="Latest signed checkpoint" className="span-2">
        <pre className="note-text" aria-label="Signed checkpoint">{checkpoint.data ?? ''}</pre>
        <p className="muted small">A C2SP signed note: origin, tree size, root hash, time, and the Ed25519 signature line. Verify offline with `warden audit verify --offline`.</p>
      </Card>
      <Card title="Verify now">
        {session.role === 'auditor' ? <p className="muted">Auditors see the last run; starting one needs the analyst role.</p> : (
          <button type="button" onClick={() => void verify()} disabled={verification?.state === 'running'}>
            {verification?.state === 'running' ? 'Verifying…' : 'Verify the whole log'}
          </button>
        )}
        {verification && verification.state !== 'idle' && (
          <div className="verify" role="status" aria-live="polite">
            <progress max={1} value={verification.state === 'running' ? undefined : 1} aria-label="Verification progress" />
            <p>
              {verification.state === 'running' && `Rehashing ${verification.entries?.toLocaleString()} entries and checking every checkpoint… ${elapsed.toFixed(1)} s`}
              {verification.state === 'failed' && `Could not run: ${verification.error}`}
              {verification.state === 'done' && verification.report && (
                <>
                  {verification.report.ok ? '✔ Intact: ' : '✘ Problems found: '}
                  {verification.report.entries.toLocaleString()} entries, {verification.report.checkpointsVerified} checkpoints verified, {verification.report.uncoveredEntries} not yet signed, in {verification.report.seconds.toFixed(2)} s
                  {verification.finishedAt && (
                    <>
                      {' '}
                      (<Time iso={verification.finishedAt} />)
                    </>
                  )}
                </>
              )}
            </p>
            {verification.report?.problems.map((p, i) => (
              <p key={i} className="error">
                {p.kind}: {p.message}
              </p>
            ))}
          </div>
        )}
      </Card>
      <Card title="Inclusion proof" className="span-all">
        <form className="toolbar" onSubmit={(e) => void prove(e)}>
          <label>
            Entry index{' '}
            <input inputMode="numeric" pattern="[0-9]+" value={index} onChange={(e) => setIndex(e.target.value)} required aria-describedby="proof-help" />
          </label>
          <button type="submit">Prove inclusion</button>
        </form>
        <p id="proof-help" className="muted small">
          An RFC 9162 audit path from the entry to the root of the latest signed checkpoint.
        </p>
        {proof && <pre className="note-text" aria-label="Inclusion proof">{JSON.stringify(proof, null, 2)}</pre>}
      </Card>
    </div>
  );
}
