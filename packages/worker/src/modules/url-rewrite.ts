// RewriteModule, BeginRequest: the subset of IIS URL Rewrite that iisnode applications use
// (docs/hosting.md) — `<rewrite><rules><rule name stopProcessing patternSyntax>`, `<match url
// ignoreCase negate>`, `<conditions logicalGrouping>` with `{SERVER_VARIABLE}` inputs and matchType
// Pattern / IsFile / IsDirectory, and the actions Rewrite, Redirect, CustomResponse, AbortRequest,
// None; back-references {R:n} and {C:n}. Rules match the URL path relative to the application,
// without its leading slash, as rules in an application's web.config do. A Rewrite changes the path
// the rest of the pipeline maps and serves; the Node application still sees the client's URL in
// req.url, as under iisnode.
import { statSync } from 'node:fs';
import type { RawElement } from '@poolhost/config';
import type { HttpContext } from '../pipeline/http-context.js';
import type { HttpModule } from '../pipeline/http-module.js';
import { resolveDotSegments } from '../pipeline/request-url.js';
import { serverVariable } from '../pipeline/server-variables.js';

interface Condition {
  input: string;
  matchType: 'Pattern' | 'IsFile' | 'IsDirectory';
  pattern: RegExp | null;
  negate: boolean;
}

interface Action {
  type: 'Rewrite' | 'Redirect' | 'CustomResponse' | 'AbortRequest' | 'None';
  url: string;
  appendQueryString: boolean;
  redirectType: number;
  statusCode: number;
  subStatusCode: number;
  statusReason: string;
}

export interface RewriteRule {
  name: string;
  /** The web.config file that declares the rule. */
  file: string;
  stopProcessing: boolean;
  match: RegExp;
  negate: boolean;
  conditions: Condition[];
  matchAny: boolean;
  action: Action;
}

const bool = (value: string | undefined, fallback: boolean): boolean => (value === undefined ? fallback : value.toLowerCase() === 'true');
const child = (element: RawElement, name: string): RawElement | undefined => element.children.find((candidate) => candidate.name === name);

