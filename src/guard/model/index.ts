export { INJECTION_MODEL } from './weights.js';
