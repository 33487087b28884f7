import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { CrmChat as CrmChatWidget, CrmChatMessage, CrmChatOptions, CrmChatUser } from "@crm-libraries/chat-widget";

export type { CrmChatMessage, CrmChatOptions, CrmChatUser };

/** What {@link useCrmChat} gives a component: safe to call during server rendering (then nothing happens). */
export interface CrmChatControls {
  /** True once the widget is on the page (never on the server). */
  ready: boolean;
  /** Agent replies that arrived while the panel was closed. */
  unread: number;
  open(): void;
  close(): void;
  identify(user: CrmChatUser, hash?: string): void;
  /** On sign-out: forgets the visitor's conversation in this browser and removes the widget. */
  shutdown(): void;
}

const noop = () => {};
const serverControls: CrmChatControls = { ready: false, unread: 0, open: noop, close: noop, identify: noop, shutdown: noop };
const CrmChatContext = createContext<CrmChatControls>(serverControls);

/** Props of {@link CrmChatProvider} and {@link CrmChat}: the widget's options, and an optional message listener. */
export interface CrmChatProps extends Omit<CrmChatOptions, "container"> {
  /** Called for every message that joins the transcript (the visitor's own and agents' replies). */
  onMessage?: (message: CrmChatMessage) => void;
  children?: ReactNode;
}

/**
 * Puts the chat widget on the page and gives its controls to descendants ({@link useCrmChat}). The widget module is
 * loaded in an effect, so server rendering never touches `window`; it is loaded once per endpoint however often this
 * renders, and removed (its conversation kept) when the provider unmounts. Its Shadow DOM keeps styles apart both ways.
 */
export function CrmChatProvider({ endpoint, title, offlineAfterSeconds, user, onMessage, children }: CrmChatProps) {
  const [widget, setWidget] = useState<CrmChatWidget | null>(null);
  const [unread, setUnread] = useState(0);
  const onMessageRef = useRef(onMessage);
  onMessageRef.current = onMessage;
  const userKey = user ? `${user.email}\n${user.name ?? ""}\n${user.hash ?? ""}` : "";

  useEffect(() => {
    let cancelled = false;
    let loaded: CrmChatWidget | null = null;
    const unsubscribe: Array<() => void> = [];
    void import("@crm-libraries/chat-widget").then(({ loadCrmChat }) => {
      if (cancelled) return;
      loaded = loadCrmChat({ endpoint, title, offlineAfterSeconds, user: user ?? null });
      unsubscribe.push(loaded.on("unread", setUnread), loaded.on("message", m => onMessageRef.current?.(m)));
      setUnread(loaded.unreadCount);
      setWidget(loaded);
    });
    return () => {
      cancelled = true;
      unsubscribe.forEach(stop => stop());
      loaded?.destroy();
      setWidget(null);
    };
    // The user is compared by value: a new object with the same user must not reload the widget.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [endpoint, title, offlineAfterSeconds, userKey]);

  const controls = useMemo<CrmChatControls>(() => widget
    ? {
        ready: true,
        unread,
        open: () => widget.open(),
        close: () => widget.close(),
        identify: (next, hash) => widget.identify(next, hash),
        shutdown: () => { widget.shutdown(); setWidget(null); },
      }
    : serverControls, [widget, unread]);

  return <CrmChatContext.Provider value={controls}>{children}</CrmChatContext.Provider>;
}

/** The chat widget as a component: renders nothing itself (the widget lives in its own Shadow DOM). */
export function CrmChat(props: Omit<CrmChatProps, "children">) {
  return <CrmChatProvider {...props} />;
}

/** The widget's controls inside a {@link CrmChatProvider}; inert during server rendering and before the widget loads. */
export function useCrmChat(): CrmChatControls {
  return useContext(CrmChatContext);
}
