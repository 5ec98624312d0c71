/** Data loading for pages: a request (re)run on an interval and on demand, with its error. */
import { useCallback, useEffect, useState } from "preact/hooks";
import { Unauthorized, type ServerChange } from "./api.ts";
import { onServerChange } from "./live.ts";
import { navigate } from "./router.ts";

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  reload: () => void;
}

/** How often a page that follows the server's changes still fetches, in case one was missed. */
export const FALLBACK_MS = 30_000;

/**
 * Loads on mount and when `deps` change; with `live`, again whenever the server announces a
 * change `live` says concerns the page (and every 30 s besides).
 */
export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  live: false | ((change: ServerChange) => boolean) = false,
): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    const abort = new AbortController();
    load(abort.signal).then(
      (value) => {
        setData(value);
        setError(undefined);
      },
      (failure: unknown) => {
        if (abort.signal.aborted) return;
        if (failure instanceof Unauthorized)
          return navigate(`/login?next=${encodeURIComponent(location.pathname)}`);
        setError((failure as Error).message);
      },
    );
    const timer = live ? setTimeout(reload, FALLBACK_MS) : undefined;
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [...deps, tick]);
  useEffect(
    () => (live ? onServerChange((change) => live(change) && reload()) : undefined),
    [...deps, reload],
  );
  return { data, error, reload };
}

export interface Actions {
  /** What runs now (buttons are disabled meanwhile). */
  acting: string | undefined;
  failure: string | undefined;
  setFailure: (message: string | undefined) => void;
  act: (what: string, fn: () => Promise<unknown>) => Promise<void>;
}

/** Buttons' requests: one at a time, their failure shown as "what: why", `after` run on success. */
export function useActions(after: () => void = () => undefined): Actions {
  const [acting, setActing] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const act = async (what: string, fn: () => Promise<unknown>) => {
    setActing(what);
    setFailure(undefined);
    try {
      await fn();
      after();
    } catch (err) {
      if (err instanceof Unauthorized)
        return navigate(`/login?next=${encodeURIComponent(location.pathname)}`);
      setFailure(`${what}: ${(err as Error).message}`);
    } finally {
      setActing(undefined);
    }
  };
  return { acting, failure, setFailure, act };
}
