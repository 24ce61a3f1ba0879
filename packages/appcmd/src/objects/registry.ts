// Every object type appcmd knows, in the order `appcmd /?` lists them.
import { appObject } from './app.js';
import { apppoolObject } from './apppool.js';
import { backupObject } from './backup.js';
import { configObject } from './config.js';
import { moduleObject } from './module.js';
import { requestObject } from './request.js';
import { siteObject } from './site.js';
import { traceObject } from './trace.js';
import { vdirObject } from './vdir.js';
import { wpObject } from './wp.js';
import type { ObjectTypeDefinition } from './command-context.js';

export const OBJECT_TYPES: ObjectTypeDefinition[] = [siteObject, appObject, vdirObject, apppoolObject, configObject, wpObject, requestObject, moduleObject, backupObject, traceObject];

export function findObjectType(word: string): ObjectTypeDefinition | undefined {
  const lower = word.toLowerCase();
  return OBJECT_TYPES.find((object) => object.aliases.includes(lower));
}
