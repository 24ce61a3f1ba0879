export { createHttpSys, HttpSys, type HttpSysOptions } from './http-sys.js';
export { HttpSysErrors, errorResponseBytes, type HttpSysError } from './error-responses/http-sys-errors.js';

