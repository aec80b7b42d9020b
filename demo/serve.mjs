// Serves the built demo (build/demo) on 127.0.0.1 only; nothing outside that folder is reachable.
// Usage: npm run demo   (PORT=8080 by default)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../build/demo/', import.meta.url));
const port = Number(process.env.PORT ?? 8080);
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.csv': 'text/csv', '.map': 'application/json' };

const server = createServer(async (request, response) => {
  const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
  const file = normalize(join(root, path === '/' ? 'index.html' : path));
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) {
    response.writeHead(403).end();
    return;
  }
  try {
    const body = await readFile(file);
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    response.writeHead(404).end();
  }
});
server.on('error', (error) => {
  console.error(`demo server failed: ${error.message}; set PORT to a free port`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => console.log(`demo at http://127.0.0.1:${port}/ (Ctrl+C stops it)`));
