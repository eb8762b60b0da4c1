/**
 * ArcSight Common Event Format (CEF:0) lines:
 * `CEF:0|Warden|Warden|<version>|<signature>|<name>|<severity 0-10>|<extension>`.
 * The log position is `cn1` (label `wardenLogIndex`) and the leaf hash `cs1` (label `wardenLeafHash`);
 * `externalId` is the event id. Header fields escape `\` and `|`; extension values escape `\`, `=` and
 * line breaks, as the CEF specification requires.
 *
 * @example
 * ```ts
 * toCef(record, defaultFormatContext());
 * // CEF:0|Warden|Warden|0.1.0|authentication:failure|jwt authentication failure|3|rt=... cn1=7 cn1Label=wardenLogIndex ...
 * ```
 */
import { WARDEN_PRODUCT, epochMs, eventSeverity, eventSubject, eventSummary, type ExportRecord, type FormatContext } from './context.js';
import type { Severity } from '../../core/index.js';

const CEF_SEVERITY: Record<Severity, number> = { info: 1, low: 3, medium: 5, high: 8, critical: 10 };

const HEADER_SPECIAL = /[\\|\r\n]/;
const VALUE_SPECIAL = /[\\=\r\n]/;

export function escapeCefHeader(value: string): string {
  if (!HEADER_SPECIAL.test(value)) return value;
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

export function escapeCefValue(value: string): string {
  if (!VALUE_SPECIAL.test(value)) return value;
  return value.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\r\n|\n/g, '\\n').replace(/\r/g, '\\r');
}

function signature(record: ExportRecord): [string, string] {
  const e = record.event;
  switch (e.type) {
    case 'decision':
      return [`decision:${e.outcome}`, `access ${e.outcome}`];
    case 'authentication':
      return [`authentication:${e.outcome}`, `${e.method} authentication ${e.outcome}`];
    case 'detection':
      return [`detection:${e.detector}`, e.category];
    case 'asset':
      return [`asset:${e.change}`, `asset ${e.change.replaceAll('_', ' ')}`];
    case 'admin':
      return [`admin:${e.operation}`, `admin ${e.operation}`];
    case 'risk':
      return ['risk:change', e.threshold !== undefined ? 'risk threshold crossed' : 'risk score changed'];
    case 'response':
      return [`response:${e.action}`, `response ${e.action}`];
  }
}

/** Returns the CEF line (without syslog header or trailing newline). Pure. */
export function toCef(record: ExportRecord, ctx: FormatContext): string {
  const e = record.event;
  const [sig, name] = signature(record);
  const ext: [string, string | number | undefined][] = [
    ['rt', epochMs(e.time)],
    ['externalId', e.id],
    ['cat', e.type],
    ['cn1', record.index],
    ['cn1Label', 'wardenLogIndex'],
    ['cs1', record.leafHash],
    ['cs1Label', 'wardenLeafHash'],
    ['dvchost', e.source ?? ctx.instance],
    ['msg', eventSummary(record)],
  ];
  const subject = eventSubject(record);
  if (subject) ext.push(['suser', `${subject.type}::${subject.id}`]);
  switch (e.type) {
    case 'decision':
      ext.push(['src', e.sourceIp], ['act', e.outcome], ['outcome', e.outcome === 'allow' ? 'success' : 'failure'], ['requestMethod', e.method.toUpperCase()], ['request', e.path]);
      ext.push(['cs2', e.action], ['cs2Label', 'action'], ['cs3', `${e.resource.type}::${e.resource.id}`], ['cs3Label', 'resource'], ['cs4', e.policyIds.join(',')], ['cs4Label', 'policyIds'], ['cs5', e.requestId], ['cs5Label', 'requestId']);
      if (e.userAgent) ext.push(['requestClientApplication', e.userAgent]);
      break;
    case 'authentication':
      ext.push(['src', e.sourceIp], ['outcome', e.outcome], ['app', e.method]);
      if (e.reason) ext.push(['reason', e.reason]);
      break;
    case 'detection':
      ext.push(['cs2', e.detector], ['cs2Label', 'detector'], ['cfp1', e.score], ['cfp1Label', 'score'], ['duser', `${e.entity.type}::${e.entity.id}`]);
      break;
    case 'asset':
      ext.push(['fname', e.assetId], ['act', e.change]);
      break;
    case 'admin':
      ext.push(['act', e.operation], ['outcome', e.outcome]);
      if (e.target) ext.push(['duser', e.target]);
      break;
    case 'risk':
      ext.push(['cfp1', e.score], ['cfp1Label', 'riskScore'], ['cfp2', e.previous], ['cfp2Label', 'previousRiskScore']);
      break;
    case 'response':
      ext.push(['act', e.action], ['reason', e.reason], ['duser', `${e.target.type}::${e.target.id}`]);
      break;
  }
  const extension = ext
    .filter((kv): kv is [string, string | number] => kv[1] !== undefined && kv[1] !== '')
    .map(([k, v]) => `${k}=${escapeCefValue(String(v))}`)
    .join(' ');
  const header = ['CEF:0', WARDEN_PRODUCT.vendor, WARDEN_PRODUCT.name, WARDEN_PRODUCT.version, sig, name, String(CEF_SEVERITY[eventSeverity(record)])].map((h, i) => (i === 0 ? h : escapeCefHeader(h)));
  return `${header.join('|')}|${extension}`;
}
