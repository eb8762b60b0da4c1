/**
 * AWS CloudTrail records (management and S3 data events) -> Warden events. `ConsoleLogin` becomes an
 * authentication event; every other call a decision event (`AccessDenied*` = deny). S3 object-level
 * events name the object as `S3Object:bucket/key` and carry bytes transferred. IAM changes (users and
 * access keys created, policies attached, group membership, MFA removed) name the policy or group as
 * the resource and the IAM user they are about as `target`.
 */
import type { PrincipalRef, WardenEvent } from '../../core/index.js';
import { ipOrEmpty, isoTime, num, obj, path, required, str } from './fields.js';
import { importedAuthentication, importedDecision } from './event.js';

function principalOf(identity: Record<string, unknown>): PrincipalRef {
  const type = str(identity.type);
  const arn = str(identity.arn) ?? '';
  switch (type) {
    case 'IAMUser':
      return { type: 'User', id: required(identity.userName ?? arn.split('/').pop(), 'userIdentity.userName') };
    case 'Root':
      return { type: 'User', id: 'root' };
    case 'AssumedRole': {
      // arn:aws:sts::123456789012:assumed-role/RoleName/session-name
      const [, role, session] = arn.split('/');
      if (session && /@/.test(session)) return { type: 'User', id: session };
      return { type: 'Service', id: required(role ?? str(path(identity, 'sessionContext', 'sessionIssuer', 'userName')), 'userIdentity.arn') };
    }
    case 'AWSService':
      return { type: 'Service', id: required(identity.invokedBy, 'userIdentity.invokedBy') };
    case 'IdentityCenterUser':
    case 'AWSAccount':
      return { type: 'User', id: required(identity.userName ?? identity.principalId ?? identity.accountId, 'userIdentity.principalId') };
    default:
      return { type: 'User', id: required(identity.userName ?? identity.principalId, 'userIdentity.userName') };
  }
}

export function parseCloudTrail(record: unknown): WardenEvent[] {
  const r = obj(record);
  if (!r) throw new Error('record is not a JSON object');
  const time = isoTime(r.eventTime, 'eventTime');
  const eventName = required(r.eventName, 'eventName');
  const identity = obj(r.userIdentity);
  if (!identity) throw new Error('missing `userIdentity`');
  const principal = principalOf(identity);
  const sourceIp = ipOrEmpty(r.sourceIPAddress);
  const userAgent = str(r.userAgent);
  const credentialId = str(identity.accessKeyId);
  const errorCode = str(r.errorCode);
  if (eventName === 'ConsoleLogin') {
    const ok = str(path(r, 'responseElements', 'ConsoleLogin')) === 'Success' && !errorCode;
    // CloudTrail hides the name typed in a failed login when no such user exists.
    const hidden = identity.userName === 'HIDDEN_DUE_TO_SECURITY_REASONS';
    return [
      importedAuthentication({
        id: str(r.eventID),
        time,
        source: 'cloudtrail',
        outcome: ok ? 'success' : 'failure',
        ...(hidden ? {} : { principal }),
        sourceIp,
        ...(userAgent ? { userAgent } : {}),
        ...(credentialId ? { credentialId } : {}),
        ...(ok ? {} : { reason: hidden || /no username found/i.test(str(r.errorMessage) ?? '') ? 'unknown_user' : 'invalid_credentials' }),
        mfa: str(path(r, 'additionalEventData', 'MFAUsed')) === 'Yes',
        origin: { system: 'cloudtrail' },
      }),
    ];
  }
  const service = (str(r.eventSource) ?? 'aws').split('.')[0]!;
  const bucket = str(path(r, 'requestParameters', 'bucketName'));
  const key = str(path(r, 'requestParameters', 'key'));
  const arn = Array.isArray(r.resources) ? str(obj(r.resources[0])?.ARN) : undefined;
  const iam = service === 'iam' ? iamResource(r) : undefined;
  const resource = iam ? iam : bucket && key ? { type: 'S3Object', id: `${bucket}/${key}` } : bucket ? { type: 'S3Bucket', id: bucket } : arn ? { type: 'AwsResource', id: arn } : { type: 'AwsService', id: service };
  const bytesIn = num(path(r, 'additionalEventData', 'bytesTransferredIn'));
  const bytesOut = num(path(r, 'additionalEventData', 'bytesTransferredOut'));
  const denied = errorCode !== undefined && /AccessDenied|Unauthorized|Forbidden/i.test(errorCode);
  const event = importedDecision({
    system: 'cloudtrail',
    id: str(r.eventID),
    time,
    principal,
    action: `${service}:${eventName}`,
    resource,
    sourceIp,
    userAgent,
    allowed: errorCode === undefined,
    status: errorCode === undefined ? 200 : denied ? 403 : 400,
    errorCode,
    credentialId,
    ...(bytesIn !== undefined || bytesOut !== undefined ? { usage: { requestBytes: bytesIn ?? 0, responseBytes: bytesOut ?? 0 } } : {}),
  });
  const iamUser = service === 'iam' ? str(path(r, 'requestParameters', 'userName')) : undefined;
  if (iamUser) event.target = { type: 'User', id: iamUser };
  return [event];
}

/** The object an IAM change acts on: the policy attached, the group joined, or the user changed. */
function iamResource(r: Record<string, unknown>): { type: string; id: string } | undefined {
  const policy = str(path(r, 'requestParameters', 'policyArn')) ?? str(path(r, 'requestParameters', 'policyName'));
  if (policy) return { type: 'AwsPolicy', id: policy };
  const group = str(path(r, 'requestParameters', 'groupName'));
  if (group) return { type: 'AwsGroup', id: group };
  const role = str(path(r, 'requestParameters', 'roleName'));
  if (role) return { type: 'AwsRole', id: role };
  const user = str(path(r, 'requestParameters', 'userName'));
  return user ? { type: 'AwsUser', id: user } : undefined;
}
