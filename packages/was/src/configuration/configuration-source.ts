// Which configuration generation was runs and where it came from, for `poolhost status`, the health
// answers and the metrics. With a shared configuration (redirection.config) it also keeps the local
// cached copy of the last shared file that applied, and tells the event log when the shared file
// becomes unusable (unreachable, missing, or broken: the host keeps its running configuration) and
// when it is in force again. Each transition is written once, not at every poll. An edit of
// redirection.config that applies (was.ts) moves it to the file the edit names (redirected()).
import type { Logger } from '@poolhost/common';
import { configurationGeneration, sharedConfigurationCachePath, writeSharedConfigurationCache, type ConfigurationRedirection, type ServedConfiguration } from '@poolhost/config';
import type { ConfigurationState } from '@poolhost/protocol';
import type { EventLog } from '../event-log/event-log.js';

export interface ConfigurationSourceOptions {
  served: Pick<ServedConfiguration, 'localFile' | 'redirection' | 'source' | 'text' | 'problem'>;
  eventLog: EventLog;
  logger: Logger;
  now(): number;
}

export class ConfigurationSource {
  private redirection: ConfigurationRedirection | null;
  private state: ConfigurationState;

  constructor(private readonly options: ConfigurationSourceOptions) {
    const { served } = options;
    this.redirection = served.redirection;
    this.state = {
      generation: configurationGeneration(served.text),
      source: served.source,
      localFile: served.localFile,
      ...(served.redirection ? { sharedFile: served.redirection.sharedFile } : {}),
      ...(served.problem ? { problem: served.problem } : {}),
      appliedAt: new Date(options.now()).toISOString(),
    };
    if (served.source === 'shared') this.keepCopy(served.text);
    if (served.source === 'cached') this.writeUnusable(served.problem ?? 'unknown problem');
  }

  get current(): ConfigurationState {
    return this.state;
  }

  /** The file was watches for applicationHost.config changes: the shared one when redirected. */
  get watchedFile(): string {
    return this.redirection?.sharedFile ?? this.state.localFile;
  }

  /** Polling period of the shared file (undefined: local configuration, notifications only). */
  get pollingPeriodMs(): number | undefined {
    return this.redirection?.pollingPeriodMs;
  }

  /** enableUncPolling="true": the shared folder is polled, not watched. */
  get pollOnly(): boolean {
    return this.redirection?.enableUncPolling ?? false;
  }

  /** A configuration read from `text` is now in force (or the shared file came back unchanged). */
  applied(text: string): void {
    const generation = configurationGeneration(text);
    const recovered = this.state.source === 'cached' || this.state.problem !== undefined;
    const changed = generation !== this.state.generation;
    if (!changed && !recovered) return;
    this.state = {
      generation,
      source: this.redirection ? 'shared' : 'local',
      localFile: this.state.localFile,
      ...(this.redirection ? { sharedFile: this.redirection.sharedFile } : {}),
      appliedAt: changed ? new Date(this.options.now()).toISOString() : this.state.appliedAt,
    };
    if (!this.redirection) return;
    this.keepCopy(text);
    if (recovered) this.options.eventLog.write(5303, [this.redirection.sharedFile, generation]);
  }

  /** The redirection in force (null: the local file is served). */
  get currentRedirection(): ConfigurationRedirection | null {
    return this.redirection;
  }

  /**
   * redirection.config changed and its edit applied: `redirection` is in force (null: the local file), and,
   * when the file it names changed, the configuration read from `text` (null: only polling settings changed).
   */
  redirected(redirection: ConfigurationRedirection | null, text: string | null): void {
    this.redirection = redirection;
    if (text === null) return;
    this.state = {
      generation: configurationGeneration(text),
      source: redirection ? 'shared' : 'local',
      localFile: this.state.localFile,
      ...(redirection ? { sharedFile: redirection.sharedFile } : {}),
      appliedAt: new Date(this.options.now()).toISOString(),
    };
    this.keepCopy(text);
  }

  /**
   * The shared file cannot be read (`line` 0) or does not load: the running configuration stays, served
   * as the cached copy. A local file that does not load only sets `problem` (was logs it already).
   */
  unusable(problem: string, line = 0): void {
    if (problem === this.state.problem) return;
    this.state = { ...this.state, problem, ...(this.redirection ? { source: 'cached' as const } : {}) };
    if (!this.redirection) return;
    this.options.eventLog.write(5172, [this.redirection.sharedFile, line, problem]);
    this.writeUnusable(problem);
  }

  private writeUnusable(problem: string): void {
    if (!this.redirection) return;
    this.options.eventLog.write(5302, [this.redirection.sharedFile, problem, this.state.generation, sharedConfigurationCachePath(this.redirection)]);
  }

  private keepCopy(text: string): void {
    if (!this.redirection) return;
    try {
      if (writeSharedConfigurationCache(this.redirection, text)) {
        this.options.logger.info({ file: sharedConfigurationCachePath(this.redirection) }, `cached copy of the shared configuration updated (generation ${configurationGeneration(text)})`);
      }
    } catch (error) {
      // The configuration still applies; only a restart while the share is down would miss the copy.
      this.options.logger.error({ err: error }, `the cached copy of the shared configuration could not be written: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
