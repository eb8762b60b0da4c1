/**
 * The fresh-MFA dialog: an admin action refused with `fresh_mfa_required` opens it; a TOTP code (or a
 * recovery code) verified on the session lets the action be retried. Rendered once by the shell.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, setFreshMfaPrompt } from './api';
import { ErrorBox } from './ui';

export function FreshMfaDialog(): ReactNode {
  const [pending, setPending] = useState<((verified: boolean) => void) | undefined>();
  const [code, setCode] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setFreshMfaPrompt(
      () =>
        new Promise<boolean>((resolve) => {
          setCode('');
          setError(undefined);
          setPending(() => resolve);
        }),
    );
    return () => setFreshMfaPrompt(undefined);
  }, []);
  useEffect(() => {
    if (pending) input.current?.focus();
  }, [pending]);

  if (!pending) return null;
  const close = (verified: boolean): void => {
    pending(verified);
    setPending(undefined);
  };
  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('/session/mfa', { method: 'POST', body: { code: code.trim() } });
      close(true);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="modal-backdrop">
      <form className="card modal" role="dialog" aria-modal="true" aria-labelledby="mfa-title" onSubmit={(e) => void submit(e)}>
        <h2 id="mfa-title">Confirm it is you</h2>
        <p>Admin actions need a factor verified in the last few minutes. Enter a code from your authenticator app (or a recovery code).</p>
        <ErrorBox error={error} />
        <label htmlFor="mfa-code">Code</label>
        <input id="mfa-code" ref={input} value={code} autoComplete="one-time-code" inputMode="text" maxLength={20} onChange={(e) => setCode(e.target.value)} />
        <div className="toolbar">
          <button type="submit" disabled={busy || code.trim().length < 6}>
            Verify
          </button>
          <button type="button" className="secondary" onClick={() => close(false)}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
