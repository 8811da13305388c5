// A TCP proxy in front of the server, so that an end-to-end script can
// cut the browser's connection OUTSIDE chromium: chromium's own offline
// emulation does not reach a service worker's requests. Used by
// offline.mjs and entry.mjs.

import net from "node:net";

// A TCP proxy to the server: "open" passes bytes both ways, "refuse"
// resets every connection at once, "lose" passes requests on but resets
// the connection when the answer starts, "hold" passes requests on and
// never their answers. A change of mode ends every connection, so none
// keeps the old mode.
export function proxy(target) {
  const live = new Set();
  const state = { mode: "open", refused: 0, lost: 0, held: 0 };
  const end = (socket) => (socket.resetAndDestroy ? socket.resetAndDestroy() : socket.destroy());
  const server = net.createServer((client) => {
    if (state.mode === "refuse") {
      state.refused += 1;
      end(client);
      return;
    }
    const upstream = net.connect(target.port, target.hostname);
    const mode = state.mode;
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ]) {
      live.add(a);
      a.on("error", () => end(b));
      a.on("close", () => {
        live.delete(a);
        b.destroy();
      });
    }
    client.pipe(upstream);
    if (mode === "lose") {
      upstream.once("data", () => {
        state.lost += 1;
        end(client);
        upstream.destroy();
      });
    } else if (mode === "hold") {
      upstream.on("data", () => {
        state.held += 1;
      });
    } else {
      upstream.pipe(client);
    }
  });
  return {
    state,
    listen: () => new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port))),
    set(mode) {
      state.mode = mode;
      for (const socket of live) end(socket);
      live.clear();
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
