/**
 * "Verify now" from the console: one full verification of the audit log at a time (every leaf rehashed,
 * every checkpoint's signature and root checked: audit.db in worker threads, or the cluster's log in
 * PostgreSQL when a database URL is given), run in the background; the console polls its status. A second
 * request while one runs joins it instead of starting another.
 */
import { signingKeyVerifier, verifyAuditLog, verifyClusterAuditLogAt, type VerifyReport } from '../audit/index.js';

export interface VerificationStatus {
  state: 'idle' | 'running' | 'done' | 'failed';
  startedAt: string | null;
  finishedAt: string | null;
  /** Entries in the log when the run started: what the run covers. */
  entries: number | null;
  report: VerifyReport | null;
  error: string | null;
}

export class AuditVerification {
  private current: VerificationStatus = { state: 'idle', startedAt: null, finishedAt: null, entries: null, report: null, error: null };

  constructor(
    private readonly options: { dataDir: string; origin: string; signingKeyFile: string; databaseUrl?: string | undefined },
    private readonly size: () => number | Promise<number>,
  ) {}

  status(): VerificationStatus {
    return this.current;
  }

  /** Starts a run (or joins the one running); resolves once it has started, with the entries it covers. */
  async start(): Promise<VerificationStatus> {
    if (this.current.state === 'running') return this.current;
    const run: VerificationStatus = { state: 'running', startedAt: new Date().toISOString(), finishedAt: null, entries: null, report: null, error: null };
    this.current = run;
    const { databaseUrl, ...keyOptions } = this.options;
    try {
      run.entries = await this.size();
      const verifying = databaseUrl ? verifyClusterAuditLogAt(databaseUrl, signingKeyVerifier(keyOptions)) : verifyAuditLog(keyOptions);
      verifying.then(
        (report) => {
          this.current = { ...run, state: 'done', finishedAt: new Date().toISOString(), report };
        },
        (error: unknown) => this.fail(run, error),
      );
    } catch (error) {
      this.fail(run, error);
    }
    return this.current;
  }

  private fail(run: VerificationStatus, error: unknown): void {
    // The reason is shown to an auditor: a WardenError's message, never an internal one.
    const message = error instanceof Error && error.name === 'WardenError' ? error.message : 'the verification could not run; see the server log';
    this.current = { ...run, state: 'failed', finishedAt: new Date().toISOString(), error: message };
  }
}
