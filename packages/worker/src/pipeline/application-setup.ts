// What compiling an application's pipeline starts from: where it lives, its site, and its effective
// system.webServer configuration (read once, at the application's root).
import type { Logger } from 'pino';
import type { ConfigurationFault, Site, WebServerConfig } from '@poolhost/config';
import type { WorkerServices } from './worker-services.js';

export interface VirtualDirectoryMapping {
  /** Relative to the application: `/` or `/a/b`. */
  path: string;
  physicalPath: string;
}

export interface ApplicationSetup {
  site: Site;
  /** `/` or `/a/b`. */
  path: string;
  applicationPool: string;
  /** The physical folder of the application's root virtual directory. */
  physicalPath: string;
  virtualDirectories: VirtualDirectoryMapping[];
  /** The effective configuration at the application root, or the 500.19 fault that prevents it. */
  config: WebServerConfig | null;
  fault: ConfigurationFault | null;
  logger: Logger;
  services: WorkerServices;
}
