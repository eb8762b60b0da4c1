/**
 * Pinned tool definitions, decided from memory: the first time Warden sees a definition (a tool's hash)
 * it is scanned and stored as pending; agents see and call only definitions that are approved. A changed
 * definition of an approved tool is a new pin that waits again (quarantine), and the tool is hidden
 * meanwhile: the server now serves the new definition, so the old approval no longer describes it.
 * Approvals follow the two-person rule: `approvalsRequired` distinct principals with an approver role.
 */
import { createHash } from 'node:crypto';
import { WardenError } from '../../core/index.js';
import type { EventBus } from '../../events/index.js';
import { definitionHash, type ToolDefinition } from './definition.js';
import { scanDefinition } from './scan.js';
import type { PinFilter, ToolPin, ToolPinRepository } from './types.js';

export interface Approver {
  id: string;
  type: string;
  roles: readonly string[];
}

export interface PinRegistryOptions {
  approverRoles: readonly string[];
  approvalsRequired: number;
  /** Servers whose first-seen definitions are approved on sight (`pinning: trust-first-use`). */
  trustFirstUse: ReadonlySet<string>;
}

/** What an agent may know of a tool right now. */
export interface ToolView {
  pin: ToolPin;
  /** True when this definition is approved: listed and callable. */
  usable: boolean;
}

/**
 * Most pins kept per server: a server that serves a fresh definition on every listing (random text in a
 * description) must not grow the store without bound. Past it, new definitions are refused unstored.
 */
export const MAX_PINS_PER_SERVER = 2000;

export function pinId(server: string, tool: string, hash: string): string {
  return createHash('sha256').update(`${server}\u0000${tool}\u0000${hash}`).digest('hex').slice(0, 16);
}

export class PinRegistry {
  private readonly pins = new Map<string, ToolPin>();
  /** The definition each server serves now, as last seen: `server\0tool` → pin id. */
  private readonly current = new Map<string, string>();
  private readonly overflowing = new Set<string>();

  constructor(
    private readonly repository: ToolPinRepository,
    private readonly options: PinRegistryOptions,
    private readonly bus?: EventBus,
  ) {}

  /** Loads every pin into memory (at start, and whenever another process may have decided one). */
  async reload(): Promise<void> {
    const all = await this.repository.list();
    for (const pin of all) this.pins.set(pin.id, pin);
  }

  /** The definitions a server listed, each with whether agents may use it; new ones are pinned first. */
  async observe(server: string, definitions: ToolDefinition[]): Promise<ToolView[]> {
    const out: ToolView[] = [];
    const names = [...this.knownToolNames(), ...definitions.map((d) => d.name)];
    for (const definition of definitions) {
      const hash = definitionHash(definition);
      const id = pinId(server, definition.name, hash);
      let pin = this.pins.get(id);
      if (!pin) pin = await this.pin(server, definition, hash, id, names);
      this.current.set(`${server}\u0000${definition.name}`, id);
      out.push({ pin, usable: pin.status === 'approved' });
    }
    return out;
  }

  /** The tool as the server serves it now, if Warden has seen its definition. */
  currentTool(server: string, tool: string): ToolView | undefined {
    const id = this.current.get(`${server}\u0000${tool}`);
    const pin = id ? this.pins.get(id) : undefined;
    return pin ? { pin, usable: pin.status === 'approved' } : undefined;
  }

  list(filter: PinFilter = {}): ToolPin[] {
    return [...this.pins.values()].filter((p) => (!filter.status || p.status === filter.status) && (!filter.server || p.server === filter.server));
  }

  async approve(id: string, approver: Approver): Promise<ToolPin> {
    this.checkApprover(approver);
    const pin = await this.repository.approve(id, approver.id, this.options.approvalsRequired, new Date().toISOString());
    return this.settle(id, pin, approver, 'approve');
  }

  async reject(id: string, approver: Approver, note?: string): Promise<ToolPin> {
    this.checkApprover(approver);
    const pin = await this.repository.reject(id, approver.id, note ?? null, new Date().toISOString());
    return this.settle(id, pin, approver, 'reject');
  }

