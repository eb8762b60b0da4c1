/** Shapes of the console API's answers (what the pages read). */
export type Role = 'admin' | 'analyst' | 'auditor';

export interface Session {
  principal: { type: string; id: string };
  role: Role;
  csrfToken: string;
  expiresAt: string;
  adminMfa: { required: boolean; freshUntil: string | null };
}

export interface Decision {
  seq: number;
  id: string;
  decisionId: string;
  requestId: string;
  time: string;
  principal: { type: string; id: string } | null;
  action: string;
  resource: { type: string; id: string };
  route: string;
  method: string;
  path: string;
  sourceIp: string;
  userAgent?: string;
  outcome: 'allow' | 'deny' | 'step_up';
  enforced: boolean;
  policyIds: string[];
  status: number;
  errorCode?: string;
  risk?: number;
  authMethod?: string;
  credentialId?: string;
  device?: { id: string } & Record<string, unknown>;
}

export interface Detection {
  id: string;
  time: string;
  detector: string;
  category: string;
  entity: { type: string; id: string };
  score: number;
  severity: 'info' | 'low' | 'medium' | 'high' | 'critical';
  explanation: string;
  contribution: number;
}

export interface ApiKey {
  id: string;
  principal: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export type LiveItem =
  | { kind: 'decision'; id: string; decisionId: string; time: string; principal: string | null; outcome: string; action: string; resource: string; status: number; enforced: boolean; risk: number | null }
  | { kind: 'detection'; id: string; time: string; detector: string; severity: string; entity: string; explanation: string }
  | { kind: 'risk'; id: string; time: string; principal: string; score: number; previous: number }
  | { kind: 'response'; id: string; time: string; action: string; target: string; reason: string };

export type IncidentState = 'open' | 'acknowledged' | 'contained' | 'resolved';

export interface Incident {
  id: string;
  kind: 'entity' | 'campaign';
  type: string;
  title: string;
  severity: 'info' | 'low' | 'medium' | 'high' | 'critical';
  state: IncidentState;
  resolution?: 'true_positive' | 'benign' | 'false_positive';
  assignee?: string;
  entities: { type: string; id: string }[];
  indicators: string[];
  detections: string[];
  actions: string[];
  notes: { time: string; author: string; text: string }[];
  timeline: { time: string; kind: string; text: string; ref?: string; actor?: string }[];
  firstEventAt: string;
  firstDetectionAt: string;
  lastActivityAt: string;
  acknowledgedAt?: string;
  containedAt?: string;
  resolvedAt?: string;
}

export interface IncidentOverview {
  days: number;
  open: Incident[];
  openCount: number;
  perDay: { day: string; incidents: number; timeToDetectSeconds: number | null; timeToContainSeconds: number | null }[];
}
