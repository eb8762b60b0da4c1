// Types for the rule's test (test/lint/module-seams.test.ts); the rule is plain JS because eslint.config.js loads it.
import type { Rule } from 'eslint';

declare const moduleSeams: Rule.RuleModule;
export default moduleSeams;
