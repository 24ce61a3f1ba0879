// Builds a real ApplicationHostConfig (through packages/config) from a small applicationHost.config.
import { parseApplicationHostConfig, type ApplicationHostConfig } from '@poolhost/config';

export interface PoolFixture {
  name: string;
  /** Attributes of <add>, e.g. `startMode="AlwaysRunning"`. */
  attributes?: string;
  /** Children of <add>, e.g. `<processModel maxProcesses="3" />`. */
  children?: string;
}

export interface ConfigFixtureOptions {
  /** Physical path of every application (default /tmp). */
  physicalPath?: string;
  /** Extra <site> elements. */
  extraSites?: string;
  /** Which pool serves the root application of the first site (default: the first pool). */
  rootPool?: string;
  file?: string;
  /** `<applicationPools spareWorkers>`. */
  spareWorkers?: number;
}

export function configWithPools(pools: PoolFixture[], options: ConfigFixtureOptions = {}): ApplicationHostConfig {
  return parseApplicationHostConfig(applicationHostText(pools, options), options.file ?? '/tmp/poolhost-test/applicationHost.config');
}

export function applicationHostText(pools: PoolFixture[], options: ConfigFixtureOptions = {}): string {
  const physicalPath = options.physicalPath ?? '/tmp';
  const poolXml = pools
    .map((pool) => `      <add name="${pool.name}" ${pool.attributes ?? ''}>${pool.children ?? ''}</add>`)
    .join('\n');
  const apps = pools
    .map((pool, index) =>
      index === 0
        ? `<application path="/" applicationPool="${options.rootPool ?? pool.name}"><virtualDirectory path="/" physicalPath="${physicalPath}" /></application>`
        : `<application path="/${pool.name.toLowerCase()}" applicationPool="${pool.name}"><virtualDirectory path="/" physicalPath="${physicalPath}/${pool.name.toLowerCase()}" /></application>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools${options.spareWorkers !== undefined ? ` spareWorkers="${options.spareWorkers}"` : ''}>
${poolXml}
    </applicationPools>
    <sites>
      <site name="Default Web Site" id="1">
        ${apps}
        <bindings><binding protocol="http" bindingInformation="*:8080:" /></bindings>
      </site>
      <site name="Second" id="2" serverAutoStart="false">
        <application path="/" applicationPool="${pools[0]!.name}"><virtualDirectory path="/" physicalPath="${physicalPath}" /></application>
        <bindings><binding protocol="http" bindingInformation="127.0.0.1:8081:second.example" /></bindings>
      </site>
${options.extraSites ?? ''}
    </sites>
  </system.applicationHost>
</configuration>
`;
}
