// A worker's role in its application pool. The pool alone assigns it (ApplicationPool.assignRole);
// WorkerRotation tells the pool when a recycle changes one, and nothing else keeps a copy.
import type { WorkerProcessRole } from '@poolhost/protocol';

/**
 * - `active`: takes requests (a demand start, AlwaysRunning, a promoted standby, a ready replacement).
 * - `standby`: loaded and attached to the queue, dispatched to only once httpsys promotes it after a
 *   crash (standbyWorker="true", poolhost extension).
 * - `replacement`: the new half of an overlapped recycle, starting; active once it reports WorkerReady.
 * - `retiring`: picked by a recycle. It serves until its replacement is ready (overlapped), then drains
 *   and exits; or it drains at once (non-overlapped). A replacement that never becomes ready makes it
 *   `active` again (5093).
 *
 * Every role but `standby` counts toward the pool's serving workers while the process is live.
 */
export type WorkerRole = WorkerProcessRole;
