/** The shell: sign-in gate, navigation, live indicator, and the page for the current route. */
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { api, setCsrfToken } from './api';
import { startLive, stopLive, useLiveConnected } from './live';
import { FreshMfaDialog } from './mfa';
import { useRoute } from './router';
import type { Session } from './types';
import { Link } from './ui';
import { SignIn } from './pages/SignIn';

// Each page is its own chunk, so the first load is the shell and the sign-in form only; charts, the
// graph library and the diff come with the pages that use them.
const Overview = lazy(() => import('./pages/Overview').then((m) => ({ default: m.Overview })));
const Decisions = lazy(() => import('./pages/Decisions').then((m) => ({ default: m.Decisions })));
const Principals = lazy(() => import('./pages/Principals').then((m) => ({ default: m.Principals })));
const Incidents = lazy(() => import('./pages/Incidents').then((m) => ({ default: m.Incidents })));
const Policies = lazy(() => import('./pages/Policies').then((m) => ({ default: m.Policies })));
const Assets = lazy(() => import('./pages/Assets').then((m) => ({ default: m.Assets })));
const Audit = lazy(() => import('./pages/Audit').then((m) => ({ default: m.Audit })));
const Compliance = lazy(() => import('./pages/Compliance').then((m) => ({ default: m.Compliance })));

const PAGES: { id: string; label: string; view: (props: { session: Session; rest: string[] }) => ReactNode }[] = [
  { id: 'overview', label: 'Overview', view: () => <Overview /> },
  { id: 'decisions', label: 'Decisions', view: ({ rest }) => <Decisions selected={rest[0]} /> },
  { id: 'principals', label: 'Principals', view: ({ session, rest }) => <Principals session={session} selected={rest.length >= 2 ? { type: rest[0]!, id: rest[1]! } : undefined} /> },
  { id: 'incidents', label: 'Incidents', view: ({ session, rest }) => <Incidents session={session} rest={rest} /> },
  { id: 'policies', label: 'Policies', view: ({ session }) => <Policies session={session} /> },
  { id: 'assets', label: 'Assets', view: ({ session }) => <Assets session={session} /> },
  { id: 'audit', label: 'Audit', view: ({ session }) => <Audit session={session} /> },
  { id: 'compliance', label: 'Compliance', view: () => <Compliance /> },
];

export function App(): ReactNode {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useRoute();
  const connected = useLiveConnected();

  useEffect(() => {
    api<Session>('/session').then(
      (s) => accept(s),
      // Signed out (401) or anything else: the sign-in form, which shows the next error itself.
      () => setSession(null),
    );
  }, []);

  function accept(s: Session): void {
    setCsrfToken(s.csrfToken);
    setSession(s);
    startLive();
  }

  async function signOut(): Promise<void> {
    await api('/session', { method: 'DELETE' }).catch(() => undefined);
    stopLive();
    setCsrfToken('');
    setSession(null);
  }

  if (session === undefined) return <div className="loading-screen" aria-busy="true">Loading…</div>;
  if (session === null) return <SignIn onSignedIn={accept} />;
  const page = PAGES.find((p) => p.id === route.page) ?? PAGES[0]!;
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Console">
        <div className="brand">
          <img src="/ui/favicon.svg" alt="" width="28" height="28" />
          <span>Warden</span>
        </div>
        <ul>
          {PAGES.map((p) => (
            <li key={p.id}>
              <Link to={p.id} className={p.id === page.id ? 'active' : ''}>
                {p.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="main">
        <header className="topbar">
          <h1>{page.label}</h1>
          <div className="topbar-right">
            <span className={`live ${connected ? 'on' : 'off'}`} role="status">
              {connected ? 'Live' : 'Reconnecting…'}
            </span>
            <span className="who">
              {session.principal.type}::{session.principal.id} <span className={`badge role-${session.role}`}>{session.role}</span>
            </span>
            <button type="button" className="secondary" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </header>
        <main className="content" id="content">
          <Suspense fallback={<p className="muted">Loading…</p>}>{page.view({ session, rest: route.rest })}</Suspense>
        </main>
        <FreshMfaDialog />
      </div>
    </div>
  );
}
