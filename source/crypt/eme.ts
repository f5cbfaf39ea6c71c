import {createCipheriv, createDecipheriv} from 'node:crypto';

/**
 * EME (ECB-Mix-ECB, Halevi and Rogaway) wide-block encryption over AES-256, as
 * rclone uses for file names: every output byte depends on every input byte,
 * so equal prefixes do not leak. Input is 1 to 128 whole 16-byte blocks.
 */
const BLOCK = 16;

function aesBlocks(key: Buffer, data: Buffer, encrypt: boolean): Buffer {
	const cipher = encrypt ? createCipheriv('aes-256-ecb', key, null) : createDecipheriv('aes-256-ecb', key, null);
	cipher.setAutoPadding(false);
	return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** Multiplication by x in GF(2^128), blocks read as little-endian numbers. */
function double(block: Buffer): Buffer {
	const out = Buffer.alloc(BLOCK);
	out[0] = (block[0] << 1) & 0xff;
	if (block[15] >= 0x80) out[0] ^= 0x87;
	for (let i = 1; i < BLOCK; i++) out[i] = ((block[i] << 1) & 0xff) | (block[i - 1] >> 7);
	return out;
}

function xorInto(target: Buffer, targetOffset: number, source: Buffer, sourceOffset = 0): void {
	for (let i = 0; i < BLOCK; i++) target[targetOffset + i] ^= source[sourceOffset + i];
}

export function emeTransform(key: Buffer, tweak: Buffer, input: Buffer, encrypt: boolean): Buffer {
	if (tweak.length !== BLOCK) throw new Error('EME tweak must be 16 bytes');
	const blocks = input.length / BLOCK;
	if (!Number.isInteger(blocks) || blocks === 0 || blocks > 128) {
		throw new Error('EME input must be 1 to 128 whole 16-byte blocks');
	}
	// L tables always come from AES *encryption* of zero, in both directions.
	const masks: Buffer[] = [];
	let mask = aesBlocks(key, Buffer.alloc(BLOCK), true);
	for (let j = 0; j < blocks; j++) {
		mask = double(mask);
		masks.push(mask);
	}

	const whitened = Buffer.from(input);
	for (let j = 0; j < blocks; j++) xorInto(whitened, j * BLOCK, masks[j]);
	const middle = aesBlocks(key, whitened, encrypt);

	const mp = Buffer.from(tweak);
	for (let j = 0; j < blocks; j++) xorInto(mp, 0, middle, j * BLOCK);
	const mc = aesBlocks(key, mp, encrypt);
	let m: Buffer = Buffer.alloc(BLOCK);
	for (let i = 0; i < BLOCK; i++) m[i] = mp[i] ^ mc[i];

	for (let j = 1; j < blocks; j++) {
		m = double(m);
		xorInto(middle, j * BLOCK, m);
	}
	const first = Buffer.from(mc);
	xorInto(first, 0, tweak);
	for (let j = 1; j < blocks; j++) xorInto(first, 0, middle, j * BLOCK);
	first.copy(middle, 0);

	const out = aesBlocks(key, middle, encrypt);
	for (let j = 0; j < blocks; j++) xorInto(out, j * BLOCK, masks[j]);
	return out;
}
