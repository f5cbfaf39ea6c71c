/**
 * esbuild's interop helpers, made cheaper with the same results:
 * - `__toESM(mod)` gives an importer a namespace for a CommonJS module (or a
 *   Node module), copying every property as a getter. It runs once per
 *   import statement: the app's start called it 53 times for React alone,
 *   ~80 property copies each. Here a module's namespace is made once and
 *   handed to every importer, as ES modules share one namespace; it is
 *   made again if the module's property count changed since (a module
 *   still loading in a require cycle).
 * - `__toCommonJS(ns)` copied a file's export getters into a new object;
 *   here it marks the file's own export object instead.
 * The build fails if esbuild's helpers change shape.
 */
export function cheaperInterop(code: string, file: string): string {
	const toCommonJs = /^var (__toCommonJS\d*) = \(mod\) => (__copyProps\d*)\((__defProp\d*)\(\{\}, "__esModule", \{ value: true \}\), mod\);$/gm;
	const toEsmStart = /^var (__toESM\d*) = \(mod, isNodeMode, target\) => \(target = mod != null \? __create\d*\(__getProtoOf\d*\(mod\)\) : \{\}, __copyProps\d*\($/gm;
	const toEsmEnd = '\n  mod\n));\n';
	const definitions = (code.match(/^var __to(ESM|CommonJS)\d* = /gm) ?? []).length;
	let patched = 0;
	let result = code.replace(toCommonJs, (_all, name: string, _copy: string, defProp: string) => {
		patched++;
		return `var ${name} = (mod) => ${defProp}(mod, "__esModule", { value: true });`;
	});
	for (const match of [...result.matchAll(toEsmStart)].reverse()) {
		const end = result.indexOf(toEsmEnd, match.index);
		if (end < 0) break;
		const name = match[1]!;
		const at = end + toEsmEnd.length;
		// The whole definition, with esbuild's renaming suffixes (__copyProps2) taken off.
		if (result.slice(match.index, at).replace(/\b(__[a-zA-Z]+?)\d+\b/g, '$1') !== knownToEsm) continue;
		result = `${result.slice(0, at)}${name} = __cloudsyncSharedNamespaces(${name});\n${result.slice(at)}`;
		patched++;
	}
	if (patched !== definitions) throw new Error(`${file}: esbuild's __toESM/__toCommonJS changed shape (${patched} of ${definitions} patched): update cheaperInterop in source/build/interop.ts`);
	if (patched === 0 || !result.includes('__cloudsyncSharedNamespaces(')) return result;
	return result.replace(/^"use strict";\n/, `"use strict";\n${sharedNamespaces}\n`);
}

const knownToEsm = `var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));
`;

const sharedNamespaces = `var __cloudsyncSharedNamespaces = (toESM) => {
  const made = [new WeakMap(), new WeakMap()];
  return (mod, isNodeMode) => {
    if (mod === null || typeof mod !== "object" && typeof mod !== "function") return toESM(mod, isNodeMode);
    const keys = Object.getOwnPropertyNames(mod).length;
    const known = made[isNodeMode ? 1 : 0].get(mod);
    if (known !== undefined && known.keys === keys) return known.namespace;
    const namespace = toESM(mod, isNodeMode);
    made[isNodeMode ? 1 : 0].set(mod, { keys, namespace });
    return namespace;
  };
};`;
