// Local SIEM receivers for bench/audit-export.ts, run in a worker thread so that receiving does not share
// the exporter's event loop: Splunk HEC (HTTP), syslog TCP and TLS (octet counting) and UDP. Counts only.
import { parentPort, workerData } from 'node:worker_threads';
import { createServer as createHttp } from 'node:http';
import { createServer as createNet } from 'node:net';
import { createServer as createTls } from 'node:tls';
import { createSocket } from 'node:dgram';
import { gunzipSync } from 'node:zlib';
import { Buffer } from 'node:buffer';

const counts = { hec: 0, tcp: 0, tls: 0, udp: 0 };

function octetCounter(key) {
  return (socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      let offset = 0;
      for (;;) {
        const sp = buffer.indexOf(32, offset);
        if (sp < 0) break;
        const len = Number(buffer.toString('latin1', offset, sp));
        if (buffer.length < sp + 1 + len) break;
        counts[key]++;
        offset = sp + 1 + len;
      }
      buffer = buffer.subarray(offset);
    });
  };
}

const http = createHttp((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    let n = 1;
    for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) n++;
    counts.hec += n;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}');
  });
});
const tcp = createNet(octetCounter('tcp'));
const tls = createTls({ key: workerData.key, cert: workerData.cert }, octetCounter('tls'));
const udp = createSocket('udp4');
udp.on('message', () => counts.udp++);
udp.on('listening', () => {
  try {
    udp.setRecvBufferSize(8 * 1024 * 1024);
  } catch {
    // capped by net.core.rmem_max
  }
});

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const ports = { hec: await listen(http), tcp: await listen(tcp), tls: await listen(tls), udp: await new Promise((r) => udp.bind(0, '127.0.0.1', () => r(udp.address().port))) };
parentPort.postMessage({ ports });
parentPort.on('message', (m) => {
  if (m === 'counts') parentPort.postMessage({ counts: { ...counts } });
  if (m === 'reset') for (const k of Object.keys(counts)) counts[k] = 0;
  if (m === 'close') {
    http.closeAllConnections();
    for (const s of [http, tcp, tls]) s.close();
    udp.close();
    parentPort.close();
  }
});
