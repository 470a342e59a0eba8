// A minimal HTTP service for the examples: 200 on / and /health, graceful stop on SIGTERM.
const http = require('node:http');

const port = Number(process.env.PORT ?? 8080);
const server = http.createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && (path === '/' || path === '/health')) {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(path === '/' ? 'hello from ecs-service-kit\n' : 'ok\n');
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found\n');
});

server.listen(port, () => console.log(`listening on ${port}`));
// ECS sends SIGTERM before SIGKILL (stopTimeout): finish in-flight requests, then exit.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
