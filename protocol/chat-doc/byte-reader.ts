/**
 * A bounded reader and writer for the lib0 variable-length encoding that
 * y-protocols uses (unsigned LEB128 integers, length-prefixed bytes and UTF-8
 * strings). Reading untrusted bytes never throws: every read reports failure
 * instead, so the wire and awareness decoders can return coded refusals.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Out = new TextEncoder();

export class ByteReader {
  #pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.#pos >= this.bytes.length;
  }

  /** An unsigned integer up to 2^53 - 1, or null when the bytes end or it is too big. */
  varUint(): number | null {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.bytes[this.#pos++];
      if (byte === undefined) return null;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value <= Number.MAX_SAFE_INTEGER ? value : null;
      scale *= 128;
    }
    return null;
  }

  /** A length-prefixed byte string (a view, not a copy), at most `max` bytes. */
  varBytes(max: number): Uint8Array | null {
    const length = this.varUint();
    if (length === null || length > max || this.#pos + length > this.bytes.length) return null;
    const out = this.bytes.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    return out;
  }

  varString(maxBytes: number): string | null {
    const bytes = this.varBytes(maxBytes);
    if (bytes === null) return null;
    try {
      return utf8.decode(bytes);
    } catch {
      return null;
    }
  }

  /** Everything not yet read. */
  rest(): Uint8Array {
    const out = this.bytes.subarray(this.#pos);
    this.#pos = this.bytes.length;
    return out;
  }
}

export class ByteWriter {
  readonly #parts: number[] = [];
  readonly #chunks: Uint8Array[] = [];
  #length = 0;

  varUint(value: number): this {
    let n = value;
    while (n >= 0x80) {
      this.#parts.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    this.#parts.push(n);
    return this;
  }

  varBytes(bytes: Uint8Array): this {
    this.varUint(bytes.length);
    return this.raw(bytes);
  }

  varString(text: string): this {
    return this.varBytes(utf8Out.encode(text));
  }

  raw(bytes: Uint8Array): this {
    this.#flush();
    this.#chunks.push(bytes);
    this.#length += bytes.length;
    return this;
  }

  finish(): Uint8Array {
    this.#flush();
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  #flush(): void {
    if (this.#parts.length === 0) return;
    this.#chunks.push(Uint8Array.from(this.#parts));
    this.#length += this.#parts.length;
    this.#parts.length = 0;
  }
}
