// A minimal HTTP service for the examples: 200 on / and /health (under BASE_PATH, e.g. /api, when
// a load balancer routes a path prefix to it), graceful stop on SIGTERM.
const http = require('node:http');

const port = Number(process.env.PORT ?? 8080);
const basePath = (process.env.BASE_PATH ?? '').replace(/\/+$/, '');
const server = http.createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && (path === `${basePath}/` || path === basePath || path === `${basePath}/health`)) {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(path.endsWith('/health') ? 'ok\n' : 'hello from ecs-service-kit\n');
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found\n');
});

server.listen(port, () => console.log(`listening on ${port}`));
// ECS sends SIGTERM before SIGKILL (stopTimeout): finish in-flight requests, then exit.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
