// WAS events with IIS's event ids, levels and wording (Microsoft-Windows-WAS, reference/iis.md §8.9).
// Placeholders are %1, %2, %3 as in the message templates.
import type { JournalEvent } from '@poolhost/protocol';

export interface EventTemplate {
  level: JournalEvent['level'];
  template: string;
  /** Events the worker side writes in IIS (Microsoft-Windows-IIS-W3SVC-WP); WAS's own have none. */
  source?: string;
}

export const wasEvents = {
  2299: {
    level: 'Warning',
    source: 'Microsoft-Windows-IIS-W3SVC-WP',
    template: 'An application has reported as being unhealthy. The worker process will now request a recycle. Reason given: %1. The data is the error.',
  },
  5002: {
    level: 'Error',
    template: "Application pool '%1' is being automatically disabled due to a series of failures in the process(es) serving that application pool.",
  },
  5048: {
    level: 'Warning',
    template: "The application '%2' belonging to site '%1' has an invalid AppPoolId '%3' set.  Therefore, the application will be ignored.",
  },
  5009: {
    level: 'Warning',
    template: "A process serving application pool '%1' terminated unexpectedly. The process id was '%2'. The process exit code was '%3'.",
  },
  5010: {
    level: 'Warning',
    template: "A process serving application pool '%1' failed to respond to a ping. The process id was '%2'.",
  },
  5011: {
    level: 'Warning',
    template:
      "A process serving application pool '%1' suffered a fatal communication error with the Windows Process Activation Service. The process id was '%2'. The data field contains the error number.",
  },
  5012: {
    level: 'Warning',
    template: "A process serving application pool '%1' exceeded time limits during start up. The process id was '%2'.",
  },
  5013: {
    level: 'Warning',
    template: "A process serving application pool '%1' exceeded time limits during shut down. The process id was '%2'.",
  },
  5074: {
    level: 'Information',
    template:
      "A worker process with process id of '%1' serving application pool '%2' has requested a recycle because the worker process reached its allowed processing time limit.",
  },
  5075: {
    level: 'Information',
    template:
      "A worker process with process id of '%1' serving application pool '%2' has requested a recycle because it reached its allowed request limit.",
  },
  5076: {
    level: 'Information',
    template:
      "A worker process with process id of '%1' serving application pool '%2' has requested a recycle because it reached its scheduled recycle time.",
  },
  5077: {
    level: 'Information',
    template:
      "A worker process with process id of '%1' serving application pool '%2' has requested a recycle because it reached its virtual memory limit.",
  },
  5078: {
    level: 'Information',
    template:
      "A worker process with process id of '%1' serving application pool '%2' has requested a recycle because an ISAPI extension reported itself unhealthy.",
  },
  5079: {
    level: 'Information',
    template: "An administrator has requested a recycle of all worker processes in application pool '%1'.",
  },
  5080: {
    level: 'Information',
    template:
      "The worker processes serving application pool '%1' are being recycled due to 1 or more configuration changes in the application pool properties which necessitate a restart of the processes.",
  },
  5025: {
    level: 'Warning',
    // The wording is from a field report (reference/iis-2.md §6), unverified.
    template: "Application pool '%1' exceeded its job limit settings.",
  },
  5093: {
    level: 'Warning',
    template: "WAS failed to overlap recycle for application pool '%1' worker process '%2'.",
  },
  5117: {
    level: 'Information',
    template:
      "A worker process serving application pool '%1' has requested a recycle because it reached its private bytes memory limit.",
  },
  // poolhost's own (IIS has no memory ceiling per pool): the kernel ended a process inside the pool's cgroup.
  5301: {
    level: 'Error',
    source: 'poolhost',
    template: "A process serving application pool '%1' was killed because the application pool reached its memory limit of %3 KB. The process id was '%2'.",
  },
  5172: {
    level: 'Error',
    template:
      "The Windows Process Activation Service encountered an error trying to read configuration data from file '%1', line number '%2'.  The error message is: '%3'.  The data field contains the error number.",
  },
  // poolhost's own (IIS cannot run on a cached copy across its own restart): shared configuration unusable / usable again.
  5302: {
    level: 'Warning',
    source: 'poolhost',
    template: "The shared configuration '%1' cannot be used: %2. This host keeps serving configuration generation %3, kept in '%4'.",
  },
  5303: {
    level: 'Information',
    source: 'poolhost',
    template: "The shared configuration '%1' is in force again: configuration generation %2.",
  },
  // poolhost's own (IIS ARR's drain is the balancer's, not the server's): `poolhost drain` / `undrain` on this host.
  5304: {
    level: 'Information',
    source: 'poolhost',
    template: 'The host is draining (poolhost drain): the health answers say drain; new connections are refused in %1 ms, then connections have %2 ms to finish.',
  },
  5305: {
    level: 'Information',
    source: 'poolhost',
    template: 'The host drained in %1 ms: no client connection left (%2 were open when the listeners closed).',
  },
  5306: {
    level: 'Warning',
    source: 'poolhost',
    template: 'The host drain was cut short at its deadline after %1 ms: %3 client connections were still open and were cut (%2 were open when the listeners closed).',
  },
  5307: {
    level: 'Information',
    source: 'poolhost',
    template: 'The host is undrained (poolhost undrain): listening on the bindings again; the health answers say ready.',
  },
  5186: {
    level: 'Information',
    template:
      "A worker process with process id of '%1' serving application pool '%2' was shutdown due to inactivity. Application Pool timeout configuration was set to %3 minutes. A new worker process will be started when needed.",
  },
} as const satisfies Record<number, EventTemplate>;

export type WasEventId = keyof typeof wasEvents;

/** Fills %1, %2, … with the given values, in order. */
export function formatEventMessage(eventId: WasEventId, values: ReadonlyArray<string | number>): string {
  return wasEvents[eventId].template.replace(/%(\d+)/g, (placeholder, index: string) => {
    const value = values[Number(index) - 1];
    return value === undefined ? placeholder : String(value);
  });
}
