/** Every `warden` sub-command. Add a command by importing its file here and listing it. */
import type { Command } from '../command.js';
import { configCheckCommand } from './config-check.js';
import { decisionsQueryCommand, decisionsTailCommand } from './decisions.js';
import { demoUpstreamCommand } from './demo-upstream.js';
import { keysCreateCommand, keysListCommand, keysRevokeCommand } from './keys.js';
import { policyActivateCommand, policyDryRunCommand, policyShowCommand, policyValidateCommand } from './policy.js';
import { startCommand } from './start.js';
import { policyTestCommand } from './policy-test.js';
import { exportStatusCommand } from './export-status.js';
import { signCommand } from './sign.js';
import { verifyCommand } from './verify.js';
import { scanCommand } from './scan.js';
import { assetsAddCommand, assetsListCommand, assetsShowCommand } from './assets.js';
import { lineageAddCommand, lineageShowCommand } from './lineage.js';
import { changesApproveCommand, changesListCommand, changesRejectCommand, changesRequestCommand } from './changes.js';
import { auditVerifyCommand } from './audit-verify.js';
import { auditExportCommand } from './audit-export.js';
import { auditProofCommand } from './audit-proof.js';
import { auditCheckpointCommand } from './audit-checkpoint.js';
import { auditKeyCommand } from './audit-key.js';
import { ingestCommand } from './ingest.js';
import { detectionsListCommand } from './detections.js';
import { simulateCommand } from './simulate.js';
import { guardScanCommand } from './guard-scan.js';
import { mcpToolsApproveCommand, mcpToolsListCommand, mcpToolsRejectCommand } from './mcp-tools.js';
import { responseApproveCommand, responseListCommand, responseRejectCommand, responseReplayCommand, responseShowCommand, responseUndoCommand } from './response.js';
import { incidentsAckCommand, incidentsContainCommand, incidentsListCommand, incidentsNoteCommand, incidentsResolveCommand, incidentsShowCommand, incidentsStatsCommand } from './incidents.js';
import { mfaApproveCommand, mfaEnrolLinkCommand, mfaTotpEnrolCommand } from './mfa.js';
import { accessApproveCommand, accessDenyCommand, accessListCommand, accessRequestCommand, accessRevokeCommand, accessShowCommand } from './access.js';

export const COMMANDS: Command[] = [
  auditVerifyCommand,
  auditExportCommand,
  auditProofCommand,
  auditCheckpointCommand,
  auditKeyCommand,
  startCommand,
  configCheckCommand,
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  policyValidateCommand,
  policyShowCommand,
  policyActivateCommand,
  policyDryRunCommand,
  decisionsQueryCommand,
  decisionsTailCommand,
  demoUpstreamCommand,
  policyTestCommand,
  exportStatusCommand,
  signCommand,
  verifyCommand,
  scanCommand,
  assetsAddCommand,
  assetsListCommand,
  assetsShowCommand,
  lineageAddCommand,
  lineageShowCommand,
  changesRequestCommand,
  changesApproveCommand,
  changesRejectCommand,
  changesListCommand,
  ingestCommand,
  detectionsListCommand,
  simulateCommand,
  guardScanCommand,
  mcpToolsListCommand,
  mcpToolsApproveCommand,
  mcpToolsRejectCommand,
  responseListCommand,
  responseShowCommand,
  responseApproveCommand,
  responseRejectCommand,
  responseUndoCommand,
  responseReplayCommand,
  incidentsListCommand,
  incidentsShowCommand,
  incidentsAckCommand,
  incidentsContainCommand,
  incidentsResolveCommand,
  incidentsNoteCommand,
  incidentsStatsCommand,
  mfaEnrolLinkCommand,
  mfaTotpEnrolCommand,
  mfaApproveCommand,
  accessRequestCommand,
  accessApproveCommand,
  accessDenyCommand,
  accessRevokeCommand,
  accessListCommand,
  accessShowCommand,
];
