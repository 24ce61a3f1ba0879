import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';

export function quietLogger(lines: string[] = []) {
  return createLogger({
    service: 'poolhost',
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(String((JSON.parse(String(chunk)) as { msg: string }).msg));
        done();
      },
    }),
  });
}
