/** Builds the Cedar request and its per-request entities for an identity asking to act on a resource. */
import type { Identity, ResourceRef } from '../core/index.js';
import { buildContext, type ContextFacts } from './context.js';
import { principalEntity, resourceEntity, uid } from './entities.js';
import type { AuthzRequest, EntityJson } from './engine/types.js';

export interface CedarRequest {
  request: AuthzRequest;
  entities: EntityJson[];
}

export function buildCedarRequest(identity: Identity, action: string, resource: ResourceRef, facts: Omit<ContextFacts, 'identity'>): CedarRequest {
  const principal = identity.principal;
  const entities: EntityJson[] = [principalEntity(principal), resourceEntity(resource)];
  if (identity.delegation) entities.push(principalEntity(identity.delegation.onBehalfOf));
  return {
    request: {
      principal: uid(principal.kind, principal.id),
      action: uid('Action', action),
      resource: uid(resource.type, resource.id),
      context: buildContext({ ...facts, identity }),
    },
    entities,
  };
}
