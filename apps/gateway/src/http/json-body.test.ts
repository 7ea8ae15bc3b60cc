// The body is read by listeners on the request and one close callback on the response (core/on-close.ts):
// the same answers whether a body comes in one packet or in pieces, over the limit or not, encoded or not,
// and nothing more (no route, no answer) once the client is gone or an answer went out first.
import express from "express";
import { connect, type AddressInfo, type Socket } from "node:net";
import { gzipSync } from "node:zlib";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyGuard } from "./body-guard";
import { compose } from "./compose";
import { errorHandler } from "./error-handler";
import { jsonBody } from "./json-body";

const LIMIT = 256;
let port = 0;
let close = () => {};
const reached: string[] = [];

beforeAll(async () => {
  const app = express();
  app.use(compose([bodyGuard(LIMIT, 300), ...jsonBody(LIMIT)]));
  app.use((req, res) => {
    reached.push(req.url);
    res.json({ body: req.body });
  });
  app.use(errorHandler(pino({ level: "silent" })));
  const server = app.listen(0);
  await new Promise((r) => server.once("listening", r));
  port = (server.address() as AddressInfo).port;
  close = () => server.close();
});
afterAll(() => close());

interface Answer {
  status: number;
  connection?: string;
  body: string;
}

/** Sends the head and then each piece of the body (a pause between pieces); resolves with what came back before the socket closed or `waitMs`. */
function send(path: string, headers: Record<string, string | number>, pieces: Buffer[], pauseMs = 30, waitMs = 2_000): Promise<Answer | undefined> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, "127.0.0.1");
    let text = "";
    const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.1 (\d+)/.exec(text);
      if (!m) return resolve(undefined);
      const [h, b = ""] = text.split("\r\n\r\n");
      resolve({ status: Number(m[1]), connection: /\r\nconnection: ([^\r]+)/i.exec(h!)?.[1]?.toLowerCase(), body: b });
    };
    const timer = setTimeout(finish, waitMs);
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => (text += d));
    socket.on("close", finish);
    socket.on("error", () => undefined);
    socket.on("connect", async () => {
      if (pieces.length === 0) return void socket.write(head);
      // The first piece goes with the head, in one write (one packet on loopback).
      socket.write(Buffer.concat([Buffer.from(head, "latin1"), pieces[0]!]));
      for (const p of pieces.slice(1)) {
        await new Promise((r) => setTimeout(r, pauseMs));
        if (!socket.destroyed) socket.write(p);
      }
    });
  });
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const split = (b: Buffer, n: number) => Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, (i + 1) * n));
const chunked = (pieces: Buffer[]) => [...pieces.map((p) => Buffer.concat([Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from("\r\n")])), Buffer.from("0\r\n\r\n")];

describe("jsonBody", () => {
  const body = json({ model: "m", messages: [{ role: "user", content: "hi" }] });

  it("parses a body that comes with its head and one that comes in pieces alike", async () => {
    const whole = await send("/one", { "content-type": "application/json", "content-length": body.length }, [body]);
    const pieces = await send("/pieces", { "content-type": "application/json", "content-length": body.length }, split(body, 7), 5);
    const chunks = await send("/chunked", { "content-type": "application/json", "transfer-encoding": "chunked" }, chunked(split(body, 9)), 5);
    for (const a of [whole, pieces, chunks]) {
      expect(a?.status).toBe(200);
      expect(JSON.parse(a!.body)).toEqual({ body: JSON.parse(body.toString()) });
    }
  });

  it("answers 413 to a chunked body past the limit, in one packet or in pieces, and closes the connection", async () => {
    const big = Buffer.from(JSON.stringify({ pad: "x".repeat(LIMIT) }));
    const one = await send("/big-one", { "content-type": "application/json", "transfer-encoding": "chunked" }, [Buffer.concat(chunked([big]))]);
    const pieces = await send("/big-pieces", { "content-type": "application/json", "transfer-encoding": "chunked" }, chunked(split(big, 50)), 5);
    for (const a of [one, pieces]) {
      expect(a?.status).toBe(413);
      expect(a?.connection).toBe("close");
      expect(JSON.parse(a!.body).error.code).toBe("request_too_large");
    }
  });

  it("answers 413 to a gzip body that inflates past the limit, and parses one that does not", async () => {
    const bomb = gzipSync(Buffer.from(JSON.stringify({ pad: " ".repeat(LIMIT * 4) })));
    const a = await send("/bomb", { "content-type": "application/json", "content-encoding": "gzip", "content-length": bomb.length }, [bomb]);
    expect(a?.status).toBe(413);
    const small = gzipSync(body);
    const b = await send("/gzip", { "content-type": "application/json", "content-encoding": "gzip", "content-length": small.length }, split(small, 10), 5);
    expect(b?.status).toBe(200);
    expect(JSON.parse(b!.body)).toEqual({ body: JSON.parse(body.toString()) });
  });

  it("answers 408 to a body that stops coming, and never hands its late rest to the route", async () => {
    const a = await send("/late", { "content-type": "application/json", "content-length": body.length }, [body.subarray(0, 10), body.subarray(10)], 600);
    expect(a?.status).toBe(408);
    expect(a?.connection).toBe("close");
    await new Promise((r) => setTimeout(r, 400));
    expect(reached).not.toContain("/late");
  });

  it("neither answers nor reaches the route when the client leaves mid-body", async () => {
    const socket = connect(port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    socket.write(`POST /gone HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.subarray(0, 10).toString()}`);
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 400));
    expect(reached).not.toContain("/gone");
  });

  it("answers malformed JSON with 400 however it arrives", async () => {
    const bad = Buffer.from('{"model": "m",');
    for (const pieces of [[bad], split(bad, 4)]) {
      const a = await send("/bad", { "content-type": "application/json", "content-length": bad.length }, pieces, 5);
      expect(a?.status).toBe(400);
      expect(JSON.parse(a!.body).error.code).toBe("invalid_json");
    }
  });
});
