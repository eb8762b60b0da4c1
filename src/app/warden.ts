/**
 * The composition root: builds every module from the configuration, wires them through the event bus and
 * starts the listeners. `WardenApp.start` is what `warden start` and the end-to-end tests run.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { resolveConfigPath, type LoadedConfig, assertReferences, DEMO_UPSTREAM, demoExposureProblem, type WardenConfig, isLoopbackHost } from '../config/index.js';
import { ConfigError, createLogger, type Logger, WardenError, type EntityRef } from '../core/index.js';
import { redisUrlOf, announcePolicyActivation, createCluster, natsUrlFrom, shareState, type Cluster } from '../cluster/index.js';
import { DecisionLog, insertDecisionsWithin, type EventBus, relayDeferred } from '../events/index.js';
import { AdminApi, coreAdminRoutes, type AdminRoute, compileRoutes, Gateway, GatewayMetrics, Pipeline, type AssetAttributeSource, type RiskSource, Upstreams, InFlightRequests, Exchange, clientIp } from '../gateway/index.js';
import { ApiKeyStore, Authenticator, Directory, JwtVerifier } from '../identity/index.js';
import { PolicyDecisionPoint, PolicyManager, demoPolicyDir, readBundle } from '../policy/index.js';
import { openDatabase, type SqliteDatabase, DatabaseHealth } from '../store/index.js';
import { databaseUrlFor, openStateStores, type StateStores } from './state-stores.js';
import { createIntegrity, integrityAdminRoutes, type Integrity } from '../integrity/index.js';
import { auditAdminRoutes, createAuditLog, createClusterAuditLog, type AppendHook, type AuditLog, type ClusterAuditLog } from '../audit/index.js';
import { createExportAdminRoutes, createExporter, type Exporter } from '../export/index.js';
import { createRiskEngine, riskAdminRoutes, type RiskEngine, startRiskPartitions, type StartedPartitions } from '../risk/index.js';
import { createGuard, defaultInjectionModel, loadModelTierFromDisk } from '../guard/index.js';
import { startDemoUpstream, type DemoUpstream, startDemoMcpServer, DEMO_MCP_SERVER, type DemoMcpServer } from '../demo/index.js';
import { createLimiter } from '../limits/index.js';
import { createMcpGateway, mcpAdminRoutes, type McpGateway } from '../mcp/index.js';
import { ResponseEngine, ResponseGate, ResponseMetrics, responseAdminRoutes, withQuarantinedAssets } from '../response/index.js';
import { createConsole } from '../console/index.js';
import { createMfa, openStepUpState, type Mfa, mfaAdminRoutes } from '../mfa/index.js';
import { AccessRequests, accessAdminRoutes, approverFactors } from '../access/index.js';
import { AuthPages } from '../auth/index.js';
import { createSignals, type Signals } from '../signals/index.js';

export interface StartOptions {
  loaded: LoadedConfig;
  env: NodeJS.ProcessEnv;
  logger?: Logger;
}

export interface DemoCredential {
  principal: string;
  key: string;
}

export class WardenApp {
  private closing = false;
  private readonly timers: NodeJS.Timeout[] = [];
  /** The MCP gateway and the demo's tool server, when configured. */
  mcp: McpGateway | undefined;
  demoMcp: DemoMcpServer | undefined;
  /** Watchers and the like, released first on close. */
  private readonly closers: (() => void)[] = [];
  /** Released once requests have finished (connections to shared services). */
  private readonly asyncClosers: (() => Promise<void>)[] = [];
  /** The event stream and shared state (NATS, or in process); closed after everything that publishes. */
  private cluster: Cluster | undefined;
  /** Automated response (playbooks, actions, incidents); `setConfig` reloads its playbooks (SIGHUP). */
  response!: ResponseEngine;
  /** The risk buckets this instance owns (NATS and a cluster database); saved and released on close. */
  riskPartitions: StartedPartitions | undefined;
  /** Step-up and factors (issue 14); undefined when `mfa.enabled` is false. */
  mfa: Mfa | undefined;
  /** Shared Signals (CAEP/RISC) and device posture (issue 14). */
  signals: Signals | undefined;

  private constructor(
    readonly config: WardenConfig,
    readonly logger: Logger,
    readonly db: SqliteDatabase,
    readonly stores: StateStores,
    readonly bus: EventBus,
    readonly apiKeys: ApiKeyStore,
    readonly policies: PolicyManager,
    readonly decisions: DecisionLog,
    private readonly decisionsDb: SqliteDatabase | undefined,
    readonly upstreams: Upstreams,
    readonly integrity: Integrity,
    readonly audit: AuditLog | ClusterAuditLog,
    readonly risk: RiskEngine,
    readonly exporter: Exporter,
    readonly servers: Server[],
    readonly demoUpstream: DemoUpstream | undefined,
    readonly demoCredentials: DemoCredential[],
    private readonly readiness: { serving: boolean },
  ) {}

  get url(): string {
    const { port } = this.servers[0]!.address() as AddressInfo;
    return `http://${this.config.server.host}:${port}`;
  }

  /** The separate metrics listener (`server.metrics`), when configured. */
  get metricsUrl(): string | undefined {
    const listen = this.config.server.metrics;
    if (!listen) return undefined;
    return `http://${listen.host}:${(this.servers.at(-1)!.address() as AddressInfo).port}/metrics`;
  }

  get tlsUrl(): string | undefined {
    const server = this.config.server.tls ? this.servers[1] : undefined;
    if (!server) return undefined;
    return `https://${this.config.server.host}:${(server.address() as AddressInfo).port}`;
  }

  static async start({ loaded, env, logger: givenLogger }: StartOptions): Promise<WardenApp> {
    const config = loaded.config;
    // Every reference is checked before anything is opened, exactly as `warden config check` does.
    assertReferences(loaded, env);
    const exposure = demoExposureProblem(config, loaded.file);
    if (exposure) throw new ConfigError(exposure);
    const redis = redisUrlOf(config.cluster, env);
    const databaseUrl = databaseUrlFor(config, env);
    const logger = givenLogger ?? createLogger(config.log.level);
    const db = openDatabase(config.dataDir);
    // Keys, policy versions, response and step-up records: PostgreSQL when a database URL is configured, else this SQLite database.
    // The decision table on SQLite gets its own connection without an fsync per batch (the log holds the durable copy).
    let decisionsDb: SqliteDatabase | undefined;
    const stores = await openStateStores({ databaseUrl, sqlite: () => db, decisionsSqlite: () => (decisionsDb = openDatabase(config.dataDir, 'warden.db', { synchronous: 'NORMAL' })) });
    const databaseHealth = new DatabaseHealth(() => stores.ping());
    const instanceId = `${hostname()}:${process.pid}`;
    const cluster = await createCluster({ natsUrl: natsUrlFrom(config, env), dataDir: config.dataDir, instanceId, logger, onSubscriberError: (name, error) => logger.error({ subscriber: name, err: error }, 'event subscriber failed') });
    const bus = cluster.bus;
    const metrics = new GatewayMetrics();

    const directory = new Directory(config.principals, config.devices);
    const apiKeys = await ApiKeyStore.open(stores.apiKeys);
    const demoCredentials: DemoCredential[] = [];
    for (const { principal, name } of config.demo.apiKeys) demoCredentials.push({ principal, key: await apiKeys.demoKey({ principal, name }) });
    const jwt = new JwtVerifier(config.identity.jwt, (p) => resolveConfigPath(loaded, p), {
      onJwksFileError: (path, error) => logger.error({ path, err: error }, 'the JWKS file could not be reloaded; the last good keys stay in use'),
    });
    jwt.watchFiles();
    // Step-up (issue 14): factors, challenges, elevated API keys, DPoP-bound session tokens.
    // The lock-out and the DPoP replay cache: in the cluster's Redis when configured, so every instance counts the same guesses and proofs.
    const stepUpState = config.mfa.enabled ? await openStepUpState(config.mfa, redis.url, logger) : undefined;
    const mfa = stepUpState ? createMfa({ config, repo: stores.mfa, bus, logger, directory, env, instanceId, state: stepUpState }) : undefined;
    if (mfa) await mfa.stepUps.refresh();
    // Just-in-time elevation (issue 14): approved roles for a window, read from memory per request.
    const access = new AccessRequests({ repo: stores.access, config: config.access, directory, factors: approverFactors(mfa), bus, instanceId });
    await access.refresh();
    /** Origins clients reach Warden at, filled in once the listeners are up (DPoP `htu`, the pages' `Origin`). */
    const origins: string[] = [];
    const authenticator = new Authenticator({
      apiKeys,
      jwt,
      directory,
      apiKeysEnabled: config.identity.apiKeys.enabled,
      mtlsEnabled: config.identity.mtls.enabled,
      ...(mfa ? { stepUp: { sessions: mfa.sessionAuth, elevation: (id: string) => mfa.stepUps.elevation(id) } } : {}),
      access,
    });

    const pdp = new PolicyDecisionPoint(config.policy.engine);
    const policies = new PolicyManager(stores.policies, pdp, logger, {
      onLoad: (report) => {
        metrics.policyReloads.inc({ result: 'loaded' });
        if (report.fallbackReason) metrics.policyFallback.inc();
      },
      onLoadFailed: () => metrics.policyReloads.inc({ result: 'failed' }),
      onActivate: (version) => void announcePolicyActivation(cluster.state, version).catch((error: unknown) => logger.error({ err: error }, 'could not share a policy activation')),
    });
    const policyDir = config.policy.dir ? resolveConfigPath(loaded, config.policy.dir) : demoPolicyDir();
    const bundle = readBundle(
      policyDir,
      config.policy.schemaFile ? resolveConfigPath(loaded, config.policy.schemaFile) : '',
      config.policy.entitiesFile ? resolveConfigPath(loaded, config.policy.entitiesFile) : '',
    );
    await policies.bootstrap(bundle, 'config');
    policies.start(config.policy.reloadCheckMs);

    // The audit log subscribes to the bus itself; exporters follow the log with their own cursors.
    // With WARDEN_DATABASE_URL the log is the cluster's one log in PostgreSQL (docs/audit.md, "Cluster"):
    // exporters and the admin routes read it there. With it enabled the decision table is written by the
    // audit leader, in the transaction that appends each batch (both tables are in this database), so it
    // holds a decision exactly when the log does, also when the instance that made it was killed right
    // after the decision was acknowledged: one writer, no instance writes decisions from its bus.
    const leaderWritesDecisions = databaseUrl !== undefined && config.audit.enabled;
    const appendDecisions: AppendHook = (tx, events) =>
      insertDecisionsWithin(tx, events, (event, problem) => logger.error({ eventId: event.id, problem }, 'a decision in the audit log cannot be a row of the decision table; only the log holds it'));
    const clusterLog = databaseUrl
      ? await createClusterAuditLog({ databaseUrl, dataDir: config.dataDir, config: config.audit, bus, logger, env, ...(leaderWritesDecisions ? { onAppend: appendDecisions } : {}) })
      : undefined;
    const auditLog: AuditLog | ClusterAuditLog = clusterLog ?? (await createAuditLog({ dataDir: config.dataDir, config: config.audit, bus, logger, env }));
    const audit = 'shred' in auditLog ? auditLog : undefined;
    // On a single instance the decision table is derived from the audit log: it catches up here (after a
    // crash too) and then follows the log. In a cluster with the log its leader writes the table, and a read
    // here first waits for the leader to have drained this instance's decisions. Without an audit log each
    // instance writes its own decisions from the bus.
    const decisions = new DecisionLog(stores.decisions, { onError: (error) => logger.error({ err: error }, 'the decision table could not be brought up to date') });
    if (config.audit.enabled && audit) await decisions.follow(audit);
    else if (leaderWritesDecisions && clusterLog) decisions.writtenBy(clusterLog);
    else decisions.subscribeTo(bus);
    const exporter = await createExporter({ reader: auditLog, dataDir: config.dataDir, cursors: stores.exportCursors, config: config.export, logger, env });

    let demoUpstream: DemoUpstream | undefined;
    const upstreamConfigs = config.upstreams.map((u) => ({ ...u }));
    if (config.demo.upstream) {
      const demo = upstreamConfigs.find((u) => u.name === DEMO_UPSTREAM);
      demoUpstream = await startDemoUpstream({ port: config.demo.upstreamPort, ...(demo?.apiKey ? { apiKey: demo.apiKey } : {}) });
      if (demo) demo.baseUrl = `${demoUpstream.url}/v1`;
    }
    const upstreams = new Upstreams(upstreamConfigs, env);

    const riskEngine = createRiskEngine({ db, bus, config: config.risk, logger, inboxOwner: instanceId, detections: stores.detections });
    await riskEngine.ready();
    // With NATS and a cluster database each principal's baseline has one owner across instances (docs/deploy.md).
    const riskPartitions = startRiskPartitions({ bus: cluster.natsBus, link: cluster.link, engine: riskEngine, repo: stores.risk, shared: stores.backend === 'postgres', instanceId, logger });
    if (!riskPartitions) riskEngine.subscribeTo(bus);
    // Revocations, policy activations and risk snapshots reach (and arrive from) the other instances.
    const shared = shareState(cluster.state, { apiKeys, policies, risk: riskEngine, bus, logger });
    const risk: RiskSource = shared.risk;
    const integrity = await createIntegrity({ repo: stores.integrity, bus, config: config.integrity, logger });
    // Automated response: playbooks over the bus; what is in force is read by the pipeline from memory.
    const responseRepo = stores.response;
    const responseMetrics = new ResponseMetrics(metrics.registry, responseRepo);
    const inFlight = new InFlightRequests();
    const response = new ResponseEngine({
      repo: responseRepo,
      config: config.response,
      credentials: apiKeys,
      env,
      logger,
      bus,
      instanceId,
      streams: inFlight,
      risk: riskPartitions ? forgivingAtOwner(riskEngine, riskPartitions, logger) : riskEngine,
      onContained: (seconds) => responseMetrics.containment.observe(seconds),
      onIncidentChange: () => void responseMetrics.refresh().catch((error: unknown) => logger.error({ err: error }, 'incident measures could not be computed')),
    });
    await response.start();
    await responseMetrics.refresh();
    // Shared Signals and device posture: applied to every identity from memory (docs/signals.md).
    const signals = await createSignals({ config, repo: stores.signals, bus, logger, directory, env, instanceId, credentials: apiKeys, streams: inFlight, resolvePath: (p) => resolveConfigPath(loaded, p) });
    const assets: AssetAttributeSource = { attributes: withQuarantinedAssets(response.state, (type, id) => integrity.resourceAttributes(type, id)) };
    const pipeline = new Pipeline({
      authenticator,
      pdp,
      bus,
      metrics,
      logger,
      risk,
      assets,
      instanceId,
      onBehalfOfHeader: config.identity.onBehalfOfHeader.toLowerCase(),
      deviceHeader: config.identity.deviceHeader.toLowerCase(),
      trustedProxies: new Set(config.server.trustedProxies),
      response: new ResponseGate(response.state),
      ...(mfa ? { stepUps: mfa.stepUps, publicOrigins: origins } : {}),
      signals: signals.state,
    });
    // The MCP gateway (docs/mcp.md); the demo's tool server is started first so its URL can be filled in.
    let demoMcp: DemoMcpServer | undefined;
    const mcpConfig = { ...config.mcp, servers: config.mcp.servers.map((s) => ({ ...s })) };
    const demoTools = mcpConfig.servers.find((s) => s.name === DEMO_MCP_SERVER);
    if (config.demo.upstream && demoTools) {
      demoMcp = await startDemoMcpServer({ token: 'demo-tools-secret' });
      demoTools.url = demoMcp.url;
      demoTools.apiKey = 'demo-tools-secret';
    }
    const mcp: McpGateway | undefined = mcpConfig.servers.length ? await createMcpGateway({ config: mcpConfig, env, db, databaseUrl, bus, logger, maxBodyBytes: config.server.maxBodyBytes, issuers: config.identity.jwt.map((j) => j.issuer) }) : undefined;
    const adminRoutes: AdminRoute[] = [...(mcp ? mcpAdminRoutes(mcp.pins, config.mcp.approverRoles) : []), ...coreAdminRoutes({ apiKeys, policies, decisions, directory, risk, bus, instanceId }), ...integrityAdminRoutes(integrity), ...auditAdminRoutes(auditLog), ...createExportAdminRoutes(exporter), ...riskAdminRoutes(riskEngine, riskPartitions ? { publishImported: (events) => riskPartitions.publishImported(events), risk } : undefined), ...responseAdminRoutes(response, responseRepo)];
    // Rate limits and budgets: counters in Redis when configured (shared by every instance), else in memory.
    const limiter = await createLimiter(config.limits, redis.url, logger, metrics.registry);
    adminRoutes.push(...signals.adminRoutes);
    adminRoutes.push(...accessAdminRoutes(access));
    if (mfa) adminRoutes.push(...mfaAdminRoutes({ mfa, bus, instanceId, enrolLinkTtlSeconds: config.mfa.enrolLinkTtlSeconds, publicUrl: () => mfa.stepUps.publicUrl() }));
    // Ready once every listener is up, not ready again from the moment shutdown begins.
    const readiness = { serving: false };
    // Load the injection model now rather than on the first request; the optional model tier is read once here.
    if (config.guard.enabled) defaultInjectionModel();
    const tierDir = config.guard.enabled ? config.guard.injection.model?.dir : undefined;
    const modelTier = tierDir === undefined ? undefined : await loadModelTierFromDisk(resolveConfigPath(loaded, tierDir));
    // The web console (/ui): sessions over the same credentials, the admin routes behind console roles.
    // It reads either audit log (with a cluster database, the one in PostgreSQL).
    const webConsole = config.console.enabled
      ? createConsole({ config, pipeline, authenticator, bus, instanceId, adminRoutes, decisions, policies, directory, apiKeys, risk, engine: riskEngine, assets, integrity, sessions: stores.consoleSessions, audit: auditLog, databaseUrl, incidents: responseRepo, env, ...(mfa ? { totp: mfa.totp } : {}) })
      : undefined;
    const gateway = new Gateway({
      pipeline,
      ...(config.guard.enabled ? { guard: createGuard(config.guard, {
              ...(modelTier ? { modelTier } : {}),
              onInternalError: (err, where) => logger.error({ err, where }, 'the guard failed inside an inspection'),
            }) } : {}),
      admin: new AdminApi(adminRoutes, pipeline, config.server.maxBodyBytes),
      upstreams,
      models: new Map(config.models.map((m) => [m.id, m])),
      routes: compileRoutes(config.routes),
      directory,
      maxBodyBytes: config.server.maxBodyBytes,
      trustedProxies: new Set(config.server.trustedProxies),
      ...(limiter ? { limiter } : {}),
      // Failing closed without the limit counters, an instance cannot serve limited requests: not ready.
      ready: async () =>
        readiness.serving &&
        pdp.version !== undefined &&
        (limiter === undefined || config.limits.failOpen || limiter.store.healthy()) &&
        (await databaseHealth.ready()),
      readyDetails: () => cluster.status(),
      metricsText: () => metrics.registry.metrics(),
      ...(mcp ? { mcp } : {}),
      inFlight,
      signals: signals.routes,
      ...(webConsole ? { console: webConsole } : {}),
      ...(mfa
        ? {
            auth: new AuthPages({
              repo: mfa.repo,
              sessions: mfa.browserSessions,
              totp: mfa.totp,
              passkeys: mfa.passkeys,
              stepUps: mfa.stepUps,
              dpop: mfa.dpop,
              authenticate: (req) => pipeline.authenticate(new Exchange(req, clientIp(req, new Set(config.server.trustedProxies)))),
              origins,
              logger,
            }),
          }
        : {}),
    });

    const servers: Server[] = [createHttpServer({ requestTimeout: config.server.requestTimeoutMs }, gateway.listener)];
    const tls = config.server.tls;
    if (tls) {
      servers.push(
        createHttpsServer(
          {
            cert: readFileSync(resolveConfigPath(loaded, tls.cert)),
            key: readFileSync(resolveConfigPath(loaded, tls.key)),
            ca: readFileSync(resolveConfigPath(loaded, tls.ca)),
            requestCert: true,
            rejectUnauthorized: tls.requireClientCert,
            requestTimeout: config.server.requestTimeoutMs,
          },
          gateway.listener,
        ),
      );
    }
    const metricsListen = config.server.metrics;
    if (metricsListen) servers.push(createHttpServer({ requestTimeout: config.server.requestTimeoutMs }, gateway.metricsListener));
    for (const server of servers) server.keepAliveTimeout = 65_000;
    await listen(servers[0]!, config.server.port, config.server.host, 'server.port');
    if (tls) await listen(servers[1]!, tls.port, config.server.host, 'server.tls.port');
    if (metricsListen) await listen(servers.at(-1)!, metricsListen.port, metricsListen.host, 'server.metrics.port');

    const app = new WardenApp(config, logger, db, stores, bus, apiKeys, policies, decisions, decisionsDb, upstreams, integrity, auditLog, riskEngine, exporter, servers, demoUpstream, demoCredentials, readiness);
    app.closers.push(() => jwt.close());
    if (limiter) app.asyncClosers.push(() => limiter.close());
    if (stepUpState) app.asyncClosers.push(() => stepUpState.close());
    app.closers.push(() => shared.close());
    app.riskPartitions = riskPartitions;
    app.cluster = cluster;
    if (mcp) {
      app.mcp = mcp;
      // The demo's own tool server answers at once (the banner needs its tools pinned); others are discovered in the background.
      if (demoMcp) await mcp.discover();
      else void mcp.discover();
      app.demoMcp = demoMcp;
      // Pins approved or rejected with the CLI (or by another instance) reach this one within two seconds.
      app.every(2000, () => mcp.reload().catch((error: unknown) => logger.error({ err: error }, 'tool pins could not be reloaded')));
      if (config.mcp.rediscoverSeconds > 0) app.every(config.mcp.rediscoverSeconds * 1000, () => mcp.discover());
    }
    app.response = response;
    app.signals = signals;
    signals.setPublicUrl(config.mfa.publicUrl || app.url);
    // Stopped first on close: its delivery pass must not outlive the state store it reads (a PostgreSQL pool).
    app.closers.push(() => void signals.close().catch((error: unknown) => logger.error({ err: error }, 'the signals module did not stop cleanly')));
    app.every(1000, () => signals.refresh());
    if (webConsole) app.closers.push(() => webConsole.close());
    if (mfa) {
      app.mfa = mfa;
      const local = isLoopbackHost(config.server.host) ? app.url.replace(/^http:\/\/[^/]+:/, 'http://localhost:') : app.url;
      mfa.setPublicUrl(local);
      origins.push(...new Set([new URL(mfa.rp.origin).origin, app.url, local, ...(app.tlsUrl ? [app.tlsUrl] : [])]));
      app.every(1000, () => mfa.stepUps.refresh().catch((error: unknown) => logger.error({ err: error }, 'API-key elevations could not be reloaded')));
    }
    readiness.serving = true;
    await integrity.watcher.start();
    exporter.start();
    app.every(1000, () => apiKeys.refresh());
    app.every(1000, () => access.refresh().catch((error: unknown) => logger.error({ err: error }, 'access elevations could not be reloaded')));
    // Events the CLI recorded (factor enrolments, access decisions made on the store) reach the audit log here.
    app.every(1000, () => relayDeferred(stores.deferredEvents, bus).then(() => undefined, (error: unknown) => logger.error({ err: error }, 'deferred events could not be relayed')));
    app.every(1000, () => apiKeys.flushLastUsed());
    logger.info({ url: app.url, tlsUrl: app.tlsUrl, metricsUrl: app.metricsUrl, dataDir: config.dataDir, policyVersion: pdp.version }, 'warden is listening');
    return app;
  }

  /** Runs `fn` every `ms`, skipping a turn while the previous run (a slow database) is still going. */
  private every(ms: number, fn: () => void | Promise<void>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      Promise.resolve()
        .then(fn)
        .catch((error: unknown) => this.logger.error({ err: error }, 'periodic task failed'))
        .finally(() => {
          running = false;
        });
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** Stops accepting requests, lets in-flight ones finish, then flushes and closes the store. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.readiness.serving = false;
    for (const timer of this.timers) clearInterval(timer);
    for (const close of this.closers) close();
    this.policies.stop();
    // In-flight requests get a grace period; connections still open after it are cut.
    const grace = setTimeout(() => this.servers.forEach((s) => s.closeAllConnections()), 10_000);
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeIdleConnections();
          }),
      ),
    );
    clearTimeout(grace);
    await this.integrity.close();
    await this.response.stop();
    await this.bus.drain();
    await this.riskPartitions?.close().catch((error: unknown) => this.logger.error({ err: error }, 'risk partitions could not be saved and released'));
    this.risk.close();
    await this.risk.idle();
    // Every event is in the log before it closes; exporters stop before the log they read.
    await this.exporter.stop();
    // The bus is drained, so every event is durable in the log: the table catches up and stops following.
    await this.decisions.close();
    await this.audit.close();
    this.decisionsDb?.close();
    await this.apiKeys.flushLastUsed().catch((error: unknown) => this.logger.error({ err: error }, 'last-used times could not be written'));
    await this.stores.close();
    await this.upstreams.close();
    for (const close of this.asyncClosers) await close();
    await this.mcp?.close();
    await this.demoMcp?.close();
    await this.demoUpstream?.close();
    await this.cluster?.close();
    this.db.close();
  }
}

