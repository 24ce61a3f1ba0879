// IIS's 500.19 faults (reference §5), built with IIS's wording so the worker can show the familiar page.

import type { ConfigurationFault, RawElement } from './model.js';

export const LOCKED_SECTION_MESSAGE =
  'This configuration section cannot be used at this path. This happens when the section is locked at a parent level. ' +
  'Locking is either by default (overrideModeDefault="Deny"), or set explicitly by a location tag with overrideMode="Deny" ' +
  'or the legacy allowOverride="false".';

export const ERROR_CODES = {
  locked: '0x80070021',
  malformed: '0x8007000d',
  duplicateEntry: '0x800700b7',
} as const;

export function lockedSectionFault(section: string, element: RawElement): ConfigurationFault {
  return { httpStatus: 500, subStatus: 19, errorCode: ERROR_CODES.locked, message: LOCKED_SECTION_MESSAGE, section, ...element.position };
}

export function malformedFault(message: string, position: { file: string; line: number; column: number }, section?: string): ConfigurationFault {
  const fault: ConfigurationFault = { httpStatus: 500, subStatus: 19, errorCode: ERROR_CODES.malformed, message, ...position };
  if (section) fault.section = section;
  return fault;
}

export function duplicateEntryFault(message: string, section: string, element: RawElement): ConfigurationFault {
  return { httpStatus: 500, subStatus: 19, errorCode: ERROR_CODES.duplicateEntry, message, section, ...element.position };
}

/** Thrown inside the merge and caught by getEffectiveWebServerConfig. */
export class ConfigurationFaultError extends Error {
  constructor(readonly fault: ConfigurationFault) {
    super(`${fault.file}:${fault.line}:${fault.column}: HTTP 500.19 (${fault.errorCode}) ${fault.message}`);
  }
}
