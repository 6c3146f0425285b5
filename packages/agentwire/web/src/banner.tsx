import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

export interface BannerState {
  message: string | undefined;
  /** Shows a message; it hides itself after 8 s. */
  show(message: string): void;
  hide(): void;
}

/** The page's one error banner: the newest message, dismissable, hidden after a while. */
export function useBanner(): BannerState {
  const [message, setMessage] = useState<string>();
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const hide = useCallback(() => setMessage(undefined), []);
  const show = useCallback((text: string) => {
    setMessage(text);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setMessage(undefined), 8000);
  }, []);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useMemo(() => ({ message, show, hide }), [message, show, hide]);
}

export function Banner({ state }: { state: BannerState }) {
  return (
    <div className="banner" role="alert" data-testid="error-banner" hidden={state.message === undefined}>
      {state.message !== undefined && (
        <>
          <span data-testid="error-message">{state.message}</span>
          <button className="banner__close" type="button" aria-label="Dismiss" onClick={state.hide}>
            ×
          </button>
        </>
      )}
    </div>
  );
}
