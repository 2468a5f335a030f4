// Starts a throwaway redis-server (the demo tour, the tests): a free loopback
// port, no persistence, stopped by its PID. scripts/setup.sh installs redis-server.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';

async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once `PING` answers `+PONG`; rejects after `ms`. */
async function waitForPong(port, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const answered = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setTimeout(200);
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const exited = once(child, 'exit');
  child.once('error', () => {});
  await waitForPong(port, 10_000);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid, 'SIGTERM');
      await exited;
    },
  };
}
