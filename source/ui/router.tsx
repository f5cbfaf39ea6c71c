import {createContext, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode} from 'react';
import {useInput, useStdin, type Key} from 'ink';
import {keyName, unnamedKey} from './keymap.js';

/** Who gets a key first: the highest priority layer that says it handled it. */
export const priority = {global: 10, screen: 50, overlay: 90, dialog: 100, help: 120} as const;

export type KeyHandler = (name: string, input: string, key: Key) => boolean;

type Layer = {id: number; priority: number; modal: boolean; handler: {current: KeyHandler}};

type Router = {
	add(layer: Layer): () => void;
	/** True while a modal layer (dialog, help) owns the keyboard. */
	modalOpen: boolean;
};

const RouterContext = createContext<Router | undefined>(undefined);

/**
 * The one place keys enter the app. Layers register with a priority; a key
 * goes to each layer from the highest priority down until one handles it. A
 * modal layer (a dialog) swallows every key it does not handle, so nothing
 * below it reacts while it is open.
 */
export function KeyRouter({children, pacer}: {children: ReactNode; pacer?: {keyDone(): void}}) {
	const layers = useRef<Layer[]>([]);
	const [modalCount, setModalCount] = useState(0);
	const [keysSeen, setKeysSeen] = useState(0);
	const {internal_eventEmitter: events} = useStdin();
	// Runs after React has committed a key's changes and run their effects
	// (text fields re-subscribe in effects): then the next key may come.
	useEffect(() => {
		pacer?.keyDone();
	}, [keysSeen, pacer]);
	useEffect(() => {
		// Listens ahead of every useInput (ours and ink-text-input's) so a text
		// field can tell that the key it is about to insert was Ctrl+letter.
		const record = (data: string | Buffer) => {
			lastInput = String(data);
			// After every listener has handled the key: this render first flushes the
			// effects the key left pending, so keyDone comes after all of them.
			queueMicrotask(() => setKeysSeen(n => n + 1));
		};
		events?.prependListener('input', record);
		return () => {
			events?.off('input', record);
		};
	}, [events]);
	useInput((input, key) => {
		const name = keyName(input, key) || unnamedKey(lastInput);
		for (const layer of layers.current) {
			if (layer.handler.current(name, input, key)) return;
			if (layer.modal) return;
		}
	});
	const router = useMemo<Router>(
		() => ({
			add(layer) {
				layers.current = [...layers.current, layer].sort((a, b) => b.priority - a.priority || b.id - a.id);
				if (layer.modal) setModalCount(n => n + 1);
				return () => {
					layers.current = layers.current.filter(l => l !== layer);
					if (layer.modal) setModalCount(n => n - 1);
				};
			},
			modalOpen: false,
		}),
		[],
	);
	const value = useMemo(() => ({...router, modalOpen: modalCount > 0}), [router, modalCount]);
	return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

let nextLayerId = 1;
let lastInput = '';

/** The key being handled as "ctrl+u", when it is a control character (Ctrl+L, Ctrl+S, ...) and not text. */
export function lastControlKey(): string | undefined {
	if (lastInput.length !== 1) return undefined;
	const code = lastInput.charCodeAt(0);
	if (code >= 32 || '\r\n\t\b\u001b'.includes(lastInput)) return undefined;
	return `ctrl+${String.fromCharCode(code + 64).toLowerCase()}`;
}

/** Registers `handler` while `active`; later layers of the same priority go first. */
export function useKeyLayer(layerPriority: number, handler: KeyHandler, options: {active?: boolean; modal?: boolean} = {}): void {
	const router = useContext(RouterContext);
	if (!router) throw new Error('useKeyLayer needs a KeyRouter above it');
	const handlerRef = useRef(handler);
	handlerRef.current = handler;
	const active = options.active ?? true;
	const modal = options.modal ?? false;
	const {add} = router;
	// A layout effect: the layer is in place before any key can arrive for the frame that shows it.
	useLayoutEffect(() => {
		if (!active) return;
		return add({id: nextLayerId++, priority: layerPriority, modal, handler: handlerRef});
	}, [add, active, modal, layerPriority]);
}

/** Whether a dialog or the help covers the screen; text fields below stop taking keys. */
export function useModalOpen(): boolean {
	return useContext(RouterContext)?.modalOpen ?? false;
}
