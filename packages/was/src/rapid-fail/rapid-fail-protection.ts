// Rapid-fail protection as data: "rapidFailProtectionMaxCrashes failures within
// rapidFailProtectionInterval" disables the pool (IIS event 5002), like OTP's intensity/period.
import type { Clock } from '@poolhost/common';

export interface RapidFailPolicy {
  enabled: boolean;
  /** N: failures that trip protection. */
  maxFailures: number;
  /** T, ms: the sliding window the failures must fall into. */
  intervalMs: number;
}

export class RapidFailProtection {
  private failures: number[] = [];

  constructor(private policy: RapidFailPolicy, private readonly clock: Clock) {}

  updatePolicy(policy: RapidFailPolicy): void {
    this.policy = policy;
  }

  /** Failures counted inside the current window. */
  get count(): number {
    this.forgetExpired();
    return this.failures.length;
  }

  /** Counts one failure; true when this one trips protection (the window is then cleared). */
  recordFailure(): boolean {
    if (!this.policy.enabled) return false;
    this.forgetExpired();
    this.failures.push(this.clock.now());
    if (this.failures.length < Math.max(1, this.policy.maxFailures)) return false;
    this.failures = [];
    return true;
  }

  /** An administrator started the pool again: it starts with a clean slate. */
  reset(): void {
    this.failures = [];
  }

  private forgetExpired(): void {
    const oldest = this.clock.now() - this.policy.intervalMs;
    this.failures = this.failures.filter((time) => time > oldest);
  }
}
