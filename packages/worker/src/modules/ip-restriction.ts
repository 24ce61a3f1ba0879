// IpRestrictionModule, BeginRequest: `system.webServer/security/ipSecurity` — entries
// `<add ipAddress="10.0.0.0" subnetMask="255.0.0.0" allowed="false" />` checked in order, the first
// that contains the client address decides; none: `allowUnlisted`. A denied client gets what
// `denyAction` says: Forbidden 403.503 (IIS 8+; 403.6 on IIS 7), Unauthorized 401.503, NotFound
// 404.503, AbortRequest (connection cut).
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { RawElement } from '@poolhost/config';
import type { HttpContext } from '../pipeline/http-context.js';
import type { HttpModule } from '../pipeline/http-module.js';

interface Rule {
  list: BlockList;
  allowed: boolean;
}

function prefixLength(mask: string | undefined, family: 'ipv4' | 'ipv6'): number {
  const full = family === 'ipv4' ? 32 : 128;
  if (!mask) return full;
  if (/^\d+$/.test(mask)) return Math.min(full, Number(mask));
  if (isIPv4(mask)) return mask.split('.').reduce((bits, octet) => bits + (Number(octet) >>> 0).toString(2).replace(/0/g, '').length, 0);
  return full;
}

export function compileIpRules(section: RawElement | undefined): { rules: Rule[]; allowUnlisted: boolean; denyAction: string } | null {
  if (!section) return null;
  const allowUnlisted = (section.attributes.allowUnlisted ?? 'true').toLowerCase() !== 'false';
  const denyAction = section.attributes.denyAction ?? 'Forbidden';
  const rules: Rule[] = [];
  for (const entry of section.children.filter((child) => child.name === 'add')) {
    const address = entry.attributes.ipAddress ?? '';
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
    if (!family) continue;
    const list = new BlockList();
    list.addSubnet(address, prefixLength(entry.attributes.subnetMask, family), family);
    rules.push({ list, allowed: (entry.attributes.allowed ?? 'false').toLowerCase() === 'true' });
  }
  if (rules.length === 0 && allowUnlisted) return null;
  return { rules, allowUnlisted, denyAction };
}

export function isAddressAllowed(rules: Rule[], allowUnlisted: boolean, address: string): boolean {
  const mapped = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
  const family = isIPv4(mapped) ? 'ipv4' : 'ipv6';
  for (const rule of rules) if (rule.list.check(mapped, family)) return rule.allowed;
  return allowUnlisted;
}

export function ipRestrictionModule(section: RawElement | undefined): HttpModule | null {
  const compiled = compileIpRules(section);
  if (!compiled) return null;
  const { rules, allowUnlisted, denyAction } = compiled;
  const beginRequest = (context: HttpContext): void => {
    if (isAddressAllowed(rules, allowUnlisted, context.req.socket.remoteAddress ?? '')) return;
    switch (denyAction) {
      case 'AbortRequest':
        context.completeRequest();
        context.res.destroy();
        return;
      case 'Unauthorized':
        return context.sendError(401, 503);
      case 'NotFound':
        return context.sendError(404, 503);
      default:
        return context.sendError(403, 503);
    }
  };
  return { name: 'IpRestrictionModule', stages: { BeginRequest: beginRequest } };
}
