// BACKUP: copies of applicationHost.config in `backup/<name>/` next to it. Restore replaces the file
// atomically (a running poolhost picks the restored configuration up like any other edit).
import { existsSync, readdirSync, readFileSync, rmSync, statSync, copyFileSync } from 'node:fs';
import { createDirectoryTree } from '@poolhost/common';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '@poolhost/config';
import { AppcmdError, Errors, Win32 } from '../errors.js';
import type { AppcmdRecord } from '../output/record.js';
import { listVerb } from './list-verb.js';
import { propertyValue, type CommandContext, type ObjectTypeDefinition, type VerbDefinition } from './command-context.js';

export function backupFolder(configFile: string): string {
  return join(dirname(configFile), 'backup');
}

/** IIS's automatic backup name: local time as `yyyyMMddTHHmmss`. */
export function backupTimestamp(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}T${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`;
}

function backupFile(context: CommandContext, name: string): string {
  return join(backupFolder(context.configFile), name, basename(context.configFile));
}

export async function backupRecords(context: CommandContext): Promise<AppcmdRecord[]> {
  const folder = backupFolder(context.configFile);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => existsSync(join(folder, name, basename(context.configFile))))
    .sort()
    .map((name) => ({
      objectType: 'BACKUP',
      identifier: name,
      summary: undefined,
      properties: [['BACKUP.NAME', name]] as Array<[string, string]>,
      extraProperties: [['created', statSync(join(folder, name, basename(context.configFile))).mtime.toISOString()]] as Array<[string, string]>,
    }));
}

function nameOf(context: CommandContext): string | undefined {
  return context.identifier ?? propertyValue(context, 'name') ?? propertyValue(context, 'backup.name');
}

function existing(context: CommandContext): string {
  const name = nameOf(context);
  if (name === undefined) throw Errors.mustSpecify('BACKUP');
  const match = readdirSafe(backupFolder(context.configFile)).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  if (!match || !existsSync(backupFile(context, match))) throw Errors.cannotFind('BACKUP', name);
  return match;
}

function readdirSafe(folder: string): string[] {
  return existsSync(folder) ? readdirSync(folder) : [];
}

const add: VerbDefinition = {
  summary: 'Add new configuration backup',
  usage: ['<identifier>  backup name (default: the local time, yyyyMMddTHHmmss)'],
  async run(context) {
    const name = nameOf(context) ?? backupTimestamp(new Date());
    if (/[\\/]|^\.\.?$/.test(name)) throw Errors.invalidValue(`Invalid backup name "${name}"`);
    context.document(); // the file must exist and be well-formed
    const target = backupFile(context, name);
    if (existsSync(dirname(target))) {
      throw new AppcmdError('Cannot create a file when that file already exists.', Win32.alreadyExists, '800700b7');
    }
    createDirectoryTree(dirname(target));
    copyFileSync(context.configFile, target);
    context.write(`BACKUP object "${name}" added`);
  },
};

const remove: VerbDefinition = {
  summary: 'Delete configuration backup',
  usage: ['<identifier>  backup name'],
  async run(context) {
    const name = existing(context);
    rmSync(join(backupFolder(context.configFile), name), { recursive: true, force: true });
    context.write(`BACKUP object "${name}" deleted`);
  },
};

const restore: VerbDefinition = {
  summary: 'Restore configuration backup',
  usage: ['<identifier>  backup name'],
  async run(context) {
    const name = existing(context);
    writeFileAtomic(context.configFile, readFileSync(backupFile(context, name)));
    context.write(`Restored configuration from backup "${name}"`);
  },
};

export const backupObject: ObjectTypeDefinition = {
  name: 'BACKUP',
  aliases: ['backup', 'backups'],
  description: 'Administration of server configuration backups',
  verbs: {
    list: listVerb(backupRecords, ['<identifier>  backup name']),
    add,
    delete: remove,
    restore,
  },
};
