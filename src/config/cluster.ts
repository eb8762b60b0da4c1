/** `cluster:` — what several Warden instances share. Without it, Warden keeps its state on this machine. */
import { z } from 'zod';

export const clusterConfigSchema = z
  .object({
    /**
     * PostgreSQL for keys and policy versions, shared by every instance and CLI (`WARDEN_DATABASE_URL`
     * overrides it). Prefer the environment variable when the URL carries a password.
     */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// URL')
      .optional(),
  })
  .prefault({});
