export { startupMark } from './startup-trace.js';
