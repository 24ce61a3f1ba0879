// States as data: a transition table, one setter that logs every transition with its reason,
// and a guard that names the allowed states when an event arrives in the wrong one.
import type { Logger } from 'pino';

export interface Transition<S extends string, E extends string> {
  from: S | readonly S[];
  event: E;
  to: S;
}

export class InvalidTransitionError extends Error {
  readonly code = 'InvalidTransition';
  constructor(subject: string, state: string, event: string, allowed: readonly string[]) {
    super(`${subject}: ${event} is not allowed in state ${state} (allowed in: ${allowed.join(', ') || 'none'})`);
  }
}

export class StateMachine<S extends string, E extends string> {
  private current: S;
  private readonly table: Map<E, Array<{ from: readonly S[]; to: S }>>;

  constructor(
    private readonly subject: string,
    initial: S,
    transitions: ReadonlyArray<Transition<S, E>>,
    private readonly logger?: Logger,
    private readonly onTransition?: (from: S, to: S, event: E, reason: string) => void,
  ) {
    this.current = initial;
    this.table = new Map();
    for (const transition of transitions) {
      const from = (Array.isArray(transition.from) ? transition.from : [transition.from]) as readonly S[];
      const list = this.table.get(transition.event) ?? [];
      list.push({ from, to: transition.to });
      this.table.set(transition.event, list);
    }
  }

  get state(): S {
    return this.current;
  }

  can(event: E): boolean {
    return this.table.get(event)?.some((entry) => entry.from.includes(this.current)) ?? false;
  }

  /** Applies `event`; throws InvalidTransitionError naming the states where it is allowed. */
  fire(event: E, reason: string): S {
    const entries = this.table.get(event) ?? [];
    const entry = entries.find((candidate) => candidate.from.includes(this.current));
    if (!entry) {
      const allowed = [...new Set(entries.flatMap((candidate) => candidate.from))];
      throw new InvalidTransitionError(this.subject, this.current, event, allowed);
    }
    const from = this.current;
    this.current = entry.to;
    this.logger?.info({ from, to: entry.to, event, reason }, `${this.subject}: ${from} -> ${entry.to} (${reason})`);
    this.onTransition?.(from, entry.to, event, reason);
    return entry.to;
  }
}
