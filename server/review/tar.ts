// A .tar.gz of regular files (ustar), streamed: files are read in chunks, never whole.
import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const BLOCK = 512;

function header(name: string, size: number, mtime: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`a name longer than 100 bytes cannot go in the archive: ${name}`);
  const h = Buffer.alloc(BLOCK);
  const field = (value: string, at: number, len: number) => h.write(value, at, len, 'utf8');
  const octal = (n: number, at: number, len: number) => field(`${n.toString(8).padStart(len - 1, '0')}\0`, at, len);
  field(name, 0, 100);
  octal(0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(Math.floor(mtime / 1000), 136, 12);
  h.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  field('0', 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

/** Writes `archive` holding each file under its name (in order). */
export async function writeTarGz(archive: string, files: { name: string; path: string }[]): Promise<void> {
  async function* entries(): AsyncGenerator<Buffer> {
    for (const f of files) {
      const st = fs.statSync(f.path);
      yield header(f.name, st.size, st.mtimeMs);
      let n = 0;
      for await (const chunk of fs.createReadStream(f.path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        n += chunk.length;
        yield chunk;
      }
      if (n !== st.size) throw new Error(`${f.path} changed while it was archived`);
      if (n % BLOCK) yield Buffer.alloc(BLOCK - (n % BLOCK));
    }
    yield Buffer.alloc(BLOCK * 2);
  }
  await pipeline(entries, createGzip({ level: 6 }), fs.createWriteStream(archive));
}
