// Runs inside a test network namespace (node via nsenter): `server HTTPPORT UDPPORT MARKER [ADDRESS]` answers
// HTTP with "MARKER <client address>" and echoes UDP as "MARKER <message> <client address>";
// `connect HOST PORT` prints what a TCP server there sends, or "error <code>".
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';

const [mode, first, second, marker, address = '0.0.0.0'] = process.argv.slice(2);

if (mode === 'server') {
  const server = http.createServer((request, response) => response.end(`${marker} ${request.socket.remoteAddress}`));
  const udp = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
  udp.on('message', (message, from) => udp.send(`${marker} ${message} ${from.address}`, from.port, from.address));
  let listening = 0;
  const ready = () => ++listening === 2 && process.stdout.write('ready\n');
  server.listen(Number(first), address, ready);
  udp.bind(Number(second), address, ready);
} else if (mode === 'connect') {
  const socket = net.connect(Number(second), first);
  let received = '';
  socket.setTimeout(3000, () => socket.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
  socket.on('data', (chunk) => (received += chunk));
  socket.on('end', () => process.stdout.write(received));
  socket.on('error', (error: NodeJS.ErrnoException) => process.stdout.write(`error ${error.code}`));
} else {
  process.stderr.write('usage: network-probe server HTTPPORT UDPPORT MARKER [ADDRESS] | connect HOST PORT\n');
  process.exitCode = 2;
}
