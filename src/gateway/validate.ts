/** Boundary validation: a zod schema turns bad input into `validation_failed` naming the field. */
import type { z } from 'zod';
import { WardenError } from '../core/index.js';

export function validateInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new WardenError('validation_failed', `\`${issue.path.join('.') || 'body'}\`: ${issue.message}`);
  }
  return parsed.data;
}
