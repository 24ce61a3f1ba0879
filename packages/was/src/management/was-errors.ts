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
  shuttingDown: () => new WasError('ShuttingDown', 'The Windows Process Activation Service is shutting down.'),
};
