// sluice/websocket: RFC 6455 WebSockets with permessage-deflate (RFC 7692), on the engine's upgrade hand-off.

// ** Upgrading a request
export { upgradeWebSocket, tryUpgrade, isWebSocketUpgrade } from './upgrade.js';
export { respond } from './respond.js';
export type { Respond, RespondUpgrade } from './respond.js';
export type { UpgradeOptions, WebSocketUpgrade } from './upgrade.js';
export type { UpgradeRequest, HandshakeErrorCode, RefusedHandshake, ProtocolChoice } from './handshake.js';
export { ProtocolChoiceError } from './handshake.js';

// ** Handlers and the socket
export type { WebSocketHandler, PerMessageDeflateOptions } from './options.js';
export { WebSocketOptionError, topicsOf } from './options.js';
export { ServerWebSocket } from './websocket.js';
export type { SendOptions } from './websocket.js';
export type { MessageData } from './outgoing.js';
export { ControlPayloadError } from './socket-writer.js';

// ** Pub/sub
export { Topics, defaultTopics } from './topics.js';

// ** Close codes and errors
export { CloseCodes, WebSocketError, CloseArgumentError, isValidCloseCode } from './close.js';
export type { CloseCode, CloseFrame, WebSocketErrorCode } from './close.js';

// ** The engine contract it runs on (server/types.ts)
export type { UpgradedIO, UpgradedListener, UpgradeResponse } from '../server/index.js';

// ** Wire-level pieces (frames as a conduit, for custom protocols and tests)
export { receiveMessages } from './messages.js';
export type { Received, ReceiverOptions, PingPong, CloseReceived } from './messages.js';
export type { MessageDecompressor } from './permessage-deflate.js';
export { parseFrameHeader, writeFrameHeader, frameHeaderLength, FrameHeader } from './frame.js';
export type { FrameParse, FrameError, FrameRules } from './frame.js';