function toRegex(pattern: string, syntax: string, ignoreCase: boolean): RegExp {
  const flags = ignoreCase ? 'i' : '';
  if (syntax.toLowerCase() === 'wildcard') {
    return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '(.*)').replaceAll('?', '(.)')}$`, flags);
  }
  if (syntax.toLowerCase() === 'exactmatch') return new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, flags);
  return new RegExp(pattern, flags);
}

const REDIRECT_TYPES: Record<string, number> = { permanent: 301, found: 302, seeother: 303, temporary: 307 };

export function compileRewriteRules(rules: RawElement | undefined): RewriteRule[] {
  if (!rules) return [];
  const defaultSyntax = 'ECMAScript';
  return rules.children
    .filter((element) => element.name === 'rule' && bool(element.attributes.enabled, true))
    .map((element) => {
      const syntax = element.attributes.patternSyntax ?? defaultSyntax;
      const match = child(element, 'match');
      const conditionsElement = child(element, 'conditions');
      const actionElement = child(element, 'action');
      const conditions: Condition[] = (conditionsElement?.children ?? [])
        .filter((entry) => entry.name === 'add')
        .map((entry) => {
          const matchType = (entry.attributes.matchType ?? 'Pattern') as Condition['matchType'];
          return {
            input: entry.attributes.input ?? '',
            matchType,
            pattern: matchType === 'Pattern' ? toRegex(entry.attributes.pattern ?? '.*', syntax, bool(entry.attributes.ignoreCase, true)) : null,
            negate: bool(entry.attributes.negate, false),
          };
        });
      const attributes = actionElement?.attributes ?? {};
      return {
        name: element.attributes.name ?? '',
        file: element.position.file,
        stopProcessing: bool(element.attributes.stopProcessing, false),
        match: toRegex(match?.attributes.url ?? '.*', syntax, bool(match?.attributes.ignoreCase, true)),
        negate: bool(match?.attributes.negate, false),
        conditions,
        matchAny: (conditionsElement?.attributes.logicalGrouping ?? 'MatchAll').toLowerCase() === 'matchany',
        action: {
          type: (attributes.type ?? 'None') as Action['type'],
          url: attributes.url ?? '',
          appendQueryString: bool(attributes.appendQueryString, true),
          redirectType: REDIRECT_TYPES[(attributes.redirectType ?? 'Permanent').toLowerCase()] ?? 301,
          statusCode: Number(attributes.statusCode ?? 0),
          subStatusCode: Number(attributes.subStatusCode ?? 0),
          statusReason: attributes.statusReason ?? '',
        },
      };
    });
}

/** Expands `{R:1}`, `{C:0}`, `{HTTP_HOST}`, `{REQUEST_FILENAME}` … in an input or action URL. */
function expand(template: string, context: HttpContext, ruleMatch: RegExpExecArray | null, conditionMatch: RegExpExecArray | null): string {
  return template.replace(/\{([^{}]+)\}/g, (_whole, name: string) => {
    const reference = /^([RC]):(\d+)$/i.exec(name);
    if (reference) {
      const source = reference[1]!.toUpperCase() === 'R' ? ruleMatch : conditionMatch;
      return source?.[Number(reference[2])] ?? '';
    }
    const fn = /^(ToLower|ToUpper|UrlEncode|UrlDecode):(.*)$/i.exec(name);
    if (fn) {
      const inner = fn[2]!;
      switch (fn[1]!.toLowerCase()) {
        case 'tolower':
          return inner.toLowerCase();
        case 'toupper':
          return inner.toUpperCase();
        case 'urlencode':
          return encodeURIComponent(inner);
        default:
          try {
            return decodeURIComponent(inner);
          } catch {
            return inner;
          }
      }
    }
    return serverVariable(context, name);
  });
}

function isKind(path: string, kind: 'IsFile' | 'IsDirectory'): boolean {
  try {
    const stats = statSync(path);
    return kind === 'IsFile' ? stats.isFile() : stats.isDirectory();
  } catch {
    return false;
  }
}

/**
 * `ruleBases`: web.config file → the URL of its folder. A rule from a folder's web.config matches the
 * URL relative to that folder (IIS URL Rewrite's distributed rules); others relative to the application.
 */
export function rewriteModule(rulesSection: RawElement | undefined, applicationPath: string, ruleBases?: ReadonlyMap<string, string>): HttpModule | null {
  const rules = compileRewriteRules(rulesSection);
  if (rules.length === 0) return null;
  const baseOf = (rule: RewriteRule): string => {
    const folder = ruleBases?.get(rule.file) ?? applicationPath;
    return folder === '/' ? '/' : `${folder}/`;
  };
  const bases = new Map(rules.map((rule) => [rule, baseOf(rule)]));
  const baseLengths = rules.map((rule) => bases.get(rule)!.length);

  const beginRequest = (context: HttpContext): void => {
    for (let index = 0; index < rules.length; index++) {
      const rule = rules[index]!;
      const input = context.path.slice(baseLengths[index]);
      const ruleMatch = rule.match.exec(input);
      if ((ruleMatch !== null) === rule.negate) continue;
      let conditionMatch: RegExpExecArray | null = null;
      let passed = !rule.matchAny || rule.conditions.length === 0;
      for (const condition of rule.conditions) {
        const value = expand(condition.input, context, ruleMatch, conditionMatch);
        let matched: boolean;
        if (condition.matchType === 'Pattern') {
          const result = condition.pattern!.exec(value);
          matched = result !== null;
          if (matched && !condition.negate) conditionMatch = result;
        } else {
          matched = isKind(value, condition.matchType);
        }
        if (condition.negate) matched = !matched;
        if (rule.matchAny && matched) {
          passed = true;
          break;
        }
        if (!rule.matchAny && !matched) {
          passed = false;
          break;
        }
      }
      if (!passed) continue;
      context.trace?.event('URL_REWRITE_START', { RuleName: rule.name, Action: rule.action.type });
      if (applyAction(context, rule, ruleMatch, conditionMatch)) return;
      if (rule.stopProcessing) return;
    }
  };

  /** True when the request is finished (redirect, custom response, abort). */
  function applyAction(context: HttpContext, rule: RewriteRule, ruleMatch: RegExpExecArray | null, conditionMatch: RegExpExecArray | null): boolean {
    const action = rule.action;
    switch (action.type) {
      case 'Rewrite': {
        const target = expand(action.url, context, ruleMatch, conditionMatch);
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
          context.sendError(502, 0, new Error(`rule "${rule.name}" rewrites to ${target}: rewriting to another server (ARR) is not supported`));
          return true;
        }
        const queryAt = target.indexOf('?');
        const targetPath = queryAt < 0 ? target : target.slice(0, queryAt);
        let query = context.query;
        if (queryAt >= 0) query = target.slice(queryAt + 1) + (action.appendQueryString && context.query ? `&${context.query}` : '');
        else if (!action.appendQueryString) query = '';
        let decoded = targetPath;
        try {
          decoded = decodeURIComponent(targetPath);
        } catch {
          // keep as written
        }
        const absolute = decoded.startsWith('/') ? decoded : `${bases.get(rule)!}${decoded}`;
        const resolved = resolveDotSegments(absolute);
        if (resolved === null) {
          context.sendError(400, 0);
          return true;
        }
        context.rewritePath(resolved, query);
        return false;
      }
      case 'Redirect': {
        let location = expand(action.url, context, ruleMatch, conditionMatch);
        if (action.appendQueryString && context.query) location += `${location.includes('?') ? '&' : '?'}${context.query}`;
        const res = context.res;
        res.statusCode = action.redirectType;
        res.setHeader('Location', location);
        res.setHeader('Content-Type', 'text/html; charset=UTF-8');
        res.end(`<head><title>Document Moved</title></head>\n<body><h1>Object Moved</h1>This document may be found <a HREF="${location.replace(/"/g, '&quot;')}">here</a></body>`);
        context.completeRequest();
        return true;
      }
      case 'CustomResponse':
        context.sendError(action.statusCode || 403, action.subStatusCode, action.statusReason ? new Error(action.statusReason) : undefined);
        return true;
      case 'AbortRequest':
        context.completeRequest();
        context.res.destroy();
        return true;
      default:
        return false;
    }
  }

  return { name: 'RewriteModule', stages: { BeginRequest: beginRequest } };
}
