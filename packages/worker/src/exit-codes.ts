// How w3wp ends; was reads these.
export const WorkerExitCode = {
  /** Stopped on request (StopWorker, SIGTERM, was gone) after draining. */
  Stopped: 0,
  /** Startup failed (configuration, an application failed to load, ATTACH refused), or an application threw. */
  Failed: 1,
  /** The data connection to httpsys was lost: the worker can serve nothing any more (EX_TEMPFAIL). */
  DataConnectionLost: 75,
} as const;