  private async pin(server: string, definition: ToolDefinition, hash: string, id: string, names: string[]): Promise<ToolPin> {
    const findings = scanDefinition(definition, names);
    const stored = this.list({ server }).length;
    const previous = this.latestApproved(server, definition.name);
    const seenBefore = this.list({ server }).some((p) => p.tool === definition.name);
    const trusted = this.options.trustFirstUse.has(server) && !seenBefore && findings.length === 0;
    const now = new Date().toISOString();
    const candidate: ToolPin = {
      id, server, tool: definition.name, hash, definition, findings,
      status: trusted ? 'approved' : 'pending',
      previousHash: previous?.hash ?? null,
      approvals: [],
      decidedBy: trusted ? 'warden:trust-first-use' : null,
      note: null,
      firstSeen: now,
      decidedAt: trusted ? now : null,
    };
    if (stored >= MAX_PINS_PER_SERVER) {
      // Not stored and never usable; announced once per process so the flood itself is visible.
      const refused: ToolPin = { ...candidate, status: 'rejected', decidedBy: 'warden:pin-limit', note: `more than ${MAX_PINS_PER_SERVER} definitions from this server`, decidedAt: now };
      if (!this.overflowing.has(server)) this.announce({ ...refused, status: 'pending' });
      this.overflowing.add(server);
      return refused;
    }
    await this.repository.insertIfAbsent(candidate);
    // Another instance may have pinned it first: what the store holds is the pin.
    const pin = (await this.repository.get(id)) ?? candidate;
    this.pins.set(id, pin);
    if (pin.firstSeen === now) this.announce(pin);
    return pin;
  }

  private announce(pin: ToolPin): void {
    if (!this.bus || pin.status === 'approved') return;
    const changed = pin.previousHash !== null;
    this.bus.publish({
      type: 'detection',
      detector: changed ? 'mcp.tool_changed' : 'mcp.tool_new',
      category: 'tool_definition',
      entity: { type: 'Warden::Tool', id: `${pin.server}/${pin.tool}` },
      score: changed || pin.findings.length ? 0.8 : 0.1,
      severity: changed || pin.findings.length ? 'high' : 'info',
      explanation: `${changed ? 'changed' : 'new'} definition of tool \`${pin.tool}\` on \`${pin.server}\` held for approval (pin ${pin.id})${pin.findings.length ? `; findings: ${pin.findings.map((f) => `${f.kind} in ${f.path}`).join(', ')}` : ''}`,
      details: { pinId: pin.id, hash: pin.hash, previousHash: pin.previousHash, findings: pin.findings },
    });
  }

  private latestApproved(server: string, tool: string): ToolPin | undefined {
    return this.list({ server, status: 'approved' })
      .filter((p) => p.tool === tool)
      .sort((a, b) => (a.decidedAt ?? '').localeCompare(b.decidedAt ?? ''))
      .at(-1);
  }

  private knownToolNames(): string[] {
    return [...new Set([...this.pins.values()].map((p) => p.tool))];
  }

  private checkApprover(approver: Approver): void {
    if (!approver.roles.some((r) => this.options.approverRoles.includes(r))) {
      throw new WardenError('forbidden', `approving tool definitions needs one of the roles ${this.options.approverRoles.map((r) => `\`${r}\``).join(', ')}`);
    }
  }

  private settle(id: string, pin: ToolPin | undefined, approver: Approver, operation: 'approve' | 'reject'): ToolPin {
    if (!pin) throw new WardenError('not_found', `no tool definition pin \`${id.slice(0, 40)}\``);
    this.pins.set(id, pin);
    this.bus?.publish({
      type: 'admin',
      actor: { type: approver.type, id: approver.id },
      operation: `mcp.tool.${operation}`,
      target: `${pin.server}/${pin.tool}@${pin.hash}`,
      outcome: 'success',
      details: { pinId: pin.id, status: pin.status, approvals: pin.approvals.length, required: this.options.approvalsRequired },
    });
    return pin;
  }
}
