import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { constants, deflateRawSync, deflateSync } from "node:zlib";
import { encodeChunk, encodePng, encodeTextChunk } from "@atelier/diffusion/png";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFarm, type FarmFixture } from "../support/farm-fixture.ts";
import { residentMemoryMb } from "../support/memory-usage.ts";

// The dashboard shows an image's generation parameters by reading the PNG's
// text chunks from the bucket (GET /api/items/:id). What is in the bucket at
// an item's key may be anything an agent, or whoever holds a presigned URL,
// put there: a gigabyte, or a text chunk whose few megabytes of deflate
// inflate to gigabytes. The coordinator must answer, reading only the first
// bytes of the object and inflating only so far, and its memory must not grow
// with what the object claims.

const TOKEN = "png-bounds-admin-token-0123456789";
const MIB = 1024 * 1024;
const RSS_GROWTH_LIMIT_MB = 32;

/**
 * A zlib stream of about `mebibytes` MiB that inflates to roughly a thousand
 * times as many zeros: one flushed piece of deflated zeros repeated (each
 * piece stands alone, so the repetition is valid deflate), a final empty
 * block, and the Adler-32 of all those zeros.
 */
function deflateBomb(mebibytes: number): Buffer {
  const zeros = 64 * MIB;
  const piece = deflateRawSync(Buffer.alloc(zeros), { finishFlush: constants.Z_FULL_FLUSH });
  const pieces = Math.ceil((mebibytes * MIB) / piece.length);
  const adler = Buffer.alloc(4);
  // Adler-32 of n zero bytes: a stays 1, b adds 1 per byte.
  adler.writeUInt32BE(((((pieces * zeros) % 65_521) << 16) | 1) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0x9c]), ...Array.from({ length: pieces }, () => piece), Buffer.from([0x03, 0x00]), adler]);
}

/** A compressed iTXt chunk holding `bomb` as its text. */
function bombChunk(keyword: string, bomb: Buffer): Uint8Array {
  return encodeChunk("iTXt", Buffer.concat([Buffer.from(`${keyword}\0\x01\0\0\0`, "latin1"), bomb]));
}

/** A 64x64 PNG's signature and IHDR, `chunks`, then its image data and IEND. */
function pngWith(chunks: Uint8Array[]): Buffer {
  const png = encodePng(new Uint8Array(64 * 64 * 3), 64, 64);
  return Buffer.concat([png.subarray(0, 33), ...chunks, png.subarray(33)]);
}

