/** What every formatter needs besides the record: who produced it. */
import { hostname } from 'node:os';
import type { AuditRecord } from '../../audit/index.js';
import type { Severity } from '../../core/index.js';

export const WARDEN_PRODUCT = { name: 'Warden', vendor: 'Warden', version: '0.1.0' } as const;

export interface FormatContext {
  /** The Warden instance name (host name by default). */
  instance: string;
}

export function defaultFormatContext(instance?: string): FormatContext {
  return { instance: instance ?? hostname() };
}

/** A log record as the exporter reads it: position, leaf hash and event. */
export type ExportRecord = AuditRecord;

/** Milliseconds since the epoch for an ISO time; 0 when unparseable (never throws). */
export function epochMs(time: string): number {
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? ms : 0;
}

/** Warden severity of any event: detections carry one; others are derived from their outcome. */
export function eventSeverity(record: ExportRecord): Severity {
  const e = record.event;
  switch (e.type) {
    case 'detection':
      return e.severity;
    case 'authentication':
      return e.outcome === 'failure' ? 'low' : 'info';
    case 'decision':
      return e.outcome === 'allow' ? 'info' : 'low';
    case 'asset':
      return e.change === 'tampered' || e.change === 'marked_suspect' ? 'high' : e.change === 'verification_failed' ? 'medium' : 'info';
    case 'admin':
      return e.outcome === 'failure' ? 'low' : 'info';
    case 'risk':
      return e.threshold !== undefined && e.score >= e.threshold ? 'medium' : 'info';
    case 'response':
      return 'medium';
  }
}

/** Subject of an event (the principal, actor or target) as `type`/`id`, when it has one. */
export function eventSubject(record: ExportRecord): { type: string; id: string } | undefined {
  const e = record.event;
  switch (e.type) {
    case 'decision':
      return e.principal ?? undefined;
    case 'authentication':
      return e.principal;
    case 'detection':
      return e.entity;
    case 'asset':
      return e.actor;
    case 'admin':
      return e.actor;
    case 'risk':
      return e.principal;
    case 'response':
      return e.target;
  }
}

/** One-line human summary used as OCSF `message`, ECS `message` and CEF `msg`. */
export function eventSummary(record: ExportRecord): string {
  const e = record.event;
  const who = (r: { type: string; id: string } | null | undefined): string => (r ? `${r.type}::${r.id}` : 'anonymous');
  switch (e.type) {
    case 'decision':
      return `${e.outcome} ${e.action} on ${e.resource.type}::${e.resource.id} for ${who(e.principal)}${e.enforced ? '' : ' (monitor only)'}`;
    case 'authentication':
      return `${e.method} authentication ${e.outcome} for ${who(e.principal)}${e.reason ? ` (${e.reason})` : ''}`;
    case 'detection':
      return `${e.detector}: ${e.explanation}`;
    case 'asset':
      return `asset ${e.assetId} ${e.change.replaceAll('_', ' ')}`;
    case 'admin':
      return `${e.operation}${e.target ? ` ${e.target}` : ''} by ${who(e.actor)}: ${e.outcome}`;
    case 'risk':
      return `risk of ${who(e.principal)} ${e.previous} -> ${e.score}${e.threshold !== undefined ? ` (threshold ${e.threshold})` : ''}`;
    case 'response':
      return `${e.action} on ${who(e.target)}: ${e.reason}`;
  }
}
