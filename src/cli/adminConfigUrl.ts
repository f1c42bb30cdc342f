// Where `diff` reads the running configuration: the gateway's URL as given, with /admin/config appended.
import { CliFailure } from './CliFailure';

/** The gateway's base URL (a path prefix is kept, for a gateway behind a proxy) with /admin/config appended. */
export const adminConfigUrl = (against: string): URL => {
  if (!URL.canParse(against)) throw new CliFailure('--against must be the gateway\'s URL, e.g. http://127.0.0.1:8080');
  const url = new URL(against);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliFailure('--against must be an http:// or https:// URL');
  if (url.username !== '' || url.password !== '') throw new CliFailure('--against must not carry user:password@ (give the token with --token-file or GATEWAY_ADMIN_TOKEN)');
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/admin/config`;
  url.search = '';
  url.hash = '';
  return url;
};