describe("the dashboard's read of an image's parameters", () => {
  let farm: FarmFixture;
  let base: string;
  let cookie: string;
  const items = new Map<string, string>();

  /** PUTs `head` then zeros up to `totalBytes` at `key`, streamed: the test never holds the object. */
  async function putStreamed(key: string, head: Uint8Array, totalBytes: number): Promise<void> {
    const url = await farm.store.presignPut(key, { contentType: "image/png", expiresInMs: 600_000, contentLength: totalBytes });
    await new Promise<void>((resolve, reject) => {
      const put = request(url, { method: "PUT", headers: { "content-type": "image/png", "content-length": totalBytes } }, (response) => {
        response.resume();
        response.on("end", () => (response.statusCode! < 300 ? resolve() : reject(new Error(`PUT ${key} answered ${response.statusCode}`))));
      });
      put.on("error", reject);
      const zeros = Buffer.alloc(4 * MIB);
      let left = totalBytes - head.length;
      const more = () => {
        while (left > 0) {
          const piece = zeros.subarray(0, Math.min(left, zeros.length));
          left -= piece.length;
          if (!put.write(piece)) return void put.once("drain", more);
        }
        put.end();
      };
      put.write(head);
      more();
    });
  }

  /** An item of a finished batch whose output row points at `key`. */
  async function itemWithOutput(index: number, key: string, bytes: number): Promise<string> {
    const { db } = farm.database;
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO item (batch_id, index, prompt, seed, model, width, height, steps, guidance, sampler, state)
       VALUES ('bounds', $1::int, 'a red circle', $1::bigint, 'atelier-demo', 64, 64, 2, 7.5, 'euler', 'done') RETURNING id::text AS id`,
      [index],
    );
    await db.query(
      `INSERT INTO output (item_id, batch_id, key, sha256, bytes, width, height, agent_id, epoch) VALUES ($1, 'bounds', $2, $3, $4, 64, 64, 'bounds-gpu', 1)`,
      [row!.id, key, "0".repeat(64), bytes],
    );
    return row!.id;
  }

  beforeAll(async () => {
    farm = await startFarm({ coordinatorEnv: { ATELIER_ADMIN_TOKEN: TOKEN } });
    base = `http://127.0.0.1:${farm.httpPort}`;
    const { db } = farm.database;
    await db.query(`INSERT INTO tenant (id) VALUES ('studio') ON CONFLICT DO NOTHING`);
    await db.query(`INSERT INTO agent (id, name, providers, models) VALUES ('bounds-gpu', 'bounds-gpu', '{cpu}', '{atelier-demo}')`);
    await db.query(`INSERT INTO batch (id, tenant_id, name, state, defaults, total, done) VALUES ('bounds', 'studio', 'bounds', 'completed', '{}', 3, 3)`);

    // An honest image, to warm the route up and to show what an answer looks like.
    const honest = pngWith([encodeTextChunk("parameters", "a red circle\nSeed: 0")]);
    await farm.store.put("studio/bounds/00000000-0.png", honest, "image/png");
    items.set("honest", await itemWithOutput(0, "studio/bounds/00000000-0.png", honest.length));

    // 1 GiB: its parameters, then a 10 MiB iTXt that inflates to about 10 GiB, then zeros.
    const gigabyteHead = pngWith([encodeTextChunk("parameters", "a gigabyte behind me"), bombChunk("Comment", deflateBomb(10))]);
    await putStreamed("studio/bounds/00000001-1.png", gigabyteHead.subarray(0, gigabyteHead.length - 12), 1024 * MIB);
    items.set("gigabyte", await itemWithOutput(1, "studio/bounds/00000001-1.png", 1024 * MIB));

    // A bomb small enough to come whole in the first megabyte (0.9 MiB inflating to about 0.9 GiB), its parameters after it.
    const bomb = pngWith([bombChunk("Comment", deflateBomb(0.9)), encodeTextChunk("parameters", "after the bomb")]);
    await farm.store.put("studio/bounds/00000002-2.png", bomb, "image/png");
    items.set("bomb", await itemWithOutput(2, "studio/bounds/00000002-2.png", bomb.length));

    const session = await fetch(`${base}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base, "sec-fetch-site": "same-origin" },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(session.status).toBe(200);
    cookie = session.headers.get("set-cookie")!.split(";")[0]!;
  }, 300_000);
  afterAll(() => farm?.close());

  const parametersOf = async (name: string) => {
    const response = await fetch(`${base}/api/items/${items.get(name)}`, { headers: { cookie } });
    expect(response.status, name).toBe(200);
    return ((await response.json()) as { parameters: string | null }).parameters;
  };

  it("answers from the first bytes of a 1 GiB object and past a deflate bomb, and the coordinator's memory grows by less than 32 MB", async () => {
    const pid = farm.coordinator.child.pid!;
    expect(await parametersOf("honest")).toBe("a red circle\nSeed: 0");
    await sleep(500);
    const baselineMb = residentMemoryMb(pid).rssMb;
    let peakMb = baselineMb;
    const sampler = setInterval(() => (peakMb = Math.max(peakMb, residentMemoryMb(pid).rssMb)), 5);
    const started = performance.now();
    try {
      for (let round = 0; round < 3; round++) {
        expect(await parametersOf("gigabyte")).toBe("a gigabyte behind me");
        expect(await parametersOf("bomb")).toBe("after the bomb");
      }
    } finally {
      clearInterval(sampler);
    }
    peakMb = Math.max(peakMb, residentMemoryMb(pid).rssMb);
    const seconds = (performance.now() - started) / 1000;
    console.log(JSON.stringify({ pngTextBounds: { baselineMb: +baselineMb.toFixed(1), peakMb: +peakMb.toFixed(1), growthMb: +(peakMb - baselineMb).toFixed(1), seconds: +seconds.toFixed(2) } }));
    expect(peakMb - baselineMb).toBeLessThan(RSS_GROWTH_LIMIT_MB);
  });
});
