// The part of pidusage (https://github.com/soyuka/pidusage) inetmgr uses.
declare module 'pidusage' {
  interface Status {
    cpu: number;
    /** bytes: the resident set size */
    memory: number;
    ppid: number;
    pid: number;
    ctime: number;
    elapsed: number;
    timestamp: number;
  }
  function pidusage(pid: number): Promise<Status>;
  export default pidusage;
}
