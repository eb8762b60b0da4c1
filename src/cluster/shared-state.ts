/**
 * Shared fast state: small facts every instance must know within a second (revocations, quarantines,
 * sessions, the active policy version, risk snapshots) while each instance still decides from memory.
 * Writers `put`; every instance `watch`es and applies what it receives to its in-memory indexes. The
 * in-process implementation is today's single instance; `NatsSharedState` spreads the same calls over a
 * JetStream KV bucket.
 *
 * @example
 * state.watch('apikey-revocation', ({ key, value }) => value && apiKeys.applyRevocation(key));
 * await state.put('apikey-revocation', keyId, { at: new Date().toISOString() });
 */
import type { Subscription } from '../events/index.js';

export const STATE_KINDS = ['apikey-revocation', 'subject-revocation', 'quarantine', 'session', 'policy-activation', 'risk-snapshot'] as const;
export type StateKind = (typeof STATE_KINDS)[number];

export interface StateChange {
  kind: StateKind;
  key: string;
  /** The new value; `undefined` when the entry was removed. */
  value: unknown;
  /** The instance that wrote it. */
  origin: string;
}

export type StateListener = (change: StateChange) => void;

export interface SharedState {
  readonly instanceId: string;
  /** Records a fact for every instance. Resolves once it is shared (or queued to be, while NATS is away). */
  put(kind: StateKind, key: string, value: unknown): Promise<void>;
  remove(kind: StateKind, key: string): Promise<void>;
  /** Calls `listener` for each existing entry of the kind (the loader) and then for every change. */
  watch(kind: StateKind, listener: StateListener): Subscription;
  /** The current value, from memory. */
  get(kind: StateKind, key: string): unknown;
  /** Resolves when the entries that existed at start-up have been loaded. */
  loaded(): Promise<void>;
  close(): Promise<void>;
}

/** The entries in memory and the listeners: what both implementations share. */
export class StateTable {
  private readonly entries = new Map<StateKind, Map<string, StateChange>>();
  private readonly listeners = new Map<StateKind, Set<StateListener>>();

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  apply(change: StateChange): void {
    let table = this.entries.get(change.kind);
    if (!table) this.entries.set(change.kind, (table = new Map()));
    if (change.value === undefined) table.delete(change.key);
    else table.set(change.key, change);
    for (const listener of this.listeners.get(change.kind) ?? []) this.call(listener, change);
  }

  watch(kind: StateKind, listener: StateListener): Subscription {
    let set = this.listeners.get(kind);
    if (!set) this.listeners.set(kind, (set = new Set()));
    set.add(listener);
    for (const change of this.entries.get(kind)?.values() ?? []) this.call(listener, change);
    return { unsubscribe: () => set.delete(listener) };
  }

  get(kind: StateKind, key: string): unknown {
    return this.entries.get(kind)?.get(key)?.value;
  }

  private call(listener: StateListener, change: StateChange): void {
    try {
      listener(change);
    } catch (error) {
      // One failing listener must not keep a revocation from the others.
      this.onListenerError(error);
    }
  }
}

/** One instance: a change applies at once, here only. */
export class InProcessSharedState implements SharedState {
  private readonly table: StateTable;

  constructor(
    readonly instanceId: string,
    onListenerError: (error: unknown) => void = () => {},
  ) {
    this.table = new StateTable(onListenerError);
  }

  put(kind: StateKind, key: string, value: unknown): Promise<void> {
    this.table.apply({ kind, key, value, origin: this.instanceId });
    return Promise.resolve();
  }

  remove(kind: StateKind, key: string): Promise<void> {
    this.table.apply({ kind, key, value: undefined, origin: this.instanceId });
    return Promise.resolve();
  }

  watch(kind: StateKind, listener: StateListener): Subscription {
    return this.table.watch(kind, listener);
  }

  get(kind: StateKind, key: string): unknown {
    return this.table.get(kind, key);
  }

  loaded(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
