// WebSocket echo: `npm run example ws-echo`, then open http://localhost:3000/ in a browser (or connect a client to
// ws://localhost:3000/echo). Every message comes back with its opcode (text as text, binary as binary);
// permessage-deflate is on, messages up to exactly 16 MiB pass, and no subprotocol is ever selected.
import { respond, serve, type WebSocketHandler } from '../src/index.js';

const echo: WebSocketHandler = {
  perMessageDeflate: true,
  maxPayloadLength: 16 * 1024 * 1024,
  message(ws, message) {
    // A string goes back as text, a Buffer as binary; compressed when the client negotiated it and it pays.
    ws.send(message, true);
  },
};

const PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Sluice WebSocket echo</title>
<style>body { font: 16px system-ui, sans-serif; margin: 2em; } #log { white-space: pre-wrap; }</style>
<h1>WebSocket echo</h1>
<form id="form"><input id="text" value="hello" autocomplete="off"> <button>Send</button></form>
<p>Status: <span id="status">connecting</span> <span id="ext"></span></p>
<div id="log"></div>
<script>
const status = document.getElementById('status');
const log = document.getElementById('log');
const ws = new WebSocket(new URL('/echo', location.href.replace(/^http/, 'ws')));
ws.binaryType = 'arraybuffer';
const show = (line) => { log.textContent += line + '\\n'; };
ws.onopen = () => {
  status.textContent = 'open';
  document.getElementById('ext').textContent = ws.extensions ? '(' + ws.extensions + ')' : '';
  ws.send('hello from the browser');
  ws.send(new Uint8Array([1, 2, 3]));
};
ws.onmessage = (e) => show(typeof e.data === 'string' ? 'text: ' + e.data : 'binary: ' + new Uint8Array(e.data).join(','));
ws.onclose = (e) => { status.textContent = 'closed (' + e.code + ')'; };
document.getElementById('form').onsubmit = (e) => {
  e.preventDefault();
  ws.send(document.getElementById('text').value);
};
</script>
</html>
`;

const server = serve({ port: Number(process.env.PORT ?? 3000) }, (req) => {
  if (req.path === '/echo') return respond.upgrade(req, echo);
  if (req.path === '/') return respond(200, { 'content-type': 'text/html; charset=utf-8' }, PAGE);
  return respond.text(404, 'Not Found\n');
});
console.log(`ws-echo listening on http://localhost:${server.port}/ (WebSocket at ws://localhost:${server.port}/echo)`);
// Graceful: every socket gets close 1001 and the server waits for the closing handshakes.
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
