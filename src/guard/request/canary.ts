/**
 * Places a canary in the system prompt of a chat request (a copy of the body), so the output inspector can
 * tell when the answer leaks the system prompt. Bodies without `messages` are returned unchanged.
 *
 * @example
 * const { body, canary } = withCanary(request.body, guard.systemPromptCanary());
 */
import { canaryInstruction } from '../output/canary.js';

export function withCanary(body: unknown, canary: string): { body: unknown; canary?: string } {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { messages?: unknown }).messages)) return { body };
  const copy = structuredClone(body) as { messages: { role?: unknown; content?: unknown }[] };
  const line = canaryInstruction(canary);
  const system = copy.messages.find((m) => m && (m.role === 'system' || m.role === 'developer'));
  if (system && typeof system.content === 'string') system.content = `${system.content}\n${line}`;
  else if (system && Array.isArray(system.content)) system.content = [...system.content, { type: 'text', text: line }];
  else copy.messages.unshift({ role: 'system', content: line });
  return { body: copy, canary };
}
