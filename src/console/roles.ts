/**
 * Console roles and what each may do. A principal's configured roles map to one console role (the most
 * capable it holds): `admin` everything, `analyst` reads and responds (revoke keys, approve changes,
 * re-decide traffic, verify), `auditor` reads only. Every console API route names the least role it needs;
 * the check is server-side on every call.
 */
export type ConsoleRole = 'auditor' | 'analyst' | 'admin';

const RANK: Record<ConsoleRole, number> = { auditor: 1, analyst: 2, admin: 3 };

/** The console role a principal's roles grant, or undefined (no console access). */
export function consoleRoleOf(roles: readonly string[]): ConsoleRole | undefined {
  if (roles.includes('admin')) return 'admin';
  if (roles.includes('analyst')) return 'analyst';
  if (roles.includes('auditor')) return 'auditor';
  return undefined;
}

export function roleAllows(held: ConsoleRole, needed: ConsoleRole): boolean {
  return RANK[held] >= RANK[needed];
}
