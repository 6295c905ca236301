/**
 * S7's peer on a static server of its own: the `@rocket.chat/livechat` build from
 * npm under /livechat (its loader, iframe document and chunks, as a Rocket.Chat
 * server serves them), and a host page at /host.html with Rocket.Chat's documented
 * embed snippet pointing at it. Anything else is 404, as the API of the Rocket.Chat
 * server that is not there.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILD = fileURLToPath(
  new URL('../../../node_modules/@rocket.chat/livechat/build/', import.meta.url),
);

export const LIVECHAT_LOADER = '/livechat/rocketchat-livechat.min.js';

/** The snippet of Rocket.Chat's Livechat installation page, with this site's URL. */
const HOST_PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Host site</title></head>
  <body>
    <h1>Host site</h1>
    <script type="text/javascript">
      (function (w, d, s, u) {
        w.RocketChat = function (c) { w.RocketChat._.push(c); };
        w.RocketChat._ = [];
        w.RocketChat.url = u;
        var h = d.getElementsByTagName(s)[0], j = d.createElement(s);
        j.async = true;
        j.src = u + '/rocketchat-livechat.min.js?_=201903270000';
        h.parentNode.insertBefore(j, h);
      })(window, document, 'script', location.origin + '/livechat');
    </script>
  </body>
</html>
`;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.html': 'text/html',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export type LivechatSite = { url: string; hostPage: string; close(): Promise<void> };

export async function startLivechatSite(): Promise<LivechatSite> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (path === '/host.html') return send(200, 'text/html', HOST_PAGE);
    // The widget's iframe is /livechat itself (index.html); its chunks are below it.
    const file =
      path === '/livechat' || path === '/livechat/'
        ? 'index.html'
        : path.startsWith('/livechat/')
          ? normalize(path.slice('/livechat/'.length))
          : null;
    if (file === null || file.startsWith('..')) return send(404, 'text/plain', 'not found');
    readFile(join(BUILD, file)).then(
      (body) => send(200, TYPES[extname(file)] ?? 'application/octet-stream', body),
      () => send(404, 'text/plain', 'not found'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    hostPage: `${url}/host.html`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
