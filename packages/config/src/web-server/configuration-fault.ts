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

/** IIS's page says "Config Error: Lock violation"; `detail` names what was locked, for the log and the detailed page. */
export const LOCK_VIOLATION_MESSAGE = 'Lock violation';

export function lockViolationFault(section: string, element: RawElement, detail: string): ConfigurationFault {
  return { httpStatus: 500, subStatus: 19, errorCode: ERROR_CODES.locked, message: `${LOCK_VIOLATION_MESSAGE}: ${detail}`, section, ...element.position };
}

/** allowDefinition="MachineToApplication" (modules, isapiFilters) set in a folder below an application root. */
export function beyondApplicationFault(section: string, element: RawElement): ConfigurationFault {
  return {
    httpStatus: 500,
    subStatus: 19,
    errorCode: ERROR_CODES.locked,
    message: `${LOCKED_SECTION_MESSAGE} The section is registered with allowDefinition="MachineToApplication": it may be set only in an application's root web.config, not in a folder below it.`,
    section,
    ...element.position,
  };
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
