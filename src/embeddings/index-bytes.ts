import { JottyError } from "../errors/index.js";

const MAGIC = 0x4a564958; // "JVIX"

/** Raw bytes of a typed array (a view, not a copy). */
export function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * Sections packed but not yet joined ({@link packed}): written once into the buffer that holds
 * them all, however deeply packs nest, instead of each level copying the level below.
 */
export interface Packed {
  readonly byteLength: number;
  /** Writes the packed bytes into `out` from `offset`, where zeros are expected in the padding. */
  writeTo(out: Uint8Array, offset: number): void;
}

const align = (n: number): number => Math.ceil(n / 8) * 8;

/**
 * A JSON header and binary sections, laid out as {@link packSections} lays them out, holding
 * the sections as they are: views into an index stay valid only until it changes, so the
 * result is written at once ({@link joined}).
 */
export function packed(header: unknown, sections: ReadonlyArray<ArrayBufferView | Packed>): Packed {
  const head = Buffer.from(JSON.stringify(header), "utf8");
  let byteLength = align(8 + head.length);
  for (const section of sections) byteLength += 8 + align(section.byteLength);
  return {
    byteLength,
    writeTo(out: Uint8Array, start: number): void {
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      view.setUint32(start, MAGIC, true);
      view.setUint32(start + 4, head.length, true);
      out.set(head, start + 8);
      let offset = start + align(8 + head.length);
      for (const section of sections) {
        view.setFloat64(offset, section.byteLength, true);
        if ("writeTo" in section) section.writeTo(out, offset + 8);
        else out.set(bytesOf(section), offset + 8);
        offset += 8 + align(section.byteLength);
      }
    },
  };
}

/** The bytes of a {@link packed} layout, in one new buffer. */
export function joined(layout: Packed): Uint8Array {
  const out = new Uint8Array(layout.byteLength);
  layout.writeTo(out, 0);
  return out;
}

/**
 * Packs a JSON header and binary sections into one buffer: magic, header length, header,
 * then each section length-prefixed and 8-byte aligned, so each can be read back as a typed
 * array without parsing.
 */
export function packSections(header: unknown, sections: ReadonlyArray<ArrayBufferView | Packed>): Uint8Array {
  return joined(packed(header, sections));
}

/**
 * A typed array over a section: a view when the section is aligned for it, else a copy.
 */
export function typedView<T extends Int8Array | Uint8Array | Int32Array | Float32Array>(
  section: Uint8Array,
  Type: { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number },
): T {
  const size = Type.BYTES_PER_ELEMENT;
  const aligned = section.byteOffset % size === 0 ? section : section.slice();
  return new Type(aligned.buffer as ArrayBuffer, aligned.byteOffset, aligned.byteLength / size);
}

/**
 * The inverse of {@link packSections}: the header and each section, as views into `bytes`
 * (nothing is copied; see {@link typedView}).
 *
 * @throws JottyError `snapshot_invalid` when the bytes are not a packed index.
 */
export function unpackSections(bytes: Uint8Array, what: string): { header: Record<string, unknown>; sections: Uint8Array[] } {
  const invalid = (why: string): JottyError =>
    new JottyError({ code: "snapshot_invalid", message: `The stored ${what} cannot be read: ${why}. Save the state again to rewrite it.` });
  if (bytes.byteLength < 8) throw invalid("it is too short");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw invalid("it does not start like a Jotty vector index");
  const headLength = view.getUint32(4, true);
  if (8 + headLength > bytes.byteLength) throw invalid("its header runs past its end");
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, headLength).toString("utf8")) as Record<string, unknown>;
  } catch {
    throw invalid("its header is not JSON");
  }
  const sections: Uint8Array[] = [];
  let offset = align(8 + headLength);
  while (offset < bytes.byteLength) {
    if (offset + 8 > bytes.byteLength) throw invalid("a section is cut short");
    const length = view.getFloat64(offset, true);
    if (!Number.isInteger(length) || length < 0 || offset + 8 + length > bytes.byteLength) throw invalid("a section is cut short");
    sections.push(bytes.subarray(offset + 8, offset + 8 + length));
    offset += 8 + align(length);
  }
  return { header, sections };
}