/**
 * With risk partitioning the principal's score lives with its owner, maybe another instance: a forgive is
 * applied here (this instance's own score) and sent to the owner, which applies it in order with the
 * principal's events and announces the lower score to every instance. The response engine repeats the
 * forgive of an incident resolved in the last minute every second, so a publish that failed while NATS was
 * away is sent again, and the stream stores a repeated one once. Older forgives (those every instance
 * applies again on start) are not sent: their owner applied them when they were new, and applies them
 * again itself on its own start.
 */
const FORGIVE_SENT_FOR_MS = 120_000;

function forgivingAtOwner(engine: RiskEngine, partitions: StartedPartitions, logger: Logger): { forgive(principal: EntityRef, detectors: readonly string[], until: number): number } {
  return {
    forgive(principal, detectors, until) {
      if (Date.now() - until > FORGIVE_SENT_FOR_MS) return engine.forgive(principal, detectors, until);
      void Promise.resolve()
        .then(() => partitions.forgive(principal, detectors, until))
        .catch((error: unknown) => logger.warn({ err: error, principal }, "a forgive could not be sent to the principal's risk owner; it is sent again at the next refresh"));
      return engine.forgive(principal, detectors, until);
    },
  };
}

function listen(server: Server, port: number, host: string, keyPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => {
      const why = error.code === 'EADDRINUSE' ? 'the port is in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
      reject(new WardenError('config_invalid', `${keyPath}: cannot listen on ${host}:${port}: ${why}`, { cause: error }));
    };
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}
