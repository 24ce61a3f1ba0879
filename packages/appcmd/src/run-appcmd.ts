// The whole of appcmd behind one function, so tests can run it in-process: words in, text and an exit
// code out. main.ts only wires it to argv, stdin, stdout and the environment.
import { existsSync } from 'node:fs';
import { ConfigLockTimeoutError, lockConfigFile, type ApplicationHostConfig, type ConfigDocument, type ConfigLock } from '@poolhost/config';
import { resolveRunDirectory } from '@poolhost/protocol';
import { AppcmdError, Errors } from './errors.js';
import { commitConfigDocument, modelOf, openConfigDocument, resolveConfigFile } from './configuration/config-file.js';
import { objectHelp, topLevelHelp, verbHelp } from './help.js';
import { parseInputXml, type InputRecord } from './input/read-input.js';
import type { CommandContext } from './objects/command-context.js';
import { findObjectType, OBJECT_TYPES } from './objects/registry.js';
import type { OutputOptions } from './output/render-list.js';
import { createRuntimeClient, type RuntimeClient } from './runtime/runtime-client.js';
import { CommandLineError, parseCommandLine, type Parameter } from './syntax/command-line.js';

export interface AppcmdEnvironment {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whole standard input, read only for `/in`. */
  readStdin(): Promise<string>;
  write(text: string): void;
  /** Overrides how the running services are reached (tests). */
  runtime?: RuntimeClient;
}

/** General parameters (reference §9.1); the rest are object properties and filters. */
const GENERAL = new Set(['text', 'xml', 'in', 'config', 'metadata', 'commit', 'apphostconfig', 'debug', 'section']);

function splitGeneral(parameters: Parameter[]): { general: Map<string, string | undefined>; properties: Parameter[] } {
  const general = new Map<string, string | undefined>();
  const properties: Parameter[] = [];
  for (const parameter of parameters) {
    const lower = parameter.name.toLowerCase();
    if (!parameter.escaped && parameter.operation === 'set' && GENERAL.has(lower)) general.set(lower, parameter.value);
    else properties.push(parameter);
  }
  return { general, properties };
}

function outputOptions(general: Map<string, string | undefined>): OutputOptions {
  const config = general.has('config') ? (general.get('config') === '*' ? 'all' : 'explicit') : 'none';
  const text = general.get('text');
  return { xml: general.has('xml'), config, ...(text !== undefined ? { text } : {}) };
}

export async function runAppcmd(words: readonly string[], environment: AppcmdEnvironment): Promise<number> {
  const lines: string[] = [];
  const write = (line: string): void => {
    lines.push(line);
  };
  const flush = (): void => {
    if (lines.length) environment.write(`${lines.join('\n')}\n`);
    lines.length = 0;
  };
  try {
    const exitCode = await dispatch(words, environment, write);
    flush();
    return exitCode;
  } catch (error) {
    flush();
    if (error instanceof AppcmdError) {
      environment.write(error.render());
      return error.exitCode;
    }
    throw error;
  }
}

async function dispatch(words: readonly string[], environment: AppcmdEnvironment, write: (line: string) => void): Promise<number> {
  if (words.length === 0) {
    topLevelHelp(OBJECT_TYPES).forEach(write);
    return 87 & 0xff;
  }
  let line;
  try {
    line = parseCommandLine(words);
  } catch (error) {
    if (error instanceof CommandLineError) throw Errors.badParameter(error.message);
    throw error;
  }
  if (line.help && line.verb === '') {
    topLevelHelp(OBJECT_TYPES).forEach(write);
    return 0;
  }
  if (line.help && line.objectType === '' && findObjectType(line.verb)) {
    objectHelp(findObjectType(line.verb)!).forEach(write);
    return 0;
  }
  const object = findObjectType(line.objectType);
  if (!object) {
    const bare = line.objectType === '' ? findObjectType(line.verb) : undefined;
    if (bare) throw Errors.commandNotSupported('', bare.name);
    throw Errors.objectNotSupported(line.objectType || line.verb);
  }
  const verb = object.verbs[line.verb];
  if (!verb) throw Errors.commandNotSupported(line.verb, object.name);
  if (line.help) {
    verbHelp(line.verb, object).forEach(write);
    return 0;
  }

  const { general, properties } = splitGeneral(line.parameters);
  const runtime = environment.runtime ?? createRuntimeClient({ runDirectory: resolveRunDirectory(undefined, environment.env) });
  const configFile = await resolveConfigFile(general.get('apphostconfig'), environment.env, environment.cwd, runtime);
  let input: InputRecord[] | undefined;
  if (general.has('in')) input = parseInputXml(await environment.readStdin());

  let document: ConfigDocument | undefined;
  let model: ApplicationHostConfig | undefined;
  // Held from the first read of the configuration to the end of the command, so that appcmd
  // processes editing at once apply their changes one after the other and none is lost.
  let lock: ConfigLock | undefined;
  const context: CommandContext = {
    verb: line.verb,
    objectType: object.name,
    identifier: line.identifier,
    properties,
    general,
    output: outputOptions(general),
    configFile,
    env: environment.env,
    runtime,
    input,
    document() {
      if (!document && existsSync(configFile)) {
        try {
          lock ??= lockConfigFile(configFile);
        } catch (error) {
          if (error instanceof ConfigLockTimeoutError) throw Errors.commitFailed(error.message);
          throw error;
        }
      }
      document ??= openConfigDocument(configFile);
      return document;
    },
    model() {
      model ??= modelOf(this.document(), environment.env);
      return model;
    },
    commit() {
      commitConfigDocument(this.document(), environment.env);
      model = undefined;
    },
    write,
  };
  try {
    await verb.run(context);
  } finally {
    lock?.release();
  }
  return 0;
}
