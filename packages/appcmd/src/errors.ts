// Every error appcmd prints, in IIS's wording (reference §9.3), with the exit code IIS would return.
// IIS exits with the Win32 code of the failure (1168 not found, 183 already exists, 87 invalid
// parameter, 13 invalid data …). Linux keeps only the low 8 bits of an exit status, so the code a
// shell sees is `win32 & 0xff` (1168 → 144, 4312 → 216), never 0 for a failure.

export const Win32 = {
  invalidData: 13,
  notSupported: 50,
  invalidParameter: 87,
  alreadyExists: 183,
  notFound: 1168,
  objectNotFound: 4312,
  serviceNotActive: 1062,
  serviceAlreadyRunning: 1056,
  functionFailed: 1627,
  accessDenied: 5,
} as const;

export function exitCodeOf(win32: number): number {
  const low = win32 & 0xff;
  return low === 0 ? 1 : low;
}

export class AppcmdError extends Error {
  constructor(
    message: string,
    readonly win32: number,
    /** 8 hex digits, e.g. `800710d8`; the output then takes the `Command execution failed.` form. */
    readonly hresult?: string,
    /** Printed as is instead of `ERROR ( … )` (appcmd's usage errors are plain text). */
    readonly plain = false,
  ) {
    super(message);
  }

  get exitCode(): number {
    return exitCodeOf(this.win32);
  }

  /** The text appcmd prints, ending with a newline. */
  render(): string {
    if (this.plain) return `${this.message}\n`;
    if (this.hresult) return `ERROR ( hresult:${this.hresult}, message:Command execution failed.\n${this.message}\n )\n`;
    return `ERROR ( message:${this.message} )\n`;
  }
}

const hresultOf = (win32: number): string => ((0x80070000 | win32) >>> 0).toString(16).padStart(8, '0');

export const Errors = {
  objectNotSupported: (objectType: string) =>
    new AppcmdError(`Object '${objectType.toUpperCase()}' is not supported.  Run 'appcmd /?' to display supported objects.`, Win32.invalidParameter, undefined, true),
  commandNotSupported: (verb: string, objectType: string) =>
    new AppcmdError(
      `Command '${verb.toUpperCase()}' is not supported on object '${objectType}'. Run 'appcmd ${objectType} /?'\nto display supported commands.`,
      Win32.invalidParameter,
      undefined,
      true,
    ),
  mustSpecify: (objectType: string) => new AppcmdError(`Must specify the ${objectType} object with identifier.`, Win32.invalidParameter),
  /** IIS's own spelling ("identifer"). */
  mustUseExactIdentifier: (objectType: string, verb: string) =>
    new AppcmdError(`Must use exact identifer for ${objectType} object with verb ${verb.toUpperCase()}.`, Win32.invalidParameter),
  cannotFind: (objectType: string, identifier: string) =>
    new AppcmdError(`Cannot find ${objectType} object with identifier "${identifier}".`, Win32.notFound),
  cannotFindElement: () => new AppcmdError('Cannot find requested collection element.', Win32.notFound),
  duplicate: (identifier: string) => new AppcmdError(`Failed to add duplicate collection element "${identifier}".`, Win32.alreadyExists),
  unknownAttribute: (name: string) => new AppcmdError(`Unknown attribute "${name}".  Replace with -? for help.`, Win32.invalidParameter),
  missingRequired: (attributes: string) => new AppcmdError(`New add object missing required attributes. ${attributes}`, Win32.invalidParameter),
  invalidValue: (detail: string) => new AppcmdError(detail, Win32.invalidParameter, hresultOf(Win32.invalidParameter)),
  badParameter: (detail: string) => new AppcmdError(`Failed to process input: ${detail}`, Win32.invalidParameter),
  invalidInput: () => new AppcmdError('The data is invalid.', Win32.invalidData, hresultOf(Win32.invalidData)),
  configInvalid: (detail: string) => new AppcmdError(`Configuration error\n${detail}`, Win32.invalidData, hresultOf(Win32.invalidData)),
  commitFailed: (detail: string) => new AppcmdError(`Failed to commit configuration changes.\n${detail}`, Win32.accessDenied, 'c00cee2b'),
  /** The services cannot be reached (no poolhost running for this run directory). */
  serviceUnavailable: () =>
    new AppcmdError('The object identifier does not represent a valid object.', Win32.objectNotFound, hresultOf(Win32.objectNotFound)),
  alreadyRunning: () => new AppcmdError('An instance of the service is already running.', Win32.serviceAlreadyRunning, hresultOf(Win32.serviceAlreadyRunning)),
  notStarted: () => new AppcmdError('The service has not been started.', Win32.serviceNotActive, hresultOf(Win32.serviceNotActive)),
  /** The service answered with an error of its own. */
  runtimeFailed: (detail: string) => new AppcmdError(detail, Win32.functionFailed, hresultOf(Win32.functionFailed)),
} as const;
