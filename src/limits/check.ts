/**
 * What `limits:` names must exist: a rule matching a model or route that is not configured would never
 * apply, silently. (Principals and groups are not checked: tokens from an identity provider bring their own.)
 *
 * @example
 * limitReferenceProblems(config) // [{ path: 'limits.rules.0.match.models.0', message: 'no model named `gpt-5`' }]
 */
import type { WardenConfig } from '../config/index.js';

const LLM_ROUTES = ['openai.chat', 'openai.completion', 'openai.embedding'];

export function limitReferenceProblems(config: WardenConfig): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const models = new Set(config.models.map((m) => m.id));
  const routes = new Set([...LLM_ROUTES, ...config.routes.map((r) => `route.${r.name}`)]);
  config.limits.rules.forEach((rule, i) => {
    rule.match.models?.forEach((m, j) => {
      if (!models.has(m)) problems.push({ path: `limits.rules.${i}.match.models.${j}`, message: `no model named \`${m}\`` });
    });
    rule.match.routes?.forEach((r, j) => {
      if (!routes.has(r)) problems.push({ path: `limits.rules.${i}.match.routes.${j}`, message: `no route \`${r}\` (known: ${[...routes].map((n) => `\`${n}\``).join(', ')})` });
    });
  });
  return problems;
}
