import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startSite, requireDependency } from '../pipeline/pipeline-support.js';

const app = `
const express = ${requireDependency('express')};
const multer = ${requireDependency('multer')};
const crypto = require('node:crypto');
const upload = multer({ storage: multer.memoryStorage() });
const app = express();
app.post('/upload', upload.single('file'), (req, res) => {
  res.json({ field: req.body.title, name: req.file.originalname, size: req.file.size, sha256: crypto.createHash('sha256').update(req.file.buffer).digest('hex') });
});
module.exports = app;
`;

test('a multipart upload through Express + multer arrives whole', async () => {
  const site = await startSite({ files: { 'www/app.js': app } }, after);
  const file = randomBytes(3 * 1024 * 1024 + 17);
  const boundary = '----poolhost' + Date.now();
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nholiday photos\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const response = await site.get('/upload', { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body, timeoutMs: 20_000 });
  assert.equal(response.status, 200, response.text);
  assert.deepEqual(JSON.parse(response.text), {
    field: 'holiday photos',
    name: 'photo.bin',
    size: file.length,
    sha256: createHash('sha256').update(file).digest('hex'),
  });
});
