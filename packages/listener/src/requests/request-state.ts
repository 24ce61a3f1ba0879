// A listener request's states as data: one transition table, read by ListenerRequest's single setter
// (`ListenerRequest.move`). An event that is not in the table for the current state is ignored and
// reported as such (false): a worker frame, a client close or a timer that arrives after the request
// ended is normal, not an error.
//
//   Queued ──dispatch──▶ Dispatched ──respond──▶ Responding
//     ▲                      │                       │
//     └──────requeue─────────┘                       │
//   (worker lost, untouched: retried once)           │
//   Queued | Dispatched | Responding ──end──▶ Done ◀─┘
export const RequestState = {
  /** In its pool's queue, or held on its connection, waiting for a worker. */
  Queued: 0,
  /** A stream on a worker's data connection; no response byte yet. */
  Dispatched: 1,
  /** The worker's response has started towards the client. */
  Responding: 2,
  /** Completed, abandoned, cancelled, rejected or expired: nothing more happens to it. */
  Done: 3,
} as const;
export type RequestState = (typeof RequestState)[keyof typeof RequestState];

export const RequestEvent = {
  Dispatch: 0,
  Respond: 1,
  Requeue: 2,
  End: 3,
} as const;
export type RequestEvent = (typeof RequestEvent)[keyof typeof RequestEvent];

export const requestStateNames = ['Queued', 'Dispatched', 'Responding', 'Done'] as const;
export const requestEventNames = ['dispatch', 'respond', 'requeue', 'end'] as const;

const X = -1;

/** NEXT_STATE[state][event]: the state the event leads to, or -1 when the event does not apply. */
const NEXT_STATE: ReadonlyArray<ReadonlyArray<number>> = [
  //            dispatch              respond                requeue            end
  /* Queued */ [RequestState.Dispatched, X, X, RequestState.Done],
  /* Dispatched */ [X, RequestState.Responding, RequestState.Queued, RequestState.Done],
  /* Responding */ [X, X, X, RequestState.Done],
  /* Done */ [X, X, X, X],
];

/** The state `event` leads to from `state`, or null when the table has no such edge. */
export function nextRequestState(state: RequestState, event: RequestEvent): RequestState | null {
  const next = NEXT_STATE[state]![event]!;
  return next === X ? null : (next as RequestState);
}
