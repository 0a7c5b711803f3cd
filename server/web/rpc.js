// JSON-RPC 2.0 over the server's public WebSocket, as an anonymous website visitor.
// Reconnects by itself; listeners get "open" (each time it connects), "close" (its
// detail.opened says whether that connection ever opened) and "push".

export class RpcError extends Error {
  constructor(error) {
    super(error.message || "Something went wrong.");
    this.code = error.code;
    this.data = error.data || {};
  }
}

const LOST = { code: -1, message: "The connection to the booking service was lost. Trying again…" };

export class Rpc extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.nextId = 1;
    this.pending = new Map();
    this.waiting = [];
    this.connect();
  }

  connect() {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    let opened = false;
    ws.addEventListener("open", () => {
      opened = true;
      for (const message of this.waiting.splice(0)) ws.send(message);
      this.dispatchEvent(new Event("open"));
    });
    ws.addEventListener("message", (event) => this.receive(event.data));
    ws.addEventListener("close", () => {
      for (const { reject } of this.pending.values()) reject(new RpcError(LOST));
      this.pending.clear();
      this.dispatchEvent(new CustomEvent("close", { detail: { opened } }));
      setTimeout(() => this.connect(), 2000);
    });
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.method === "changes.push") {
      this.dispatchEvent(new CustomEvent("push", { detail: message.params }));
      return;
    }
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.error) waiter.reject(new RpcError(message.error));
    else waiter.resolve(message.result);
  }

  call(method, params = {}) {
    const id = this.nextId++;
    const message = JSON.stringify({ jsonrpc: "2.0", id, method, params });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(message);
      else this.waiting.push(message);
    });
  }
}
