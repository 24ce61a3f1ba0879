export { createW3svc, type W3svc, type W3svcOptions } from './w3svc.js';
export { ListenerAdapter, type ListenerAdapterLinks } from './listener-adapter/listener-adapter.js';
export { SiteTable, SiteNotFoundError } from './sites/site-table.js';
export { buildUrlGroups } from './url-groups/build-url-groups.js';
