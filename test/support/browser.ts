// Headless Chromium (Debian's package, through playwright-core) and a one-page origin to load web apps from.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { ensureDebianPackage } from './ensureDebianPackage';

export interface ServedPage {
  server: Server;
  origin: string;
}

/** Serves `html` on every path of a new origin (127.0.0.1 on a free port). */
export const servePage = async (html: string): Promise<ServedPage> => {
  const server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

export const launchChromium = (): Promise<Browser> => {
  const { chromium: executablePath } = ensureDebianPackage({
    pkg: 'chromium',
    binaries: ['chromium'],
    howToInstall: 'Chromium is required for the browser tests: install it with `sudo apt-get install chromium` (Debian/Ubuntu)',
  });
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
};
