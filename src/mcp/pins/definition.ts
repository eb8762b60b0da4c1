/**
 * A tool definition as Warden pins it: the parts that tell an agent what a tool does and how to call it
 * (name, title, description, input and output schemas, annotations), hashed in canonical JSON so that
 * any change, however small (one invisible character, a flipped `destructiveHint`), is a new definition.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../audit/index.js';

export const toolAnnotationsSchema = z
  .object({
    title: z.string().max(500).optional(),
    readOnlyHint: z.boolean().optional(),
    destructiveHint: z.boolean().optional(),
    idempotentHint: z.boolean().optional(),
    openWorldHint: z.boolean().optional(),
  })
  .loose();

/** A tool as a server lists it; unknown fields are kept (they are hashed too) but bounded in size below. */
export const toolDefinitionSchema = z
  .object({
    name: z.string().min(1).max(128),
    title: z.string().max(500).optional(),
    description: z.string().max(100_000).optional(),
    inputSchema: z.record(z.string(), z.unknown()),
    outputSchema: z.record(z.string(), z.unknown()).optional(),
    annotations: toolAnnotationsSchema.optional(),
  })
  .loose();

export type ToolDefinition = z.infer<typeof toolDefinitionSchema>;

/** The behaviour hints as Cedar sees them; absent hints take MCP's cautious defaults (may write, may destroy, reaches the world). */
export interface ToolHints {
  readOnly: boolean;
  destructive: boolean;
  openWorld: boolean;
}

export function hintsOf(definition: ToolDefinition): ToolHints {
  const a = definition.annotations ?? {};
  const readOnly = a.readOnlyHint === true;
  return { readOnly, destructive: !readOnly && a.destructiveHint !== false, openWorld: a.openWorldHint !== false };
}

/** SHA-256 of the canonical JSON of the whole definition (RFC 8785). */
export function definitionHash(definition: ToolDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}
