/**
 * Resolves once Ink's layout engine (yoga, WebAssembly) is ready to use.
 *
 * Unbundled, yoga's module waits for itself with a top-level await, so this
 * resolves at once. The bundle is CommonJS, which has no top-level await:
 * there source/build/library-patches.ts swaps this module for yoga's own promise, and
 * the app awaits it before Ink draws.
 */
export function yogaReady(): Promise<void> {
	return Promise.resolve();
}
