/** The browser pages of the step-up module (src/mfa): sign-in sessions, factor enrolment, step-up challenges. */
export { AuthPages } from './router.js';
