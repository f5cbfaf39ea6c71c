/**
 * cheaperInterop (source/build/interop.ts) on esbuild's real helpers: the
 * importers see the same namespaces, now shared, and a module that gained
 * properties since (a require cycle) gets a new one.
 */
import {createRequire} from 'node:module';
import {transform} from 'esbuild';
import {describe, expect, test} from 'vitest';
import {cheaperInterop} from '../../source/build/interop.js';

const source = `
import fs from 'node:fs';
import * as fsAll from 'node:fs';
import {readFileSync} from 'node:fs';
import events from 'node:events';
export const imported = {fs, fsAll, readFileSync, events};
export const later = () => import('node:fs');
export let counter = 1;
export function bump() { counter++; }
`;

type Built = {imported: {fs: unknown; fsAll: Record<string, unknown>; readFileSync: unknown; events: unknown}; later: () => Promise<Record<string, unknown>>; counter: number; bump: () => void; __toESM: (mod: unknown, node?: number) => Record<string, unknown>};

async function load(patch: boolean): Promise<Built> {
	const {code} = await transform(source, {format: 'cjs', platform: 'node', target: 'node20', supported: {'dynamic-import': false}, banner: '"use strict";'});
	const text = (patch ? cheaperInterop(code, 'test.js') : code) + '\nmodule.exports.__toESM = __toESM;';
	const module = {exports: {} as Built};
	new Function('exports', 'require', 'module', text)(module.exports, createRequire(import.meta.url), module);
	return module.exports;
}

describe('cheaperInterop', () => {
	test('patches every helper of a real esbuild output, and refuses helpers of another shape', async () => {
		const {code} = await transform(source, {format: 'cjs', platform: 'node', target: 'node20', banner: '"use strict";'});
		const patched = cheaperInterop(code, 'test.js');
		expect(patched).toContain('__toESM = __cloudsyncSharedNamespaces(__toESM);');
		expect(patched).toMatch(/var __toCommonJS = \(mod\) => __defProp\(mod, "__esModule"/);
		expect(() => cheaperInterop(code.replace('isNodeMode || !mod', 'isNodeMode||!mod'), 'test.js')).toThrow(/changed shape/);
		expect(cheaperInterop('"use strict";\nexports.a = 1;\n', 'plain.js')).toBe('"use strict";\nexports.a = 1;\n');
	});

	test('importers see what they saw before: defaults, named imports, namespaces, live exports', async () => {
		const [before, after] = await Promise.all([load(false), load(true)]);
		for (const built of [before, after]) {
			const fs = createRequire(import.meta.url)('node:fs') as Record<string, unknown>;
			expect(built.imported.fs).toBe(fs);
			expect(built.imported.readFileSync).toBe(fs['readFileSync']);
			expect(built.imported.fsAll['readFileSync']).toBe(fs['readFileSync']);
			expect(built.imported.fsAll['default']).toBe(fs);
			expect((await built.later())['readFileSync']).toBe(fs['readFileSync']);
			expect(built.counter).toBe(1);
			built.bump();
			expect(built.counter).toBe(2);
		}
		expect(Object.keys(after.imported.fsAll).sort()).toEqual(Object.keys(before.imported.fsAll).sort());
		expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
	});

	test('one namespace per module, made again when the module gained properties', async () => {
		const {__toESM} = await load(true);
		const loading: Record<string, unknown> = {first: 1};
		const early = __toESM(loading, 1);
		expect(__toESM(loading, 1)).toBe(early);
		expect(early['default']).toBe(loading);
		loading['second'] = 2;
		const complete = __toESM(loading, 1);
		expect(complete).not.toBe(early);
		expect(complete['second']).toBe(2);
		// Node mode and ES-module mode give different namespaces for a module marked __esModule.
		const esm = Object.defineProperty({default: 'own default', x: 1}, '__esModule', {value: true});
		expect(__toESM(esm)['default']).toBe('own default');
		expect(__toESM(esm, 1)['default']).toBe(esm);
		expect(__toESM(undefined, 1)['default']).toBeUndefined();
	});
});
