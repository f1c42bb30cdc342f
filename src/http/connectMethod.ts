// Serves a CONNECT request like any other method, so it gets 404 or 405 as a problem instead of a closed connection.
import { ServerResponse, type IncomingMessage, type RequestListener } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { GatewayError } from '../errors/GatewayError';
import { endWithProblem } from './clientError';

/**
 * Node hands CONNECT (a request to open a tunnel) to a 'connect' listener with the bare socket, and closes the
 * connection without a word when there is none. The gateway tunnels nothing: a CONNECT to a path goes through the app
 * on a response bound to that socket (404, or 405 with Allow on a known path), one to a host:port has no route (404);
 * the connection closes after the answer, since what follows the head would be tunnel data.
 */
export const serveConnect = (app: RequestListener, logger: Logger, typeBase: string) =>
  (req: IncomingMessage, socket: Duplex): void => {
    socket.once('error', () => socket.destroy());
    if (!req.url?.startsWith('/')) {
      endWithProblem(socket, new GatewayError('GW.0404'), logger, typeBase, 'CONNECT to an authority');
      return;
    }
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.once('finish', () => {
      res.detachSocket(socket as Socket);
      socket.end();
    });
    app(req, res);
  };
