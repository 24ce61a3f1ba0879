// AnonymousAuthenticationModule, AuthenticateRequest: when `security/authentication/anonymousAuthentication`
// is enabled, a request no other module identified runs as the anonymous user ('').
import type { RawElement } from '@poolhost/config';
import type { HttpContext } from '../pipeline/http-context.js';
import type { HttpModule } from '../pipeline/http-module.js';

export function isAuthenticationEnabled(section: RawElement | undefined, fallback: boolean): boolean {
  const value = section?.attributes.enabled;
  return value === undefined ? fallback : value.toLowerCase() === 'true';
}

const authenticate = (context: HttpContext): void => {
  if (context.user === null) {
    context.user = '';
    context.authenticationType = '';
  }
};

export function anonymousAuthenticationModule(section: RawElement | undefined): HttpModule | null {
  if (!isAuthenticationEnabled(section, true)) return null;
  return { name: 'AnonymousAuthenticationModule', stages: { AuthenticateRequest: authenticate } };
}
