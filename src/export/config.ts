/**
 * The `export:` section of Warden's config: a list of SIEM sinks. Every value has a default, so an empty
 * section (or none) means "no sinks". Secrets (the Splunk HEC token) are references, never inline in
 * examples: `env:NAME` or `file:PATH`; they are resolved at start and never logged or shown in status.
 *
 * @example
 * ```yaml
 * export:
 *   sinks:
 *     - name: splunk
 *       type: hec
 *       format: ocsf
 *       hec: { url: https://splunk.example:8088, token: env:WARDEN_HEC_TOKEN }
 *     - name: qradar
 *       type: syslog
 *       format: cef
 *       syslog: { host: siem.example, port: 6514, protocol: tls, framing: octet-counting }
 *     - name: archive
 *       type: file
 *       format: ecs
 *       file: { path: /var/log/warden/events.jsonl }
 * ```
 */
import { z } from 'zod';

const eventTypes = z.enum(['decision', 'authentication', 'detection', 'asset', 'admin', 'risk', 'response']);

export const exportFormatSchema = z.enum(['ocsf', 'ecs', 'cef', 'native']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

const batchSchema = z
  .object({
    /** Records per delivery (one HEC request, one burst of syslog messages, one fsync of a file). */
    maxRecords: z.number().int().min(1).max(100_000).default(500),
    /** Upper bound of one delivery's payload; a batch stops growing before it would pass it. */
    maxBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  })
  .prefault({});

const retrySchema = z
  .object({
    /** First wait after a failed delivery; doubles (with jitter) up to `maxDelayMs`. Retries never stop. */
    initialDelayMs: z.number().int().min(1).max(60_000).default(250),
    maxDelayMs: z.number().int().min(1).max(600_000).default(30_000),
    multiplier: z.number().min(1).max(10).default(2),
    /** Fraction of each wait that is random (0 = none, 1 = full jitter). */
    jitter: z.number().min(0).max(1).default(0.2),
  })
  .prefault({});

const tlsClientSchema = z
  .object({
    /** PEM CA bundle; when set, only this CA is trusted (instead of Node's default roots). */
    caFile: z.string().min(1).optional(),
    /** Client certificate and key for mutual TLS, PEM files. */
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    /** Server name checked in the certificate; default the host. */
    serverName: z.string().min(1).optional(),
    /** Only for tests against self-signed receivers; never disable in production. */
    rejectUnauthorized: z.boolean().default(true),
  })
  .prefault({});

const commonSink = {
  /** Unique; names the persisted cursor, so renaming a sink restarts it from `startAt`. */
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, `_`, `.`, `-` (1-64)'),
  enabled: z.boolean().default(true),
  format: exportFormatSchema.default('ocsf'),
  /** Only these event types are sent (the cursor still advances past the others); omitted: all. */
  types: z.array(eventTypes).min(1).optional(),
  /** Where a sink without a cursor starts: the beginning of the log, or its current end. */
  startAt: z.enum(['beginning', 'end']).default('beginning'),
  batch: batchSchema,
  retry: retrySchema,
};

const hecSinkSchema = z.object({
  ...commonSink,
  type: z.literal('hec'),
  hec: z.object({
    /** Base URL of the collector, e.g. `https://splunk.example:8088`; `/services/collector/event` is appended unless the URL has a path. */
    url: z.url(),
    /** `env:NAME` or `file:PATH` (a literal is accepted but discouraged). Never logged. */
    token: z.string().min(1),
    index: z.string().min(1).optional(),
    source: z.string().min(1).default('warden'),
    /** Default `warden:<format>`. */
    sourcetype: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    requestTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    /** Send `Content-Encoding: gzip` bodies. */
    gzip: z.boolean().default(false),
    tls: tlsClientSchema,
  }),
});

const syslogSinkSchema = z.object({
  ...commonSink,
  type: z.literal('syslog'),
  syslog: z.object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(514),
    protocol: z.enum(['udp', 'tcp', 'tls']).default('udp'),
    /** RFC 6587 framing for TCP/TLS; ignored for UDP (one message per datagram). */
    framing: z.enum(['octet-counting', 'newline']).default('octet-counting'),
    /** RFC 5424 facility number; 13 = log audit. */
    facility: z.number().int().min(0).max(23).default(13),
    appName: z.string().regex(/^[!-~]{1,48}$/).default('warden'),
    /** HOSTNAME field; default the machine's host name. */
    hostname: z.string().regex(/^[!-~]{1,255}$/).optional(),
    /** Longest UDP datagram sent; longer messages are truncated (and counted). */
    maxDatagramBytes: z.number().int().min(480).max(65_000).default(8192),
    connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /**
     * TCP and TLS have no application-level acknowledgement: data written is treated as delivered once
     * the connection has stayed up this long after the write (and on a clean close). Until then it stays
     * in a replay window and is sent again after a dropped connection or a restart.
     */
    settleMs: z.number().int().min(0).max(60_000).default(1000),
    tls: tlsClientSchema,
  }),
});

const fileSinkSchema = z.object({
  ...commonSink,
  type: z.literal('file'),
  file: z.object({
    /** JSON Lines (CEF lines for `format: cef`), appended; each batch is fsynced before the cursor moves. */
    path: z.string().min(1),
    mode: z.number().int().min(0).max(0o777).default(0o600),
  }),
});

const stdoutSinkSchema = z.object({
  ...commonSink,
  type: z.literal('stdout'),
});

export const exportSinkSchema = z.discriminatedUnion('type', [hecSinkSchema, syslogSinkSchema, fileSinkSchema, stdoutSinkSchema]);

export const exportConfigSchema = z
  .object({
    sinks: z.array(exportSinkSchema).default([]),
    /** How often an idle sink looks for new entries when no append notification arrives. */
    pollIntervalMs: z.number().int().min(10).max(60_000).default(1000),
    /** `source` host name in exported records (OCSF metadata.product / ECS observer). Default: os.hostname(). */
    instance: z.string().min(1).max(255).optional(),
  })
  .prefault({})
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    value.sinks.forEach((sink, i) => {
      if (seen.has(sink.name)) ctx.addIssue({ code: 'custom', path: ['sinks', i, 'name'], message: `duplicate sink name \`${sink.name}\`` });
      seen.add(sink.name);
    });
  });

export type ExportConfig = z.infer<typeof exportConfigSchema>;
export type ExportConfigInput = z.input<typeof exportConfigSchema>;
export type ExportSinkConfig = z.infer<typeof exportSinkSchema>;
export type HecSinkConfig = z.infer<typeof hecSinkSchema>;
export type SyslogSinkConfig = z.infer<typeof syslogSinkSchema>;
export type FileSinkConfig = z.infer<typeof fileSinkSchema>;
export type RetryConfig = z.infer<typeof retrySchema>;
export type TlsClientConfig = z.infer<typeof tlsClientSchema>;
