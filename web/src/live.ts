/**
 * The live feed: one EventSource on /ui/api/events for the whole console; pages subscribe to the kinds
 * they show. The browser reconnects by itself; `connected` drives the indicator in the header.
 */
import { useEffect, useState } from 'react';
import type { LiveItem } from './types';

type Listener = (item: LiveItem) => void;
const listeners = new Set<Listener>();
const statusListeners = new Set<(connected: boolean) => void>();
let source: EventSource | undefined;
let connected = false;

function setConnected(value: boolean): void {
  connected = value;
  for (const l of statusListeners) l(value);
}

export function startLive(): void {
  if (source) return;
  source = new EventSource('/ui/api/events');
  source.onopen = () => setConnected(true);
  source.onerror = () => setConnected(false);
  for (const kind of ['decision', 'detection', 'risk', 'response'] as const) {
    source.addEventListener(kind, (e) => {
      const item = JSON.parse((e as MessageEvent<string>).data) as LiveItem;
      for (const l of listeners) l(item);
    });
  }
}

export function stopLive(): void {
  source?.close();
  source = undefined;
  setConnected(false);
}

export function useLive(listener: Listener): void {
  useEffect(() => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, [listener]);
}

export function useLiveConnected(): boolean {
  const [value, setValue] = useState(connected);
  useEffect(() => {
    statusListeners.add(setValue);
    return () => {
      statusListeners.delete(setValue);
    };
  }, []);
  return value;
}
