// A TCP proxy in front of the server, so that an end-to-end script can
// cut the browser's connection OUTSIDE chromium: chromium's own offline
// emulation does not reach a service worker's requests. Used by
// offline.mjs and entry.mjs; measure-kpps.mjs uses it as a slow link
// (bandwidth and round-trip time) and counts the bytes it carries.

import net from "node:net";

// A TCP proxy to the server: "open" passes bytes both ways, "refuse"
// resets every connection at once, "lose" passes requests on but resets
// the connection when the answer starts, "hold" passes requests on and
// never their answers. A change of mode ends every connection, so none
// keeps the old mode. `state.up` and `state.down` count the bytes passed
// to the server and back. `link({kbps, rttMs})` makes the proxy a slow
// phone link: each direction is one line of `kbps` kilobits a second
// shared by every connection (as a phone's radio is), and each chunk
// arrives half the round-trip time after the line has carried it.
export function proxy(target) {
  const live = new Set();
  const state = { mode: "open", refused: 0, lost: 0, held: 0, up: 0, down: 0 };
  let slow = null;
  // When each direction's line is next free (ms, performance.now()).
  const free = { up: 0, down: 0 };
  // Passes `from`'s bytes to `to`, counted under `dir`, over the slow
  // link when there is one.
  const carry = (from, to, dir) =>
    from.on("data", (chunk) => {
      state[dir] += chunk.length;
      if (!slow) {
        to.write(chunk);
        return;
      }
      const now = performance.now();
      free[dir] = Math.max(now, free[dir]) + (chunk.length * 8) / slow.kbps;
      setTimeout(() => to.writable && to.write(chunk), free[dir] - now + slow.rttMs / 2);
    });
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
        // On a slow link, what is still on the line arrives first.
        const wait = slow ? Math.max(free.up, free.down) - performance.now() + slow.rttMs : 0;
        setTimeout(() => b.destroy(), Math.max(0, wait));
      });
    }
    carry(client, upstream, "up");
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
      carry(upstream, client, "down");
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
    link(options) {
      slow = options;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
