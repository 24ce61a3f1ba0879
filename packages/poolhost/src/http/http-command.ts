// `poolhost http <verb> <object> [name=value …]`: netsh http's command family. `sslcert` edits the SSL
// store (sslcert/); `show cachestate [url=…]` and `delete cache [url=…] [recursive=yes|no]` ask the
// running httpsys about its kernel response cache (HttpFlushResponseCache for delete).
import { connectControlSocket, socketPath } from '@poolhost/protocol';
import { runSslCertCommand } from '../sslcert/sslcert-command.js';
import { formatCacheState } from './cache-state.js';

export interface HttpCommandOptions {
  verb: string;
  object: string;
  args: readonly string[];
  runDirectory: string;
  sslStoreFile: string;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

export async function runHttpCommand(options: HttpCommandOptions): Promise<number> {
  const out = options.stdout ?? ((text: string) => process.stdout.write(text));
  const err = options.stderr ?? ((text: string) => process.stderr.write(text));
  const object = options.object.toLowerCase();
  const verb = options.verb.toLowerCase();
  if (object === 'sslcert' && (verb === 'add' || verb === 'show' || verb === 'delete')) {
    return runSslCertCommand({ verb, args: options.args, storeFile: options.sslStoreFile, stdout: out, stderr: err });
  }
  const allowed = verb === 'show' && object === 'cachestate' ? ['url'] : verb === 'delete' && object === 'cache' ? ['url', 'recursive'] : null;
  if (allowed === null) {
    err(`The following command was not found: http ${verb} ${object}.\nCommands: http add|show|delete sslcert, http show cachestate, http delete cache.\n`);
    return 1;
  }
  const values = new Map<string, string>();
  for (const arg of options.args) {
    const equals = arg.indexOf('=');
    const name = equals > 0 ? arg.slice(0, equals).toLowerCase() : '';
    if (!allowed.includes(name)) {
      err(`The parameter "${equals > 0 ? name : arg}" is not valid for http ${verb} ${object}; use ${allowed.map((parameter) => `${parameter}=`).join(' ')}\n`);
      return 1;
    }
    values.set(name, arg.slice(equals + 1));
  }
  const recursive = (values.get('recursive') ?? 'no').toLowerCase();
  if (recursive !== 'yes' && recursive !== 'no') {
    err(`recursive=${recursive}: expected yes or no.\n`);
    return 1;
  }
  const path = socketPath(options.runDirectory, 'httpsys');
  let channel;
  try {
    channel = await connectControlSocket(path, { peer: 'httpsys', handlers: {} }, 2_000);
  } catch {
    err(`httpsys is not running (nothing answers on ${path})\n`);
    return 1;
  }
  try {
    const url = values.get('url');
    if (verb === 'show') {
      const state = await channel.request({ type: 'GetResponseCacheState', ...(url ? { url } : {}) }, 5_000);
      out(formatCacheState(state.entries));
    } else {
      const flushed = await channel.request({ type: 'FlushResponseCache', ...(url ? { url } : {}), recursive: recursive === 'yes' }, 5_000);
      out(`\nHTTP response cache flushed: ${flushed.flushedUris} URI(s)\n\n`);
    }
    return 0;
  } catch (error) {
    err(`httpsys did not answer: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    channel.close();
  }
}
