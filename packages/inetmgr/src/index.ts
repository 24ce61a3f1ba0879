export { createInetmgr, type Inetmgr, type InetmgrOptions } from './inetmgr.js';
