/**
 * Siblings of findings 1 and 15 in the decision API (/v1/authorize, dry-run): the subject a caller
 * describes gets the same delegation (`mayActFor`) and device-owner rules as an authenticated request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.js';
import { authorizeSchema, subjectIdentity } from '../../src/gateway/authorize.js';
import { Directory } from '../../src/identity/index.js';

const config = configSchema.parse({
  principals: [
    { id: 'alice', groups: ['engineering'] },
    { id: 'carol', groups: ['security'] },
    { id: 'bot', kind: 'Agent', mayActFor: ['group:engineering'] },
  ],
  devices: [{ id: 'alice-laptop', owner: 'alice', managed: true, compliant: true }],
});
const directory = new Directory(config.principals, config.devices);
const subject = (principal: unknown, context: Record<string, unknown>) =>
  subjectIdentity(authorizeSchema.parse({ principal, action: 'read', resource: { type: 'Dataset', id: 'd' }, context }), directory);

test('a delegation mayActFor does not allow is not granted to the subject', () => {
  assert.equal(subject({ type: 'Agent', id: 'bot' }, { onBehalfOf: 'alice' }).delegation?.onBehalfOf.id, 'alice');
  assert.equal(subject({ type: 'Agent', id: 'bot' }, { onBehalfOf: 'carol' }).delegation, undefined);
  assert.equal(subject({ type: 'User', id: 'carol' }, { onBehalfOf: 'alice' }).delegation, undefined, 'a user acts for nobody');
});

test('a device bound to another owner is not the subject\'s', () => {
  assert.equal(subject({ type: 'User', id: 'alice' }, { deviceId: 'alice-laptop' }).device?.id, 'alice-laptop');
  assert.equal(subject({ type: 'User', id: 'carol' }, { deviceId: 'alice-laptop' }).device, undefined);
  assert.equal(subject({ type: 'Agent', id: 'bot' }, { deviceId: 'alice-laptop', onBehalfOf: 'alice' }).device?.id, 'alice-laptop');
});
