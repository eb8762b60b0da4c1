import { useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../api';
import type { Session } from '../types';
import { ErrorBox, useLoad } from '../ui';

export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }): ReactNode {
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const options = useLoad(() => api<{ apiKey: boolean; oidc: boolean }>('/sign-in-options'), []);

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await api<Session>('/session', { method: 'POST', body: { apiKey } }));
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
      setApiKey('');
    }
  }

  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={(e) => void submit(e)}>
        <div className="brand big">
          <img src="/ui/favicon.svg" alt="" width="40" height="40" />
          <h1>Warden console</h1>
        </div>
        <p className="muted">Sign in with the API key of an admin, analyst or auditor. The key is exchanged for a session; it is not kept in the browser.</p>
        <label htmlFor="apikey">API key</label>
        <input id="apikey" name="apikey" type="password" autoComplete="off" value={apiKey} onChange={(e) => setApiKey(e.target.value)} required placeholder="wdn_…" />
        <ErrorBox error={error} />
        <button type="submit" disabled={busy || !apiKey}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {options.data?.oidc && (
          <>
            <p className="muted small or">or</p>
            {/* A plain link: the sign-in is a chain of top-level redirects through the issuer. */}
            <a className="button secondary" href="/ui/api/oidc/login">
              Sign in with your organisation (SSO)
            </a>
          </>
        )}
      </form>
    </main>
  );
}
