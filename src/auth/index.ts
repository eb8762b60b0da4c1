/** The browser pages of the step-up module (src/mfa): sign-in sessions, factor enrolment, step-up challenges. */
export { BrowserSessions } from './browser-session.js';
export { AuthPages } from './router.js';
