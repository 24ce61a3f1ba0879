// Builds a real ApplicationHostConfig (through packages/config) from a small applicationHost.config.
import { parseApplicationHostConfig, type ApplicationHostConfig } from '@poolhost/config';

export interface PoolFixture {
  name: string;
  /** Attributes of <add>, e.g. `startMode="AlwaysRunning"`. */
  attributes?: string;
  /** Children of <add>, e.g. `<processModel maxProcesses="3" />`. */
  children?: string;
}

export function configWithPools(pools: PoolFixture[]): ApplicationHostConfig {
  const poolXml = pools
    .map((pool) => `      <add name="${pool.name}" ${pool.attributes ?? ''}>${pool.children ?? ''}</add>`)
    .join('\n');
  const apps = pools
    .map((pool, index) =>
      index === 0
        ? `<application path="/" applicationPool="${pool.name}"><virtualDirectory path="/" physicalPath="/tmp" /></application>`
        : `<application path="/${pool.name.toLowerCase()}" applicationPool="${pool.name}"><virtualDirectory path="/" physicalPath="/tmp" /></application>`,
    )
    .join('\n');
  const text = `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools>
${poolXml}
    </applicationPools>
    <sites>
      <site name="Default Web Site" id="1">
        ${apps}
        <bindings><binding protocol="http" bindingInformation="*:8080:" /></bindings>
      </site>
      <site name="Second" id="2" serverAutoStart="false">
        <application path="/" applicationPool="${pools[0]!.name}"><virtualDirectory path="/" physicalPath="/tmp" /></application>
        <bindings><binding protocol="http" bindingInformation="127.0.0.1:8081:second.example" /></bindings>
      </site>
    </sites>
  </system.applicationHost>
</configuration>
`;
  return parseApplicationHostConfig(text, '/tmp/poolhost-test/applicationHost.config');
}
