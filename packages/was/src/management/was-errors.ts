// Errors was answers management requests with, worded as IIS/appcmd words them.

export class WasError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export const wasErrors = {
  applicationPoolNotFound: (name: string) => new WasError('NotFound', `Cannot find APPPOOL object with identifier "${name}".`),
  // ERROR_SERVICE_ALREADY_RUNNING (hresult 80070420)
  alreadyStarted: () => new WasError('80070420', 'An instance of the service is already running.'),
  // ERROR_SERVICE_NOT_ACTIVE (hresult 80070426)
  notStarted: () => new WasError('80070426', 'The service has not been started.'),
  workerProcessNotFound: (pid: number) => new WasError('NotFound', `Cannot find WP object with identifier "${pid}".`),
  // WebhostRegisterProtocol: ERROR_ALREADY_EXISTS (hresult 800700b7) for a protocol already registered.
  listenerAdapterAlreadyRegistered: (protocol: string, pid: number) =>
    new WasError('800700b7', `Cannot create a file when that file already exists. (the ${protocol} listener adapter is already registered by process ${pid})`),
  // ERROR_NOT_FOUND (hresult 80070490): the protocol is not in <listenerAdapters>.
  listenerAdapterNotListed: (protocol: string) =>
    new WasError('80070490', `Element not found. (system.applicationHost/listenerAdapters lists no "${protocol}"; add <add name="${protocol}" /> to it)`),
  shuttingDown: () => new WasError('ShuttingDown', 'The Windows Process Activation Service is shutting down.'),
};
