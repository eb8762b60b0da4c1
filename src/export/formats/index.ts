/** Formats one log record for a sink: an object (OCSF, ECS, native JSON) or a line of text (CEF). */
import type { ExportFormat } from '../config.js';
import type { ExportRecord, FormatContext } from './context.js';
import { toOcsf } from './ocsf.js';
import { toEcs } from './ecs.js';
import { toCef } from './cef.js';

export { toOcsf, OCSF_VERSION, type OcsfEvent } from './ocsf.js';
export { toEcs, ECS_VERSION } from './ecs.js';
export { toCef, escapeCefHeader, escapeCefValue } from './cef.js';
export { defaultFormatContext, eventSeverity, type ExportRecord, type FormatContext } from './context.js';

/** Warden's own shape: position, leaf hash and the event as logged. */
export function toNative(record: ExportRecord): Record<string, unknown> {
  return { log_index: record.index, leaf_hash: record.leafHash, event: record.event };
}

export function formatRecord(format: ExportFormat, record: ExportRecord, ctx: FormatContext): Record<string, unknown> | string {
  switch (format) {
    case 'ocsf':
      return toOcsf(record, ctx);
    case 'ecs':
      return toEcs(record, ctx);
    case 'cef':
      return toCef(record, ctx);
    case 'native':
      return toNative(record);
  }
}
