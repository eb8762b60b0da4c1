/** Cedar-format policy tests: loading cases (Cedar integration JSON, cedar-examples layout) and running them. */
export { loadCases, loadIntegrationCase, loadExampleCase, isExampleDir, policySetFromText, CaseLoadError } from './load.js';
export type { PolicyTestCase, PolicyTestRequest } from './load.js';
export { runCases, checkRequest } from './run.js';
export type { PolicyTestReport, PolicyTestFailure } from './run.js';
export { parseUidText } from './uid-text.js';
