import { useEffect } from "react";
import { useRevalidator } from "react-router";

/**
 * Keeps a page live: its loaders run again every `intervalMs` while the page is visible (new messages, delivery
 * statuses, campaign progress), with no request while the tab is hidden.
 */
export function useLive(intervalMs: number, enabled = true) {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!enabled) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && revalidator.state === "idle") void revalidator.revalidate();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, enabled, revalidator]);
}
